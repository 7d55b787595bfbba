"""Deploys a cached page can trust: nothing it references is deleted by the deploy that replaces
it, drafts and localhost URLs never reach the remote site, and a kill at any step is completed."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run
from test_deploy_faults import KILLER

CONFIG = 'title = "Docs"\nbase_url = "https://docs.example.com/"\nhashed_names = true\n' \
         '[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'


def _page(i: int, words: str) -> str:
    return f"---\ntitle: Page {i}\n---\n\n```scene title\ntitle: Page {i}\nnarration: {words}\n```\n"


PAGES = {f"content/p{i}.md": _page(i, f"This is page {i}.") for i in range(3)}


def _deploy(site: Path, target: str, *extra: str):
    return run("deploy", target, "--site", str(site), *extra)


def _local(site: Path) -> dict:
    return json.loads((site / "output/manifest.json").read_text())


def _referenced(out: Path, files: dict) -> set[str]:
    """Every asset of the site that some page's HTML asks for (video, poster, tracks, styles): the
    files a cached page loads; links to other pages are fetched fresh, as those pages are now."""
    refs = set()
    for name in files:
        if not name.endswith(".html"):
            continue
        folder = posixpath.dirname(name)
        for ref in re.findall(r'(?:src|poster|href)="([^"#?:]+)"', (out / name).read_text()):
            path = posixpath.normpath(posixpath.join(folder, ref)).lstrip("/")
            if path in files and not path.endswith((".html", ".json", ".xml")):
                refs.add(path)
    return refs


def test_a_cached_page_never_meets_a_deleted_video(s3, site_factory) -> None:
    client, _ = s3
    site = site_factory(PAGES, CONFIG)
    target = ("s3://docs/site",)  # the store named by $AWS_ENDPOINT_URL
    assert run("build", str(site)).exit_code == 0
    v1 = _local(site)["files"]
    v1_refs = _referenced(site / "output", v1)
    assert any(r.endswith(".mp4") for r in v1_refs) and any(r.endswith(".jpg") for r in v1_refs)
    first = _deploy(site, *target)
    assert first.exit_code == 0, first.output
    # v2: a page's narration changes, so its hashed video, poster and captions get new names
    (site / "content/p1.md").write_text(_page(1, "Page one, said differently."))
    assert run("build", str(site)).exit_code == 0
    v2 = _local(site)["files"]
    only_v1 = set(v1) - set(v2)
    assert any(n.endswith(".mp4") for n in only_v1)
    second = _deploy(site, *target)
    assert second.exit_code == 0, second.output
    # right after v2, the HTML a CDN may still hold from v1 gets v1's bytes for every URL it names
    for name in sorted(v1_refs):
        body = client.get_object(Bucket="docs", Key=f"site/{name}")["Body"].read()
        assert hashlib.sha256(body).hexdigest() == v1[name]["sha256"], name
    assert "deleted 0" in second.output and f"retired {len(only_v1)}" in second.output
    remote = json.loads(client.get_object(Bucket="docs", Key="site/manifest.json")["Body"].read())
    assert remote["files"] == v2 and set(remote["retired"]) == only_v1
    # a third deploy inside the grace period (default an hour) still keeps them ...
    third = _deploy(site, *target)
    assert third.exit_code == 0 and "deleted 0" in third.output, third.output
    keys = {o["Key"].removeprefix("site/") for o in client.list_objects_v2(Bucket="docs", Prefix="site/")["Contents"]}
    assert only_v1 <= keys
    # ... and one after it deletes exactly the files only v1 used
    fourth = _deploy(site, *target, "--keep", "0")
    assert fourth.exit_code == 0 and f"deleted {len(only_v1)}" in fourth.output, fourth.output
    keys = {o["Key"].removeprefix("site/") for o in client.list_objects_v2(Bucket="docs", Prefix="site/")["Contents"]}
    assert keys == set(v2) | {"manifest.json"}
    assert json.loads(client.get_object(Bucket="docs", Key="site/manifest.json")["Body"].read())["retired"] == {}


def test_endpoint_url_names_an_s3_compatible_store(s3, site_factory, monkeypatch) -> None:
    client, endpoint = s3
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    site = site_factory(PAGES, CONFIG)
    assert run("build", str(site)).exit_code == 0
    done = _deploy(site, "s3://docs/site", "--endpoint-url", endpoint)
    assert done.exit_code == 0, done.output
    assert client.head_object(Bucket="docs", Key="site/p0/index.html")["ContentType"] == "text/html"
    wrong = _deploy(site, f"file://{site.parent / 'www'}", "--endpoint-url", endpoint)
    assert wrong.exit_code == 1 and "s3://" in wrong.output


def test_plain_names_warn_once_that_cached_pages_meet_new_media(site_factory, tmp_path: Path) -> None:
    site = site_factory(PAGES, CONFIG.replace("hashed_names = true", "hashed_names = false"))
    target = f"file://{tmp_path / 'www'}"
    assert run("build", str(site)).exit_code == 0
    assert "same URL" not in _deploy(site, target).output
    (site / "content/p1.md").write_text(_page(1, "Page one, said differently."))
    (site / "content/p2.md").write_text(_page(2, "Page two, said differently."))
    assert run("build", str(site)).exit_code == 0
    again = _deploy(site, target)
    assert again.exit_code == 0, again.output
    assert again.output.count("same URL") == 1 and "hashed_names = true" in again.output


def test_a_draft_build_is_refused_and_a_final_one_deployed(site_factory, tmp_path: Path) -> None:
    site = site_factory(PAGES, CONFIG)
    target = f"file://{tmp_path / 'www'}"
    assert run("build", str(site), "--quality", "draft").exit_code == 0
    refused = _deploy(site, target)
    assert refused.exit_code == 1 and "draft-quality" in refused.output and "vidsite build" in refused.output
    assert "--force" in refused.output and not (tmp_path / "www").exists()
    assert run("build", str(site)).exit_code == 0
    done = _deploy(site, target)
    assert done.exit_code == 0, done.output
    for i in range(3):
        page = json.loads((tmp_path / f"www/p{i}/manifest.json").read_text())
        assert page["quality"] == "final" and (page["width"], page["height"]) == (160, 90)


@pytest.mark.parametrize("base_url", ["http://localhost:1313/", "http://127.0.0.1:8000/docs/", "/", ""])
def test_a_local_or_relative_base_url_is_refused(site_factory, tmp_path: Path, base_url: str) -> None:
    site = site_factory(PAGES, CONFIG.replace("https://docs.example.com/", base_url))
    target = f"file://{tmp_path / 'www'}"
    assert run("build", str(site)).exit_code == 0
    refused = _deploy(site, target)
    assert refused.exit_code == 1, refused.output
    assert "base_url" in refused.output and "config.toml" in refused.output and not (tmp_path / "www").exists()
    forced = _deploy(site, target, "--force")
    assert forced.exit_code == 0, forced.output


def test_a_deploy_killed_at_any_step_keeps_every_remote_file_accounted_for(site_factory, tmp_path: Path) -> None:
    site = site_factory(PAGES, CONFIG)
    out = site / "output"
    assert run("build", str(site)).exit_code == 0
    base = tmp_path / "base"
    assert _deploy(site, f"file://{base}").exit_code == 0
    v1 = set(_local(site)["files"])
    (site / "content/p1.md").write_text(_page(1, "Page one, changed."))
    (site / "content/p2.md").unlink()
    assert run("build", str(site)).exit_code == 0
    assert _deploy(site, f"file://{base}").exit_code == 0  # v2: v1's leftovers are retired, still there
    (site / "content/p1.md").write_text(_page(1, "Page one, changed again."))
    assert run("build", str(site)).exit_code == 0
    previous = json.loads((base / "manifest.json").read_text())
    only_v1 = set(previous["retired"])
    assert only_v1 and only_v1 <= v1
    local = _local(site)
    env = os.environ | {"PYTHONDONTWRITEBYTECODE": "1"}
    steps = 0
    for n in range(1, 200):
        target = tmp_path / f"kill-{n}"
        shutil.copytree(base, target)
        killed = subprocess.run([sys.executable, "-c", KILLER, str(out), f"file://{target}", str(n), "0"],
                                check=False, env=env, capture_output=True, text=True, timeout=60)
        if killed.returncode == 0:  # the deploy had fewer than n steps: every step was interrupted once
            steps = n - 1
            break
        assert killed.returncode == -9, killed.stderr
        # killed: every remote file is one the manifest there lists (files or retired) or one this deploy sends
        there = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
        torn = {name for name in there if name.endswith(".tmp")}  # a rename that never happened
        remote = json.loads((target / "manifest.json").read_text())
        assert there - torn - {"manifest.json"} <= set(remote["files"]) | set(remote["retired"]) | set(local["files"])
        again = run("deploy", f"file://{target}", "--site", str(site), "--keep", "0")
        assert again.exit_code == 0, f"after a kill at step {n}: {again.output}"
        for name, entry in local["files"].items():
            assert hashlib.sha256((target / name).read_bytes()).hexdigest() == entry["sha256"], (n, name)
        there = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
        remote = json.loads((target / "manifest.json").read_text())
        assert remote["files"] == local["files"] and not any(name.endswith(".tmp") for name in there), n
        assert there - {"manifest.json"} - set(local["files"]) <= set(previous["files"]), n  # only v2's, retired
        assert not any((target / name).exists() for name in only_v1 - set(local["files"])), n
        shutil.rmtree(target)
    assert steps > len(only_v1), "the deploy was never interrupted while deleting"


def test_fallback_copies_point_at_the_original_and_are_not_advertised(site_factory) -> None:
    config = 'translation_fallback = "default"\n' + CONFIG + "[languages.en]\n[languages.es]\n[languages.ja]\n"
    site = site_factory({"content/p0.md": _page(0, "This is page 0."),
                         "content/p1.md": _page(1, "This is page 1."),
                         "content/p1.es.md": _page(1, "Esta es la página uno.")}, config)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    out = site / "output"
    copy = (out / "es/p0/index.html").read_text()
    assert '<link rel="canonical" href="https://docs.example.com/p0/">' in copy
    alternate = 'rel="alternate" hreflang="es"'
    assert alternate not in (out / "p0/index.html").read_text() and alternate not in copy
    sitemap = (out / "sitemap.xml").read_text()
    assert "/es/p0/" not in sitemap and "/ja/p0/" not in sitemap and "https://docs.example.com/es/p1/" in sitemap
    for feed in ("es/feed.xml", "es/feed.json", "ja/feed.xml", "feed.xml"):
        if (out / feed).exists():
            assert "/p0/" not in (out / feed).read_text() or not feed.startswith(("es/", "ja/")), feed
    # a real translation is advertised with its language, and with x-default for the rest
    real = (out / "es/p1/index.html").read_text()
    assert '<link rel="canonical" href="https://docs.example.com/es/p1/">' in real
    assert 'hreflang="es" href="https://docs.example.com/es/p1/"' in real
    assert 'hreflang="x-default" href="https://docs.example.com/p1/"' in real
