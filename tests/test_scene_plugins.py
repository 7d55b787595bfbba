"""A scene type from a package of its own, through the `vidsite.scenes` entry point; never from a site.

The package is written into tmp_path as an installed distribution looks to importlib.metadata
(a module plus a `.dist-info` folder) and put on PYTHONPATH of a `vidsite` subprocess: no file
of vidsite is touched, and the registry is built the way an author's install builds it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import decode, make_site, manifest

CONFIG = 'title = "Plugins"\n[video]\nwidth = 320\nheight = 180\ntransition = 0\n[tts]\nengine = "espeak"\n'
PAGE = "---\ntitle: Banner\n---\n\n```scene banner\ntext: Hello plugins\ncolour: '#C03080'\n```\n"
BANNER = '''
"""A one-colour banner scene: what a third-party scene type looks like."""

from vidsite.scenes import H, W, SceneFields, SceneType, first_of, sentence


class Banner(SceneFields):
    text: str
    colour: str = "#C03080"


def template(fields):
    return sentence("Banner", fields["text"])


def draw(c, fields, state):
    c.box(0, 0, W, H, fields["colour"], radius=0)
    c.text(fields["text"], c.m, 420, W - 2 * c.m, 240, size=96, font="font_bold", fill="#FFFFFF", align="center")


BANNER = SceneType("banner", Banner, template, draw, first_of("text"), example={"text": "Hello"})
'''


def _package(root: Path, module: str, source: str, entry: str) -> Path:
    """`module` as pip would install it under `root`, with `entry` in its vidsite.scenes entry points."""
    (root / module).mkdir(parents=True)
    (root / module / "__init__.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = root / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[vidsite.scenes]\n{entry}\n", encoding="utf-8")
    return root


def _vidsite(*args: str, plugins: Path | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if plugins is not None:
        env["PYTHONPATH"] = str(plugins)
    return subprocess.run([sys.executable, "-m", "vidsite.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    return _package(tmp_path / "plugins", "vidsite_banner", BANNER, "banner = vidsite_banner:BANNER")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_installed_package_adds_a_scene_type(tmp_path: Path, plugins: Path, jobs: str) -> None:
    site = make_site(tmp_path / "site", {"content/banner.md": PAGE}, CONFIG)
    result = _vidsite("build", "--jobs", jobs, str(site), plugins=plugins, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    scene = manifest(site, "banner")["scenes"][0]
    assert (scene["type"], scene["title"], scene["narration"]) == ("banner", "Hello plugins", "Banner. Hello plugins.")
    video = decode(site / "output/banner/video.mp4")
    frame = video.frame_at(video.video_end / 2).astype(int)
    corner = frame[5:40, 5:60].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - [0xC0, 0x30, 0x80]).max() < 24, corner  # the banner's own colour, drawn by its draw()
    assert _vidsite("check", str(site), plugins=plugins, cwd=tmp_path).returncode == 0


def test_without_the_package_the_type_is_unknown_with_path_and_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/banner.md": PAGE}, CONFIG)
    result = _vidsite("build", str(site), plugins=None, cwd=tmp_path)
    assert result.returncode == 1
    assert "banner.md:5: unknown scene type `banner`" in result.stdout + result.stderr


def test_code_in_the_site_folder_never_runs(tmp_path: Path) -> None:
    """A docs pull request must not run code: neither a `scenes.py` in the site nor a distribution
    placed in the folder vidsite runs from (on sys.path under `python -m`) is loaded."""
    site = make_site(tmp_path / "site", {"content/banner.md": PAGE}, CONFIG)
    marker = tmp_path / "ran"
    evil = BANNER + f"\nopen({str(marker)!r}, 'w').close()\n"
    (site / "scenes.py").write_text(textwrap.dedent(evil), encoding="utf-8")
    _package(site, "vidsite_banner", evil, "banner = vidsite_banner:BANNER")
    result = _vidsite("build", ".", plugins=None, cwd=site)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "banner.md:5: unknown scene type `banner`" in output
    assert "ignoring scene types of package `vidsite_banner`" in output
    assert not marker.exists()


@pytest.mark.parametrize("source, entry, message", [
    ("raise RuntimeError('boom')\n", "broken = vidsite_broken:X", "failed to load: RuntimeError: boom"),
    ("X = 3\n", "broken = vidsite_broken:X", "is a int, not vidsite.scenes.SceneType"),
    (BANNER.replace('"banner", Banner', '"title", Banner'), "broken = vidsite_broken:BANNER",
     "scene type `title` from package `vidsite_broken` is already defined by vidsite"),
])
def test_a_broken_plugin_is_a_clear_error_naming_its_package(tmp_path: Path, source: str, entry: str,
                                                             message: str) -> None:
    plugins = _package(tmp_path / "plugins", "vidsite_broken", source, entry)
    site = make_site(tmp_path / "site", {"content/banner.md": PAGE}, CONFIG)
    result = _vidsite("check", str(site), plugins=plugins, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "package `vidsite_broken`" in output and message in output
    assert "Traceback" not in output
