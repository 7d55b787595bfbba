"""Crashes mid-build, concurrent builds, a full disk, a read-only folder, and load on the server."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import wave
from pathlib import Path

import pytest

from conftest import free_port, make_site, run, secs

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
CONFIG = 'title = "x"\n[video]\nwidth = 480\nheight = 270\n[tts]\nengine = "espeak"\n'


def _pages(word: str) -> dict[str, str]:
    return {f"content/p{i}.md": f"```scene title\ntitle: Page {i}\nnarration: Page {i} says {word}.\n```\n\n"
                                f"```scene list\nheader: Points {i}\nitems: [One, Two, Three]\n"
                                f"narration: One, two and three, {word}.\n```\n" for i in range(4)}


def _snapshot(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def _consistent(out: Path) -> bool:
    """Every file the site manifest lists is there, whole; every page's files match its manifest."""
    site = json.loads((out / "manifest.json").read_text())
    for name, entry in site["files"].items():
        data = (out / name).read_bytes()
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            return False
    return True


def _cache_entries_complete(cache: Path) -> None:
    import av

    entries = lambda folder, pattern: [p for p in (cache / folder).glob(pattern) if not p.name.startswith(".")]  # noqa: E731
    for meta in entries("clips", "*.json"):  # hidden files are temp files of interrupted writes, not entries
        entry = json.loads(meta.read_text())
        with wave.open(str(meta.with_suffix(".wav"))) as w:
            assert w.getnframes() == entry["samples"], meta
    for media in entries("segments", "*.mp4") + entries("audio", "*.m4a"):
        with av.open(str(media)) as c:  # a truncated MP4 has no moov atom and fails here
            assert sum(1 for p in c.demux() if p.size) > 0, media


def _build_process(site: Path, *extra: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vidsite.cli", "build", str(site), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def test_sigkill_at_a_dozen_moments_never_leaves_a_mixed_output(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", _pages("hello"), CONFIG)
    assert run("build", str(site)).exit_code == 0
    out = site / "output"
    outcomes = []
    for n in range(12):
        before = _snapshot(out)
        for rel, text in _pages(f"version {n}").items():
            (site / rel).write_text(text)
        proc = _build_process(site)
        time.sleep(0.05 + n * 0.12)  # from the first imports to the commit
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = _snapshot(out)
        assert after == before or _consistent(out), f"kill {n}: output/ is mixed"
        outcomes.append("as before" if after == before else "complete")
        _cache_entries_complete(site / ".vidsite/cache")
    assert "as before" in outcomes, outcomes  # the kills did land mid-build
    result = run("build", str(site))  # and the next build finishes, reusing what was done
    assert result.exit_code == 0 and _consistent(out)
    stats = json.loads((out / "build.json").read_text())
    assert stats["clips_cached"] > 0 or stats["segments_reused"] > 0 or "nothing to do" in result.output
    assert not list(site.glob(".output.staging*")) and not list(out.parent.glob(".output.staging*"))


def test_a_second_build_on_the_same_site_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", _pages("hello"), CONFIG.replace("480", "960").replace("270", "540"))
    first = _build_process(site)
    lock = site / ".vidsite/build.lock"
    deadline = time.time() + 20
    while time.time() < deadline and not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        time.sleep(0.01)
    second = run("build", str(site))
    assert second.exit_code == 1 and f"another vidsite build (pid {first.pid}) is running" in second.output
    assert first.wait(timeout=secs(60)) == 0
    assert run("build", str(site)).exit_code == 0  # the lock went with the first build


