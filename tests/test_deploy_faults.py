"""A `file://` deploy killed (SIGKILL) at every file operation, then deployed again, ends complete."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import run

CONFIG = 'title = "Docs"\nbase_url = "https://docs.example.com/"\nhashed_names = true\n' \
         '[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'

# Runs one deploy and kills its own process just before its N-th file operation (a rename that
# publishes a file, or a delete), so every step of a deploy is the last one in some run. An optional
# fourth argument is the deploy's `keep` (seconds a retired file stays).
KILLER = """
import os, signal, sys
from pathlib import Path
from vidsite.deploy import deploy
left = [int(sys.argv[3])]
def counted(real):
    def op(*args, **kwargs):
        left[0] -= 1
        if left[0] == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return op
os.replace, os.remove, os.unlink = counted(os.replace), counted(os.remove), counted(os.unlink)
deploy(Path(sys.argv[1]), sys.argv[2], workers=1, **({"keep": float(sys.argv[4])} if len(sys.argv) > 4 else {}))
"""


def _page(i: int, words: str) -> str:
    return f"---\ntitle: Page {i}\n---\n\n```scene title\ntitle: Page {i}\nnarration: {words}\n```\n"


def _complete(target: Path, out: Path) -> None:
    local = json.loads((out / "manifest.json").read_text())
    for name, entry in local["files"].items():
        assert hashlib.sha256((target / name).read_bytes()).hexdigest() == entry["sha256"], name
    remote = json.loads((target / "manifest.json").read_text())
    assert remote.pop("retired", None) is not None and remote == local  # retired: deleted by a later deploy


def test_a_file_deploy_killed_at_any_step_completes_when_run_again(site_factory, tmp_path: Path) -> None:
    site = site_factory({f"content/p{i}.md": _page(i, f"This is page {i}.") for i in range(3)}, CONFIG)
    out = site / "output"
    assert run("build", str(site)).exit_code == 0
    first = tmp_path / "first"
    assert run("deploy", f"file://{first}", "--site", str(site)).exit_code == 0
    old_files = set(json.loads((first / "manifest.json").read_text())["files"])
    # the next deploy uploads a changed page and deletes a removed one
    (site / "content/p1.md").write_text(_page(1, "Page one, changed."))
    (site / "content/p2.md").unlink()
    assert run("build", str(site)).exit_code == 0
    gone = old_files - set(json.loads((out / "manifest.json").read_text())["files"])
    assert gone
    env = os.environ | {"PYTHONDONTWRITEBYTECODE": "1"}
    steps = 0
    for n in range(1, 200):
        target = tmp_path / f"kill-{n}"
        shutil.copytree(first, target)
        killed = subprocess.run([sys.executable, "-c", KILLER, str(out), f"file://{target}", str(n)], check=False, env=env,
                                capture_output=True, text=True, timeout=60)
        if killed.returncode == 0:  # the deploy had fewer than n steps: every step was interrupted once
            steps = n - 1
            break
        assert killed.returncode == -9, killed.stderr
        again = run("deploy", f"file://{target}", "--site", str(site))
        assert again.exit_code == 0, f"after a kill at step {n}: {again.output}"
        _complete(target, out)
        assert gone <= set(json.loads((target / "manifest.json").read_text())["retired"]), n
        shutil.rmtree(target)
    assert steps > 1, "the deploy was never interrupted"  # kills while deleting: test_deploy_trust.py


# The same, for an object store: the deploy kills itself just before its N-th S3 write or delete
# (an object is replaced whole, so a write is either done or not). Arguments: output, target, N, keep.
S3_KILLER = """
import os, signal, sys
from pathlib import Path
import s3fs
from vidsite.deploy import deploy
left = [int(sys.argv[3])]
def counted(real):
    async def op(*args, **kwargs):
        left[0] -= 1
        if left[0] == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return await real(*args, **kwargs)
    return op
s3fs.S3FileSystem._pipe_file = counted(s3fs.S3FileSystem._pipe_file)
s3fs.S3FileSystem._rm_file = counted(s3fs.S3FileSystem._rm_file)
deploy(Path(sys.argv[1]), sys.argv[2], workers=1, keep=float(sys.argv[4]))
"""


def test_an_s3_deploy_killed_at_any_step_leaves_only_files_a_manifest_lists(s3, site_factory) -> None:
    """Against moto's S3 server: after a kill -9 at every write and delete of a deploy, the next deploy
    leaves every file the current manifest lists remote with its sha256, and nothing else but files the
    previous deployed manifest lists (retired, for pages cached before)."""
    client, _ = s3
    site = site_factory({f"content/p{i}.md": _page(i, f"This is page {i}.") for i in range(3)}, CONFIG)
    out = site / "output"

    def keys(prefix: str) -> dict[str, str]:
        """name → sha256 of every object under prefix/."""
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket="docs", Prefix=f"{prefix}/"):
            for obj in page.get("Contents", []):
                body = client.get_object(Bucket="docs", Key=obj["Key"])["Body"].read()
                found[obj["Key"].removeprefix(f"{prefix}/")] = hashlib.sha256(body).hexdigest()
        return found

    def deploy(prefix: str, *extra: str) -> None:
        done = run("deploy", f"s3://docs/{prefix}", "--site", str(site), *extra)
        assert done.exit_code == 0, done.output

    assert run("build", str(site)).exit_code == 0
    v1 = set(json.loads((out / "manifest.json").read_text())["files"])
    deploy("base")
    (site / "content/p1.md").write_text(_page(1, "Page one, changed."))
    (site / "content/p2.md").unlink()
    assert run("build", str(site)).exit_code == 0
    deploy("base")  # v2: what only v1 used is retired, still there
    (site / "content/p1.md").write_text(_page(1, "Page one, changed again."))
    assert run("build", str(site)).exit_code == 0
    previous = json.loads(client.get_object(Bucket="docs", Key="base/manifest.json")["Body"].read())
    only_v1 = set(previous["retired"])
    assert only_v1 and only_v1 <= v1
    local = json.loads((out / "manifest.json").read_text())["files"]
    base = list(keys("base"))
    steps = 0
    for n in range(1, 200):
        prefix = f"kill-{n}"
        for name in base:
            client.copy_object(Bucket="docs", Key=f"{prefix}/{name}",
                               CopySource={"Bucket": "docs", "Key": f"base/{name}"})
        killed = subprocess.run([sys.executable, "-c", S3_KILLER, str(out), f"s3://docs/{prefix}", str(n), "0"],
                                check=False, capture_output=True, text=True, timeout=120)
        if killed.returncode == 0:  # the deploy had fewer than n steps: every step was interrupted once
            steps = n - 1
            break
        assert killed.returncode == -9, killed.stderr
        there = keys(prefix)
        remote = json.loads(client.get_object(Bucket="docs", Key=f"{prefix}/manifest.json")["Body"].read())
        assert set(there) - {"manifest.json"} <= set(remote["files"]) | set(remote["retired"]) | set(local), n
        deploy(prefix, "--keep", "0")
        there = keys(prefix)
        for name, entry in local.items():
            assert there.get(name) == entry["sha256"], (n, name)
        remote = json.loads(client.get_object(Bucket="docs", Key=f"{prefix}/manifest.json")["Body"].read())
        assert remote["files"] == local, n
        assert set(there) - {"manifest.json"} - set(local) <= set(previous["files"]), n  # v2's, retired
        assert not (only_v1 - set(local)) & set(there), n
    assert steps > len(only_v1), "the deploy was never interrupted while deleting"
