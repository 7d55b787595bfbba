"""The table scene: drawn as a table (tinted header row, aligned columns, zebra rows, cells that
wrap), revealed row by row, narrated row by row, and cut into several scenes when its rows do
not fit at a legible size, decided on the 1080p design grid."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import ESPEAK, decode, manifest, run
from golden import GOLDEN, render_extra
from PIL import Image

from vidsite.render.slides import render
from vidsite.render.theme import load_theme
from vidsite.scenes import get
from vidsite.scenes.canvas import Canvas
from vidsite.scenes.code import mix
from vidsite.scenes.table import LEGIBLE, Measure, _heading, layout, split_rows

THEME = load_theme("default", None)
TABLE = get("table")
OPTIONS = {"header": "Server options", "columns": ["Option", "Default", "Meaning"], "align": ["left", "center", "right"],
           "rows": [["`--port`", "8000", "The port to listen on"],
                    ["`--host`", "127.0.0.1", "The address to bind; `0.0.0.0` listens on every interface"],
                    ["`--watch`", "off", "Rebuild what changed and reload the browser"]]}


def _fields(data: dict) -> dict:
    return TABLE.fields.model_validate(data).model_dump()


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])


def _long(n: int) -> dict:
    words = ["the", "port", "to", "listen", "on", "every", "interface", "when", "the", "server", "starts", "in", "a", "container"]
    return {"header": "Variables", "caption": "What the server reads",
            "columns": ["Variable", "Meaning"],
            "rows": [[f"`VAR_{i}`", " ".join(words[: 3 + (i * 7) % 12])] for i in range(n)]}


def test_fields_pad_short_rows_and_name_a_row_too_long() -> None:
    f = _fields({"columns": ["a", "b", "c"], "align": ["right"], "rows": [["1"], [2, None, True]]})
    assert f["rows"] == [["1", "", ""], ["2", "", "True"]] and f["align"] == ["right", "left", "left"]
    with pytest.raises(ValueError, match="row 2 has 3 cells, but the table has 2 columns"):
        _fields({"columns": ["a", "b"], "rows": [["1"], ["1", "2", "3"]]})
    with pytest.raises(ValueError, match="align"):
        _fields({"columns": ["a"], "align": ["middle"], "rows": [["1"]]})


def test_a_bad_table_is_an_error_naming_page_and_line(site_factory) -> None:
    site = site_factory({"content/p.md": "---\ntitle: P\n---\n\nIntro.\n\n```scene table\ncolumns: [a, b]\n"
                                         "rows: [[1, 2, 3]]\n```\n"})
    result = run("build", str(site))
    assert result.exit_code != 0 and "p.md:7" in result.output and "row 1 has 3 cells" in result.output


def test_narration_reads_the_caption_then_each_row_as_a_sentence() -> None:
    said = TABLE.narrate(_fields({**OPTIONS, "caption": "Flags of `vidsite serve`"}))
    assert said.startswith("Flags of vidsite serve. --port: 8000, The port to listen on.")
    assert "--watch: off, Rebuild what changed and reload the browser." in said
    assert "**" not in said and "`" not in said
    later = TABLE.narrate(_fields({**OPTIONS, "caption": "Flags", "part": 2, "parts": 2}))
    assert not later.startswith("Flags") and "--port: 8000" in later
    assert "--host" not in TABLE.narrate(_fields({**OPTIONS, "spoken_rows": 1}))


def test_rows_are_revealed_one_by_one_as_spoken() -> None:
    f = _fields(OPTIONS)
    assert TABLE.reveal_items(f)[0] == "--port 8000 The port to listen on"
    frames = [np.asarray(render("table", f, {"reveal": k}, THEME, "blue", 960, 540), dtype=int) for k in (0, 1, 3)]
    assert (np.abs(frames[0] - frames[1]) > 40).any() and (np.abs(frames[1] - frames[2]) > 40).any()
    header = slice(0, 200)
    assert np.array_equal(frames[0][header], frames[2][header]), "the table does not move as rows appear"


def test_drawn_as_a_table_tinted_header_zebra_rows_and_aligned_columns() -> None:
    f = _fields(OPTIONS)
    c = Canvas(1920, 1080, THEME, "blue")
    TABLE.draw(c, f, {})
    img = np.asarray(c.img, dtype=int)
    top = _heading(Canvas(1920, 1080, THEME, "blue"), f)
    lay = layout(Measure(c), f, top)
    assert lay.size >= LEGIBLE and lay.fits
    ys = np.cumsum([top, *lay.heights])
    left = c.m + 6  # inside the rounded corners
    assert np.abs(img[round(ys[0]) + 6, left] - _rgb(mix(THEME.background, THEME.accent("blue"), 0.3))).max() < 4
    assert np.abs(img[round(ys[2]) + 6, left] - _rgb(THEME.surface)).max() < 4, "second body row on the zebra tint"
    assert np.abs(img[round(ys[1]) + 6, left] - _rgb(THEME.background)).max() < 4
    bg = _rgb(THEME.surface)  # row 2: right-aligned last column ends at its right padding
    band = img[round(ys[2]) + 4: round(ys[3]) - 4]
    ink = np.flatnonzero((np.abs(band - bg).max(axis=2) > 80).any(axis=0))
    right_edge = c.m + sum(lay.widths) - lay.pad[0]
    assert abs(ink[-1] - right_edge) < 6
    for row in OPTIONS["rows"]:  # every cell shown at a legible size, markup drawn as styles
        assert row[2].replace("`", "") in " ".join(c.drawn)


def test_a_long_table_pages_into_scenes_that_fit_at_a_legible_size() -> None:
    data = _long(60)
    parts = split_rows(data)
    assert len(parts) >= 3
    assert [r for p in parts for r in p["rows"]] == data["rows"], "every row, in order, once"
    assert [(p["part"], p["parts"]) for p in parts] == [(i + 1, len(parts)) for i in range(len(parts))]
    assert parts[0]["caption"] == data["caption"] and all(p["caption"] == "" for p in parts[1:])
    assert max(len(p["rows"]) for p in parts) - min(len(p["rows"]) for p in parts) <= 1, "rows shared evenly"
    d = Canvas(1920, 1080, THEME, "blue")
    for p in parts:
        f = _fields(p)
        lay = layout(Measure(d), f, _heading(Canvas(1920, 1080, THEME, "blue"), f))
        assert lay.fits and lay.size >= LEGIBLE
        for size in ((1920, 1080), (320, 180)):  # each part shows all its rows whatever the output size
            c = Canvas(*size, THEME, "blue")
            TABLE.draw(c, f, {})
            if size == (1920, 1080):
                shown = " ".join(c.drawn)
                assert all(row[1] in shown for row in p["rows"]), "every cell drawn at ≥ 28 px"
    assert split_rows(OPTIONS) == [OPTIONS], "a table that fits stays one scene"


def test_paging_does_not_depend_on_the_frame_size_and_the_registry_stays_free_of_pillow() -> None:
    code = ("import sys, vidsite.scenes, vidsite.scenes.table; "
            "print(sorted(m for m in ('av', 'numpy', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert "size" not in split_rows.__code__.co_varnames[: split_rows.__code__.co_argcount]


def test_table_golden_frame() -> None:
    """Regenerate with `python tests/golden.py` after an intended visual change (and look at it)."""
    image = render_extra()["table"]
    golden = Image.open(GOLDEN / "table.png").convert("RGB")
    d = np.abs(np.asarray(image, dtype=int) - np.asarray(golden, dtype=int))
    assert d.mean() < 1.0 and (d.max(axis=2) > 48).mean() < 0.005


def test_a_table_scene_builds_with_a_reveal_per_row(site_factory) -> None:
    site = site_factory({"content/t.md": """
        ```scene table
        header: Options
        columns: [Option, Default]
        rows: [["`--port`", "8000"], ["`--host`", "localhost"], ["`--watch`", "off"]]
        narration: The port is 8000. The host is localhost. Watch is off.
        ```
    """}, config=ESPEAK)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    m = manifest(site, "t")
    scene = m["scenes"][0]
    assert scene["type"] == "table" and len(scene["reveals"]) == 3
    assert scene["reveals"] == sorted(scene["reveals"]) and scene["reveals"][0] > scene["start"]
    d = decode(site / "output/t/video.mp4")
    last = d.frame_at(scene["end"] - 0.1).astype(int)
    first = d.frame_at(scene["start"] + 0.05).astype(int)
    assert np.abs(last - first).mean() > 0.5, "rows appeared during the scene"
