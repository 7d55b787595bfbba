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


def test_editing_one_scenes_narration_speaks_and_encodes_that_scene_only(site_factory) -> None:
    site = site_factory({"content/p.md": TEN})
    assert run("build", str(site)).exit_code == 0
    cold = _stats(site)
    assert cold["segments_encoded"] == 10 and cold["frames_encoded"] <= 1.2 * cold["distinct_frames"]
    assert cold["takes_encoded"] == 10  # a take of the audio track per scene
    before = manifest(site, "p")["scenes"]
    page = site / "content/p.md"
    longer = "Part 4 has alpha, and after a long and thoughtful pause, beta."
    page.write_text(page.read_text().replace("Part 4 has alpha and beta.", longer))
    assert run("build", str(site)).exit_code == 0
    edit = _stats(site)
    assert edit["clips_synthesised"] == 1
    # the edited scene is longer and reveals later, and the scenes after it start later; no picture
    # changed, so none is encoded: the join shows them at their new times. Of the audio, the one take
    # with the new sentence is encoded; the takes after it moved, unchanged.
    after = manifest(site, "p")["scenes"]
    assert after[4]["narration"] == longer and after[4]["reveals"][-1] > before[4]["reveals"][-1]
    assert after[5]["start"] > before[5]["start"]
    assert edit["segments_encoded"] == 0 and edit["segments_reused"] == 10
    assert edit["takes_encoded"] == 1 and edit["takes_reused"] == 9
    d = decode(site / "output/p/video.mp4")
    assert abs(d.video_end - d.audio_end) <= 1 / 30
    assert abs(d.frame_at(after[4]["reveals"][-1] - 1 / 30).astype(int)
               - d.frame_at(after[4]["reveals"][-1]).astype(int)).mean() > 0.2, "the last item shows at its new time"


def test_a_page_edited_and_rebuilt_is_byte_identical_to_the_same_page_built_cold(tmp_path: Path) -> None:
    """Reusing pictures at new times and audio takes at new places gives the very bytes of a cold build."""
    from conftest import make_site

    edited = make_site(tmp_path / "edited", {"content/p.md": TEN})
    assert run("build", str(edited)).exit_code == 0
    page = edited / "content/p.md"
    text = page.read_text().replace("Part 2 has alpha and beta.", "Part 2 has alpha, then a short pause, and beta.")
    page.write_text(text)
    assert run("build", str(edited)).exit_code == 0
    assert _stats(edited)["segments_encoded"] == 0
    cold = make_site(tmp_path / "cold", {"content/p.md": text})
    assert run("build", str(cold)).exit_code == 0
    for name in ("video.mp4", "captions.en.vtt", "storyboard.jpg", "manifest.json"):
        assert (edited / "output/p" / name).read_bytes() == (cold / "output/p" / name).read_bytes(), name


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


def test_a_cold_build_draws_each_scene_once_as_its_pictures_are_known_before_it_is_spoken(tmp_path: Path) -> None:
    """Workers draw a page's pictures while its narration is spoken and timed: every scene's still states
    and whole crossfade are known from the page alone. On the benchmark page two of scene 5's items are
    named within one frame: each still gets a frame of its own, so no picture is drawn in vain."""
    site = tmp_path / "site"
    shutil.copytree(Path(__file__).parent.parent / "bench/site", site)
    (site / "config.toml").write_text('title = "b"\n[tts]\nengine = "espeak"\n[video]\nwidth = 320\nheight = 180\n')
    result = run("build", "--jobs", "2", str(site))
    assert result.exit_code == 0, result.output
    stats, scenes = _stats(site), manifest(site, "narrated-static-sites")["scenes"]
    assert stats["segments_encoded"] == len(scenes) == 10
    assert stats["frames_encoded"] <= stats["distinct_frames"] + 1  # the page's last picture, once more
    for scene in scenes:
        if scene["type"] == "list":
            reveals = scene["reveals"]
            assert len(reveals) == len(scene["fields"]["items"]) and reveals == sorted(set(reveals)), scene
