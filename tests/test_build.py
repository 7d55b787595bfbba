"""End to end: build sites, decode what was written, check it against the manifest."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np

from conftest import BENCH_SITE, decode, manifest, run
from vidsite.config import TTSConfig
from vidsite.speech.cache import ClipCache
from vidsite.speech.speak import Speaker, units


def _onset(audio: np.ndarray, rate: int, after: float, threshold: float = 0.02) -> float:
    i = int(after * rate)
    loud = np.nonzero(np.abs(audio[i:]) > threshold)[0]
    return (i + loud[0]) / rate


def _lead(clip_wav: Path, threshold: float = 0.02) -> float:
    import wave

    with wave.open(str(clip_wav)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16) / 32768.0
        return np.nonzero(np.abs(pcm) > threshold)[0][0] / w.getframerate()


def test_bench_site_at_1080p_is_in_sync(tmp_path: Path) -> None:
    """The benchmark page at the real defaults: tracks equal, rate as declared, slides on narration."""
    site = tmp_path / "bench"
    shutil.copytree(BENCH_SITE, site)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    m = manifest(site, "narrated-static-sites")
    d = decode(site / "output/narrated-static-sites/video.mp4")
    fps = 30
    assert (d.width, d.height, d.codec, d.pix_fmt) == (1920, 1080, "h264", "yuv420p")
    assert d.rate == fps, f"declared {d.rate} fps"
    assert all(abs(t * fps - round(t * fps)) < 1e-3 for t in d.frame_times), "a frame off the 30 fps grid"
    assert abs(d.video_end - m["duration"]) < 1e-3
    assert abs(d.video_end - d.audio_end) <= 1 / fps, (d.video_end, d.audio_end)
    assert len(m["scenes"]) == 10

    speaker = Speaker(TTSConfig(), ClipCache(site / ".vidsite/cache"))
    for k, scene in enumerate(m["scenes"]):
        start = scene["start"]
        # the slide changes exactly at the scene start: a frame begins there and differs from the last one
        i = min(range(len(d.frame_times)), key=lambda j: abs(d.frame_times[j] - start))
        assert abs(d.frame_times[i] - start) < 1e-3, f"scene {k}: no frame at {start}"
        if k:
            # slide k is complete at its start; before that, the previous scene's fade ran in silence
            fade = m["scenes"][k - 1]["transition_frames"]
            before = d.frame_at(start - (fade + 1) / fps)
            settled = np.abs(d.frames[i].astype(int) - before.astype(int)).mean()
            assert settled > 2, f"scene {k}: slide did not change by {start}"
            if fade:
                last_fade = np.abs(d.frames[i].astype(int) - d.frames[i - 1].astype(int)).mean()
                assert 0 < last_fade < settled, f"scene {k}: the fade does not lead into the slide"
                window = d.audio[int((start - fade / fps) * d.audio_rate) : int(start * d.audio_rate)]
                assert np.abs(window).max() < 0.02, f"scene {k}: slides moved while narration played"
        # narration k starts with slide k, on the AAC frame at or after it: decoded onset = that + the
        # clip's own lead-in
        assert 0 <= scene["narration_start"] - start < 1024 / d.audio_rate, f"scene {k}: narration not with its slide"
        first_sentence = next(u for u in units(scene["narration"]) if isinstance(u, str))
        clip = speaker.clip(first_sentence, scene["voice"])
        expected = scene["narration_start"] + _lead(clip.wav)
        assert abs(_onset(d.audio, d.audio_rate, start) - expected) <= 1 / fps, f"scene {k} narration drifted"
    assert speaker.synthesised == 0, "the build cached every sentence"


def test_second_build_does_nothing(site_factory) -> None:
    site = site_factory({"content/a.md": """
        ```scene title
        title: Hello
        narration: Hello there.
        ```
    """})
    first = run("build", str(site))
    assert "1 clips synthesised" in first.output
    before = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    second = run("build", str(site))
    assert second.exit_code == 0
    assert "nothing to do" in second.output
    after = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    assert before == after, "a no-op build rewrote files"


PAGE = """
---
title: Colours
accent: green
---

```scene title
title: Green page
narration: This page is green.
```

