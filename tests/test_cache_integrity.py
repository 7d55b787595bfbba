"""Media cache entries are verified before reuse: a damaged segment, poster or audio track is a
miss with one warning, made again, never a traceback."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from conftest import decode, manifest, run
from vidsite.encode.integrity import intact, seal, sidecar

PAGES = {"content/p.md": """
    ---
    title: Damage
    ---

    ```scene title
    title: First
    narration: The first scene.
    ```

    ```scene title
    title: Second
    narration: The second scene.
    ```
"""}
CONFIG = """
title = "t"
[video]
width = 160
height = 90
[tts]
engine = "espeak"
"""


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "damaged" in r.getMessage()]


@pytest.fixture
def built(site_factory) -> Path:
    site = site_factory(PAGES, CONFIG)
    assert run("build", str(site)).exit_code == 0
    return site


def test_truncated_segment_and_audio_are_remade_with_one_warning_each(built, caplog) -> None:
    cache = built / ".vidsite/cache"
    scenes = manifest(built, "p")["scenes"]
    first = next((cache / "segments").glob(f"*-{scenes[0]['segment']}.mp4"))
    second = next((cache / "segments").glob(f"*-{scenes[1]['segment']}.mp4"))
    track = next((cache / "audio").glob("*.m4a"))
    _truncate(first)
    _truncate(track, 0.9)
    sidecar(second).unlink(missing_ok=True)  # an entry from an older cache: checked by its structure, and whole
    shutil.rmtree(built / "output")

    caplog.set_level(logging.WARNING)
    result = run("build", str(built))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    damaged = _warnings(caplog)
    assert len(damaged) == 2, damaged
    assert any(first.name in w for w in damaged) and any(track.name in w for w in damaged)
    stats = json.loads((built / "output/build.json").read_text())
    assert stats["segments_encoded"] == 1 and stats["segments_reused"] == 1

    video = decode(built / "output/p/video.mp4")
    assert video.video_end == pytest.approx(manifest(built, "p")["frames"] / 30, abs=0.05)
    assert video.audio_end == pytest.approx(video.video_end, abs=0.1)
    assert intact(first) and intact(track)

    caplog.clear()
    shutil.rmtree(built / "output")
    assert run("build", str(built)).exit_code == 0
    assert _warnings(caplog) == []  # remade once: whole from then on


def test_a_truncated_poster_is_remade_with_its_segment(built, caplog) -> None:
    poster = next((built / ".vidsite/cache/segments").glob("*.jpg"))
    _truncate(poster)
    shutil.rmtree(built / "output")

    caplog.set_level(logging.WARNING)
    assert run("build", str(built)).exit_code == 0
    assert [w for w in _warnings(caplog) if poster.name in w] == _warnings(caplog) != []
    assert (built / "output/p/poster.jpg").read_bytes() == poster.read_bytes() and intact(poster)


def test_an_entry_that_differs_from_its_recorded_sha256_is_a_miss(built, caplog) -> None:
    track = next((built / ".vidsite/cache/audio").glob("*.m4a"))
    data = bytearray(track.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, same boxes: only the checksum can tell
    track.write_bytes(bytes(data))
    shutil.rmtree(built / "output")

    caplog.set_level(logging.WARNING)
    assert run("build", str(built)).exit_code == 0
    assert [w for w in _warnings(caplog) if "sha256" in w and track.name in w]
    assert intact(track)


def test_structure_check_of_entries_without_a_sidecar(tmp_path: Path, built) -> None:
    segment = next((built / ".vidsite/cache/segments").glob("*.mp4"))
    copy = tmp_path / "copy.mp4"
    shutil.copy(segment, copy)
    assert intact(copy)  # no sidecar: the boxes tile the file
    for keep in (0.99, 0.5, 0.01):
        shutil.copy(segment, copy)
        _truncate(copy, keep)
        assert not intact(copy)
    copy.write_bytes(b"")
    assert not intact(copy)
    seal(copy)
    assert not intact(copy)  # empty is never an entry
    assert not intact(tmp_path / "missing.mp4")


def test_prune_removes_checksums_with_their_entries(built) -> None:
    page = built / "content/p.md"
    page.write_text(page.read_text().replace("The second scene.", "The second scene, said again."))
    assert run("build", str(built)).exit_code == 0
    assert run("cache", "prune", str(built)).exit_code == 0
    cache = built / ".vidsite/cache"
    sums = list(cache.glob("segments/*.sha256")) + list(cache.glob("audio/*.sha256"))
    # 2 segments + the track's 2 takes (a scene's narration each), no orphans
    assert len(sums) == 4 and all(s.with_suffix("").is_file() for s in sums)
