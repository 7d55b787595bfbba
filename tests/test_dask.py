"""The same build on a real Dask cluster (scheduler + 2 workers on 127.0.0.1): byte-identical."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from conftest import make_site, manifest, run, secs  # noqa: E402

DASK = Path(sys.executable).parent / "dask"
CONFIG = 'title = "x"\n[video]\nwidth = 480\nheight = 270\n[tts]\nengine = "espeak"\n'
PAGES = {
    f"content/p{i:02d}.md": f"---\ntitle: Page {i}\n---\n\n```scene title\ntitle: Page {i}\nnarration: Page {i}.\n```\n\n"
                            f"```scene list\nheader: Points {i}\nitems: [One {i}, Two {i}, Three {i}]\n```\n\n"
                            f"```scene code\nlanguage: python\ncode: |\n  def f{i}():\n      return {i}\n```\n"
    for i in range(10)
}


@pytest.fixture
def cluster():
    if not DASK.exists():
        if os.environ.get("CI"):
            pytest.fail("dask is missing: pip install -e '.[test]' installs distributed")
        pytest.skip("distributed is not installed")
    from bench_dask import cluster as start, stop

    address, procs = start(2)
    yield address, procs
    stop(procs)


def _outputs(site: Path) -> dict[str, bytes]:
    out = site / "output"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.suffix in (".mp4", ".json", ".vtt", ".jpg") and p.name != "build.json"}


def _local_reference(tmp_path: Path) -> dict[str, bytes]:
    site = make_site(tmp_path / "local", PAGES, CONFIG)
    assert run("build", "--jobs", "1", str(site)).exit_code == 0
    return _outputs(site)


def test_dask_build_is_byte_identical_to_a_local_one(cluster, tmp_path: Path) -> None:
    address, _ = cluster
    site = make_site(tmp_path / "dask", PAGES, CONFIG)
    result = run("build", "--scheduler", address, str(site))
    assert result.exit_code == 0, result.output
    assert f"Dask at {address}" in result.output
    remote = _outputs(site)
    local = _local_reference(tmp_path)
    assert len([n for n in remote if n.endswith(".mp4")]) == 10
    assert remote.keys() == local.keys()
    assert [n for n in remote if remote[n] != local[n]] == []


def test_a_worker_killed_mid_build_does_not_change_the_result(cluster, tmp_path: Path) -> None:
    address, procs = cluster
    site = make_site(tmp_path / "dask", PAGES, CONFIG)
    build = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "build", "--scheduler", address, str(site)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    segments = site / ".vidsite/cache/segments"
    deadline = time.time() + secs(60)
    while time.time() < deadline and len(list(segments.glob("*.mp4")) if segments.exists() else []) < 3:
        time.sleep(0.02)
    for pid in [*_children(procs[1].pid), procs[1].pid]:  # the worker process and its nanny, with no warning
        os.kill(pid, signal.SIGKILL)
    out, _ = build.communicate(timeout=secs(180))
    assert build.returncode == 0, out
    assert _outputs(site) == _local_reference(tmp_path)


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    except OSError:
        return []


def test_a_shared_cache_at_a_url_is_reused_by_another_machine(tmp_path: Path) -> None:
    """Two checkouts with separate local caches and one shared store (file:// here, s3:// in practice)."""
    import json

    store = tmp_path / "store"
    config = CONFIG + f'[cache]\nurl = "file://{store}"\n'
    first = make_site(tmp_path / "ci-run-1", PAGES, config)
    assert run("build", str(first)).exit_code == 0
    assert list((store / "clips").glob("*.json")) and list((store / "segments").glob("*.mp4"))
    assert not list(store.rglob(".*.part")), "no half-uploaded entries are left behind"
    second = make_site(tmp_path / "ci-run-2", PAGES, config)
    result = run("build", str(second))
    assert result.exit_code == 0, result.output
    stats = json.loads((second / "output/build.json").read_text())
    assert stats["clips_synthesised"] == 0 and stats["segments_encoded"] == 0 and stats["segments_reused"] == 30
    assert _outputs(second) == _outputs(first)


def test_dask_workers_share_results_through_the_url_cache(cluster, tmp_path: Path) -> None:
    address, _ = cluster
    store = tmp_path / "store"
    site = make_site(tmp_path / "dask", PAGES, CONFIG + f'[cache]\nurl = "file://{store}"\n')
    assert run("build", "--scheduler", address, str(site)).exit_code == 0
    takes = {key for page in PAGES for key in manifest(site, Path(page).stem)["audio"]}  # pages share equal ones
    assert len(list((store / "segments").glob("*.mp4"))) == 30 and len(list((store / "audio").glob("*.m4a"))) == len(takes)
    assert _outputs(site) == _local_reference(tmp_path)