def test_a_killed_build_does_not_hold_the_lock(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", _pages("hello"), CONFIG)
    proc = _build_process(site)
    time.sleep(0.4)
    proc.kill()
    proc.wait()
    assert run("build", str(site)).exit_code == 0


def test_two_sites_building_into_one_cache_at_once(tmp_path: Path) -> None:
    cache = tmp_path / "shared-cache"
    config = CONFIG + f'[cache]\ndir = "{cache}"\n'
    sites = [make_site(tmp_path / f"s{n}", _pages("shared"), config) for n in range(2)]
    procs = [_build_process(s) for s in sites]
    for p in procs:
        out, _ = p.communicate(timeout=secs(120))
        assert p.returncode == 0, out
    _cache_entries_complete(cache)
    a, b = (_snapshot(s / "output") for s in sites)
    assert {k: v for k, v in a.items() if k.endswith(".mp4")} == {k: v for k, v in b.items() if k.endswith(".mp4")}


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


def test_a_full_disk_is_a_clear_error_and_output_survives(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", _pages("hello"), CONFIG)
    assert run("build", str(site)).exit_code == 0
    before = _snapshot(site / "output")
    for rel, text in _pages("bigger than the disk").items():
        (site / rel).write_text(text)
    proc = _build_process(site, preexec_fn=_limit_file_size)
    out, _ = proc.communicate(timeout=secs(120))
    assert proc.returncode == 1, out
    assert "is the disk full" in out and "Traceback" not in out, out
    assert _snapshot(site / "output") == before
    assert run("build", str(site)).exit_code == 0  # with room again, it completes


def test_a_read_only_site_folder_is_a_clear_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", _pages("hello"), CONFIG)
    assert run("build", str(site)).exit_code == 0
    before = _snapshot(site / "output")
    (site / "content/p0.md").write_text(_pages("changed")["content/p0.md"])
    if os.geteuid() == 0:  # root ignores permission bits: make the folder a read-only mount instead
        mounted = subprocess.run(["mount", "--bind", str(site), str(site)], capture_output=True)
        if mounted.returncode != 0:
            (pytest.fail if os.environ.get("CI") else pytest.skip)(f"cannot bind-mount: {mounted.stderr!r}")
        subprocess.run(["mount", "-o", "remount,bind,ro", str(site)], check=True)
        undo = lambda: subprocess.run(["umount", str(site)], check=True)  # noqa: E731
    else:
        (site / "output").chmod(0o555)
        site.chmod(0o555)
        undo = lambda: (site.chmod(0o755), (site / "output").chmod(0o755))  # noqa: E731
    try:
        proc = _build_process(site)
        out, _ = proc.communicate(timeout=secs(120))
    finally:
        undo()
    assert proc.returncode == 1 and "Traceback" not in out, out
    assert "read-only" in out.lower() or "permission denied" in out.lower(), out
    assert _snapshot(site / "output") == before


def test_server_under_load_while_rebuilding(tmp_path: Path) -> None:
    from loadgen import load, plan, summary

    site = make_site(tmp_path / "site", _pages("hello"), CONFIG + "[build]\njobs = 1\n")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "serve", "--quality", "final", "--port", str(port),
                             str(site)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_status(port, lambda s: s["builds"] >= 1)
        out = site / ".vidsite/preview"  # where serve previews (never output/, which deploy publishes)
        files = ["p0/video.mp4", "p1/video.mp4", "p0/captions.en.vtt", "p1/manifest.json", "manifest.json"]
        old = {f: (out / f).read_bytes() for f in files}
        rss_before = _rss(proc.pid)
        requests = plan({f: len(old[f]) for f in files}, 1500)
        edit = threading.Timer(0.3, lambda: (site / "content/p0.md").write_text(_pages("edited under load")["content/p0.md"]))
        edit.start()
        hits, wall = load(f"http://127.0.0.1:{port}/", requests, concurrency=24)
        _wait_status(port, lambda s: s["builds"] >= 2 and s["stage"] == "idle")
        new = {f: (out / f).read_bytes() for f in files}
        assert new["p0/video.mp4"] != old["p0/video.mp4"], "the rebuild happened during the test"
        for h in hits:
            assert h.status < 500, h
            versions = [v[h.path] for v in (old, new)]
            if h.start is None:
                assert h.status == 200 and h.body in versions, h.path
            else:
                assert h.status == 206 and h.body in [v[h.start : h.end + 1] for v in versions], (h.path, h.start)
        assert _rss(proc.pid) - rss_before < 80 * 2**20, "server memory grew under load"
        print("\n" + summary(hits, wall))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=secs(20))


def _wait_status(port: int, ok, timeout: float = 60) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_vidsite/status", timeout=5) as r:
                status = json.load(r)
            if ok(status):
                return status
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail("server did not reach the expected state")


def _rss(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
