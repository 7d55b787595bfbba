"""One typed options object for the CLI, the Python API and the dev server; renamed config keys keep working."""

from __future__ import annotations

import logging

import pytest

from conftest import run
from vidsite.api import Site
from vidsite.errors import ConfigError, VidsiteError

PAGE = {"content/p.md": "```scene title\ntitle: Hello\nnarration: Hi.\n```\n"}
ESPEAK = '\n[tts]\nengine = "espeak"\n'


def test_an_unknown_build_option_is_an_error_naming_the_argument(site_factory) -> None:
    from conftest import SMALL

    site = site_factory(PAGE, SMALL + ESPEAK)
    with pytest.raises(VidsiteError) as err:
        Site.load(site).build(hashed=True)
    assert "unknown build option `hashed`" in str(err.value) and "config.toml" not in str(err.value)
    stats = Site.load(site).build(hashed_names=True, jobs=1)
    assert stats.pages_built == 1 and not hasattr(stats, "jobs") and not hasattr(stats, "quality")


def test_renamed_config_keys_warn_and_keep_working(site_factory, monkeypatch, caplog) -> None:
    from conftest import SMALL
    from vidsite import config

    monkeypatch.setitem(config.DEPRECATED, "video.frame_rate", "video.fps")
    monkeypatch.setitem(config.DEPRECATED, "tts.old_knob", None)
    site = site_factory(PAGE, SMALL.replace("fps = 30", "frame_rate = 24") + ESPEAK + "old_knob = 3\n")
    with caplog.at_level(logging.WARNING, logger="vidsite"):
        loaded = config.load_config(site)
    assert loaded.video.fps == 24
    assert "config.toml:6: `video.frame_rate` is now `video.fps`" in caplog.text
    assert "`tts.old_knob` no longer does anything" in caplog.text
    (site / "config.toml").write_text(SMALL.replace("fps = 30", "fps = 30\nframe_rate = 24"))
    with pytest.raises(ConfigError, match="both are set"):
        config.load_config(site)


def test_check_drafts_and_maximum_duration(site_factory) -> None:
    from conftest import SMALL

    long = "word " * 120
    pages = {"content/p.md": "```scene title\ntitle: Hello\nnarration: Hi.\nmax_duration: 1\n```\n",
             "content/d.md": "---\ndraft: true\n---\n```scene title\ntitle: Draft\n```\n",
             "content/l.md": f"```scene title\ntitle: Long\nnarration: {long}\nmax_duration: 3\n```\n"}
    site = site_factory(pages, SMALL.replace("[video]", "[video]\nmin_duration = 0"))
    plain, drafts = run("check", str(site)), run("check", "--drafts", str(site))
    assert "d.md" not in plain.output and "d.md" in drafts.output
    assert "~ 1.0s" in plain.output  # max_duration bounds the pause after short narration, as the timeline does
    assert "~ 3.0s" not in plain.output  # longer narration is never cut