```scene list
header: Things
items: [Apples, Pears]
narration: Two things. Apples first, then pears.
```
"""


def test_small_site_outputs(site_factory) -> None:
    site = site_factory({"content/fruit/colours.md": PAGE, "content/fruit/_index.md": "---\ntitle: Fruit\n---\n"})
    assert run("build", str(site)).exit_code == 0
    out = site / "output"
    m = manifest(site, "fruit/colours")
    d = decode(out / "fruit/colours/video.mp4")
    assert (d.width, d.height) == (320, 180)
    # accent bar: left edge in the page's accent (green #10B981), through yuv420p and x264
    r, g, b = d.frames[0][90, 1]
    assert abs(int(r) - 0x10) < 20 and abs(int(g) - 0xB9) < 20 and abs(int(b) - 0x81) < 20, (r, g, b)
    assert abs(d.video_end - d.audio_end) <= 1 / 30

    # captions: WebVTT, cues inside the video, the first cue of each scene starts at its first word as heard
    vtt = (out / "fruit/colours/captions.en.vtt").read_text()
    assert vtt.startswith("WEBVTT")
    times = [(_t(a), _t(b)) for a, b in re.findall(r"(\S+) --> (\S+)", vtt)]
    assert times and all(a < b <= m["duration"] + 1e-3 for a, b in times)
    assert all(times[i][1] <= times[i + 1][0] + 1e-3 for i in range(len(times) - 1))
    speaker = Speaker(TTSConfig(), ClipCache(site / ".vidsite/cache"))
    for scene in m["scenes"]:
        clip = speaker.clip(units(scene["narration"])[0], scene["voice"])
        want = scene["narration_start"] + clip.words[0].start
        assert any(abs(a - want) < 0.002 for a, _ in times), f"no cue at {want}"

    html = (out / "fruit/colours/index.html").read_text()
    assert '<track kind="captions" src="captions.en.vtt"' in html and "Apples first, then pears." in html
    assert "<h2>Chapters</h2>" in html and 'srclang="en"' in html
    index = (out / "index.html").read_text()
    assert 'href="fruit/colours/index.html"' in index and "fruit/colours/poster.jpg" in index and "Fruit" in index
    # manifests list real sizes and hashes
    site_m = json.loads((out / "manifest.json").read_text())
    for rel, entry in site_m["files"].items():
        data = (out / rel).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest()), rel
        assert entry["cache_control"].startswith("public, max-age=")
    assert m["scenes"][0]["engine"] == "espeak" and m["encoder"]["name"] in ("x264", "nvenc")


def _t(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_reveal_follows_first_spoken_word(site_factory) -> None:
    site = site_factory({"content/r.md": """
        ```scene list
        header: Steps
        items: [Install the tool, Write a page, Build the site]
        narration: First, install the tool. Then write a page. Finally, build the site.
        ```
    """})
    assert run("build", str(site)).exit_code == 0
    m = manifest(site, "r")
    d = decode(site / "output/r/video.mp4")
    reveals = m["scenes"][0]["reveals"]
    assert len(reveals) == 3
    speaker = Speaker(TTSConfig(), ClipCache(site / ".vidsite/cache"))
    vo = speaker.speak(m["scenes"][0]["narration"], None, "en")
    for word, at in zip(("install", "write", "build"), reveals):
        spoken = next(w.start for w in vo.words if w.text.lower() == word)
        assert abs(at - spoken) <= 1 / 30, (word, at, spoken)
        i = d.frame_times.index(min(d.frame_times, key=lambda t: abs(t - at)))
        assert abs(d.frame_times[i] - at) < 1e-3, "no new frame where the item appears"
        assert np.abs(d.frames[i].astype(int) - d.frames[i - 1].astype(int)).mean() > 0.1


def test_removed_page_leaves_the_site(site_factory) -> None:
    site = site_factory({"content/a.md": "# A\n\nFirst page.\n", "content/b.md": "# B\n\nSecond page.\n"})
    assert run("build", str(site)).exit_code == 0
    (site / "content/b.md").unlink()
    assert run("build", str(site)).exit_code == 0
    assert not (site / "output/b").exists() and (site / "output/a/video.mp4").exists()
    assert "b/" not in (site / "output/index.html").read_text()


def test_static_files_are_copied_as_they_are_but_never_from_outside(site_factory) -> None:
    site = site_factory({"content/p.md": "```scene title\ntitle: T\nnarration: Hi.\n```\n",
                         "content/docs/intro.md": "```scene title\ntitle: I\nnarration: Hi.\n```\n",
                         "static/logo.svg": "<svg/>", "static/docs/guide.pdf": "%PDF-1.4 fake",
                         "static/p/video.mp4": "not the page's video",
                         "static/.secret": "hidden", "static/index.html": "not the site index"})
    (site / "static/leak.txt").symlink_to("/etc/hostname")
    assert run("build", str(site)).exit_code == 0
    out = site / "output"
    assert (out / "logo.svg").read_text() == "<svg/>" and (out / "docs/guide.pdf").exists()
    assert not (out / ".secret").exists() and not (out / "leak.txt").exists()
    assert (out / "p/video.mp4").read_bytes() != b"not the page's video"  # a page's folder wins
    assert "not the site index" not in (out / "index.html").read_text()
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert "logo.svg" in files and "docs/guide.pdf" in files
    assert "nothing to do" in run("build", str(site)).output
    (site / "static/logo.svg").write_text("<svg version='2'/>")
    assert run("build", str(site)).exit_code == 0 and "version='2'" in (out / "logo.svg").read_text()
    (site / "static/docs/guide.pdf").unlink()
    assert run("build", str(site)).exit_code == 0 and not (out / "docs/guide.pdf").exists()
    assert (out / "docs/intro/video.mp4").exists()
