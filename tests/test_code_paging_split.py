"""Code pages only when it must, into balanced parts, and what a slide is given it draws whole
(issues 17/19 regressions found on fastapi's and the Rust book's pages)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from vidsite.models import Scene
from vidsite.render.slides import draw_slide, shown
from vidsite.render.theme import Theme, load_theme
from vidsite.scenes.code import code_lines, expand, split_code

# fastapi docs_src/query_params/tutorial004_py310.py, as query-params.md shows it under "Python 3.10+"
QUERY = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}/items/{item_id}")
async def read_user_item(
    user_id: int, item_id: str, q: str | None = None, short: bool = False
):
    item = {"item_id": item_id, "owner_id": user_id}
    if q:
        item.update({"q": q})
    if not short:
        item.update(
            {"description": "This is an amazing item that has a long description"}
        )
    return item
'''
# the start of the openapi.json first-steps.md shows
OPENAPI = '''{
    "openapi": "3.1.0",
    "info": {
        "title": "FastAPI",
        "version": "0.1.0"
    },
    "paths": {
        "/items/": {
            "get": {
                "responses": {
                    "200": {
                        "description": "Successful Response",
                        "content": {
                            "application/json": {



...
'''
# query-params.md "Required query parameters": a nine-line file under a caption of two lines
REQUIRED = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_user_item(item_id: str, needy: str):
    item = {"item_id": item_id, "needy": needy}
    return item
'''
LONG_CAPTION = "But when you want to make a query parameter required, you can just not declare any default value:"


@lru_cache(maxsize=1)
def _theme() -> Theme:
    return load_theme("default", None)


def test_a_block_that_fits_once_two_blank_lines_read_as_one_is_not_split() -> None:
    fields = {"header": "Multiple path and query parameters", "code": QUERY, "language": "python",
              "caption": "They will be detected by name:", "tab": "Python 3.10+", "highlight": [6, 8]}
    pages = split_code(fields)
    assert len(pages.fields) == 1 and not pages.problems
    code = pages.fields[0]["code"]
    assert [line for line in code_lines(code) if line.strip()] == [line for line in code_lines(QUERY) if line.strip()]
    assert "\n\n\n" not in code
    lines = code_lines(code)  # the highlighted lines follow their lines
    assert [lines[h - 1] for h in pages.fields[0]["highlight"]] == [code_lines(QUERY)[5], code_lines(QUERY)[7]]


def test_a_json_block_that_fits_a_slide_is_one_slide() -> None:
    fields = {"header": "Check the openapi.json", "code": OPENAPI, "language": "json",
              "caption": "It will show a JSON starting with something like:"}
    assert len(split_code(fields).fields) == 1


def test_a_block_that_needs_two_slides_is_cut_into_near_halves() -> None:
    lines = ["import os", "import sys", ""] + [f"    value_{i} = compute({i})" for i in range(15)]
    pages = split_code({"header": "Setup", "code": "\n".join(lines), "language": "python", "caption": ""})
    sizes = [len(code_lines(f["code"])) for f in pages.fields]
    assert len(sizes) == 2 and min(sizes) >= 6, sizes  # not 2 lines then 15 for the blank line after the imports
    assert [ln for f in pages.fields for ln in code_lines(f["code"]) if ln] == [ln for ln in lines if ln]


@pytest.mark.parametrize("caption", ["", "Short.", LONG_CAPTION, LONG_CAPTION + " " + LONG_CAPTION])
@pytest.mark.parametrize("count", [3, 9, 14, 17, 22])
def test_every_slide_draws_all_the_code_it_was_given(caption: str, count: int) -> None:
    code = REQUIRED if count == 9 else "\n".join(f"line_{i} = call({i})" for i in range(count))
    scene = Scene("code", {"header": "Required query parameters", "code": code, "language": "python",
                           "caption": caption, "highlight": [1, 2]}, 7)
    for slide in expand(scene):
        canvas = draw_slide("code", slide.fields, {}, _theme(), "#3b82f6", 1920, 1080)
        seen = shown("code", slide.fields, canvas.drawn)
        assert seen.get("code", "").split() == slide.fields["code"].split(), (count, caption[:20])
        assert not any("more line" in text for text in canvas.drawn)


def test_a_wide_character_takes_two_cells_in_a_code_panel() -> None:
    box = ["╭──────────╮", "│  🐍 a.py │", "│  日本 xy │", "│  plain   │", "╰──────────╯"]  # 12 cells each
    canvas = draw_slide("command", {"header": "Console", "commands": ["\n".join(box)]}, {}, _theme(), "#3b82f6",
                        1920, 1080)
    panel = np.asarray(canvas.img.convert("L")).astype(int)[300:1030, 150:1800]
    background = np.median(panel[:, -20:])
    ink = np.abs(panel - background) > 60
    rights = [int(np.where(row)[0].max()) for row in ink if row.any()][10:-10]  # not the rounded corners
    assert len(rights) > 100
    assert max(rights) - min(rights) <= 2, (min(rights), max(rights))  # the right border in one column
