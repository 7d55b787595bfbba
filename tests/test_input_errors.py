"""Every decode or config problem is a `path:line` message; a failing scene is named by page, scene and line."""

from __future__ import annotations

import logging

import pytest

from conftest import manifest, run

PAGE = "```scene title\ntitle: Hello\nnarration: Hi.\n```\n"
CONFIG = 'title = "t"\n[video]\nwidth = 320\nheight = 180\n[tts]\nengine = "espeak"\n'


def test_a_byte_order_mark_keeps_the_section_title(site_factory) -> None:
    site = site_factory({"content/guide/a.md": PAGE})
    (site / "content/guide/_index.md").write_bytes("\ufeff---\ntitle: The Guide\n---\n".encode())
    (site / "content/guide/b.md").write_bytes(("\ufeff---\ntitle: Bee\n---\n" + PAGE).encode())
    (site / "config.toml").write_bytes(("\ufeff" + CONFIG).encode())
    (site / "pronunciations.toml").write_bytes('\ufeffnginx = "engine x"\n'.encode())
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    assert "The Guide" in (site / "output/index.html").read_text()
    assert manifest(site, "guide/b")["title"] == "Bee"


@pytest.mark.parametrize("name, data, line", [
    ("content/guide/_index.md", b"---\ntitle: Caf\xe9\n---\n", 2),
    ("content/p.md", b"# Title\n\nSome text.\n\nna\xefve\n", 5),
    ("config.toml", b'title = "t"\n[video]\nwidth = 320\nheight = 180\n# \xff\n', 5),
    ("pronunciations.toml", b'x = "caf\xe9"\n', 1),
    ("layouts/theme.toml", b'\n\nbackground = "#\xe9"\n', 3),
])
def test_non_utf8_files_name_their_line(site_factory, name, data, line) -> None:
    site = site_factory({"content/guide/a.md": PAGE}, CONFIG)
    (site / name).parent.mkdir(parents=True, exist_ok=True)
    (site / name).write_bytes(data)
    result = run("build", str(site))
    assert result.exit_code == 1
    assert f"{name}:{line}: not UTF-8 text" in result.output and "save the file as UTF-8" in result.output
    assert "Traceback" not in result.output and not (site / "output").exists()


@pytest.mark.parametrize("key, value", [("width", 1921), ("height", 181)])
def test_odd_frame_sizes_are_config_errors_with_line_and_key(site_factory, key, value) -> None:
    config = f'title = "t"\n\n[video]\nfps = 30\n{key} = {value}\n'
    site = site_factory({"content/p.md": PAGE}, config)
    result = run("build", str(site))
    assert result.exit_code == 1
    assert f"config.toml:5: video.{key}: must be even" in result.output
    assert "AssertionError" not in result.output and "Traceback" not in result.output


VUE = """# Vue page

Some text.

```vue-html

<template>

  <div>{{ message }}</div>

</template>

```

```weird-lang
\tindented with a tab

```
"""


def test_code_with_an_unknown_language_and_blank_lines_builds(site_factory) -> None:
    site = site_factory({"content/p.md": VUE}, CONFIG)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failing_scene_is_named_by_page_scene_and_line(site_factory, monkeypatch, caplog, jobs) -> None:
    from dataclasses import replace

    from vidsite.scenes import registry

    def broken(c, f, state):
        raise IndexError("list index out of range")

    # workers are forked: they inherit it
    monkeypatch.setitem(registry._TYPES, "code", replace(registry._TYPES["code"], draw=broken))
    page = "# T\n\nText here.\n\n```python\nprint(1)\n```\n"
    site = site_factory({"content/docs/p.md": page}, CONFIG.replace("[video]", "[video]\ntransition = 0"))
    with caplog.at_level(logging.DEBUG, logger="vidsite"):
        result = run("build", "-j", jobs, "-v", str(site))
    assert result.exit_code == 1
    assert "content/docs/p.md:5: scene 2 (code): drawing or encoding failed: IndexError" in result.output
    assert "Traceback" not in result.output
    assert "in broken" in caplog.text  # -v logs the worker's traceback


@pytest.mark.parametrize("text, line, key", [
    ('title = "t"\n\n[video]   # frame size\nwidth = 1921\n', 4, "video.width"),
    ('title = "t"\nvideo.width = 1921\n', 2, "video.width"),
    ('title = "t"\n"video" . "height" = 181\n', 2, "video.height"),
    ('title = "t"\nvideo = { fps = 30, width = 1921 }\n', 2, "video.width"),
    ('title = "t"\n[tts]\nrate = 1\n[video]\nfps = 0\n', 5, "video.fps"),
    ('title = "t"\n[languages.en]\n[languages.ENGLISH]\n', 3, "languages.ENGLISH"),
    ('title = "t"\ndefault_language = "fr"\n[languages.en]\n', 2, "default_language"),
])
def test_every_config_problem_names_line_and_key(tmp_path, text, line, key) -> None:
    from vidsite.config import load_config
    from vidsite.errors import ConfigError

    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert f"config.toml:{line}: {key}" in str(err.value)


@pytest.mark.parametrize("text, line", [('a = "x"\n\nb = 3\n', 3), ('a = "x"\nb = \n', 2), ('a = "x"\n[b]\nc = "y"\n', 2)])
def test_pronunciation_problems_name_their_line(tmp_path, text, line) -> None:
    from vidsite.config import load_pronunciations
    from vidsite.errors import ConfigError

    (tmp_path / "pronunciations.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_pronunciations(tmp_path)
    assert f"pronunciations.toml:{line}: " in str(err.value)


@pytest.mark.parametrize("text, line, key", [
    ('margin = 100\nbackground = "blue"\n', 2, "background"),
    ('[accents]\nblue = "#000000"\n\nfont_sizes = 3\n', 4, "accents.font_sizes"),
    ('margin = 100\nmuted = \n', 2, "not valid TOML"),
])
def test_theme_problems_name_their_line(tmp_path, text, line, key) -> None:
    from vidsite.errors import ConfigError
    from vidsite.render.theme import load_theme

    (tmp_path / "theme.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_theme("default", tmp_path)
    assert f"theme.toml:{line}: {key}" in str(err.value)
