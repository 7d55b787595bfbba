"""Redo only what changed: segment cache, no-op builds, parallel builds that match, encoders, quality."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES, decode, manifest, run

TEN = "\n".join(
    f"```scene list\nheader: Part {i}\nitems: [Alpha {i}, Beta {i}]\nnarration: Part {i} has alpha and beta.\n```\n"
    for i in range(10)
)


def _stats(site: Path) -> dict:
    return json.loads((site / "output/build.json").read_text())


def test_editing_one_scene_redoes_one_clip_and_one_segment(site_factory) -> None:
    site = site_factory({"content/p.md": TEN})
    assert run("build", str(site)).exit_code == 0
    cold = _stats(site)
    assert cold["segments_encoded"] == 10 and cold["frames_encoded"] <= 1.2 * cold["distinct_frames"]
    page = site / "content/p.md"
    longer = "Part 4 has alpha, and after a long and thoughtful pause, beta."
    page.write_text(page.read_text().replace("Part 4 has alpha and beta.", longer))
    assert run("build", str(site)).exit_code == 0
    edit = _stats(site)
    assert edit["clips_synthesised"] == 1
    # the edited scene is longer and reveals later; its neighbour's crossfade shows the edited scene's first
    # picture, which did not change, so it is reused
    assert edit["segments_encoded"] == 1 and edit["segments_reused"] == 9
    assert manifest(site, "p")["scenes"][4]["narration"] == longer
    # a wording change: the scene's segment is re-encoded exactly when its timing (frames, reveals) changed
    before = manifest(site, "p")["scenes"][7]
    page.write_text(page.read_text().replace("Part 7 has alpha and beta.", "Part 7 had alpha and beta."))
    assert run("build", str(site)).exit_code == 0
    after = manifest(site, "p")["scenes"][7]
    timing = lambda s: (s["start_frame"], s["end_frame"], s["reveals"], s["transition_frames"])  # noqa: E731
    same = _stats(site)
    assert same["clips_synthesised"] == 1
    assert same["segments_encoded"] == (0 if timing(before) == timing(after) else 1)
    d = decode(site / "output/p/video.mp4")
    assert abs(d.video_end - d.audio_end) <= 1 / 30


def test_jobs_2_is_byte_identical_to_jobs_1(tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        site = tmp_path / f"j{jobs}"
        shutil.copytree(FIXTURES / "all-scenes", site)
        result = run("build", "--jobs", jobs, str(site))
        assert result.exit_code == 0, result.output
        assert ("1 job;" if jobs == "1" else f"{jobs} jobs") in result.output
        outputs.append(site / "output/every-type")
    for name in ("video.mp4", "captions.en.vtt", "poster.jpg"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    a, b = (json.loads((o / "manifest.json").read_text()) for o in outputs)
    assert a == b


def test_nvenc_demanded_without_a_gpu_is_a_clear_error(site_factory) -> None:
    from vidsite.encode.encoders import probe_nvenc

    site = site_factory({"content/p.md": "```scene title\ntitle: T\nnarration: Hi.\n```\n"})
    result = run("build", "--encoder", "nvenc", str(site))
    if probe_nvenc() is None:  # a GPU machine: nvenc runs and the manifest says so
        assert result.exit_code == 0 and manifest(site, "p")["encoder"]["name"] == "nvenc"
    else:
        assert result.exit_code == 1 and "h264_nvenc is not usable here" in result.output
        assert "Traceback" not in result.output
    auto = run("build", str(site))
    assert auto.exit_code == 0 and "encoder " in auto.output
    assert manifest(site, "p")["encoder"]["name"] in ("x264", "nvenc") and manifest(site, "p")["encoder"]["reason"]


def test_draft_quality_is_smaller_and_faster(site_factory) -> None:
    site = site_factory({"content/p.md": "```scene title\ntitle: T\nnarration: Hi there.\n```\n"},
                        config='title = "x"\n[video]\nwidth = 640\nheight = 360\n')
    assert run("build", "--quality", "draft", str(site)).exit_code == 0
    d = decode(site / "output/p/video.mp4")
    assert (d.width, d.height) == (320, 180) and manifest(site, "p")["quality"] == "draft"
    assert run("build", str(site)).exit_code == 0
    assert decode(site / "output/p/video.mp4").width == 640


def test_build_statistics_are_recorded(site_factory) -> None:
    site = site_factory({"content/p.md": "```scene title\ntitle: T\nnarration: Hi.\n```\n"})
    result = run("build", str(site))
    stats = _stats(site)
    for key in ("pages", "scenes", "clips_synthesised", "clips_cached", "segments_encoded", "segments_reused",
                "frames_encoded", "video_seconds", "stages", "wall"):
        assert key in stats, key
    assert stats["pages"] == 1 and stats["video_seconds"] > 0 and "render+encode" in stats["stages"]
    assert stats["wall"] >= sum(stats["stages"].values()) * 0.5 > 0
    assert "segments encoded" in result.output
