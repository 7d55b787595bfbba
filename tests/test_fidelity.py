"""Every word of a plain Markdown page reaches the viewer: prose spoken or shown (never cut), tables as
tables, identifiers verbatim on slides, link text but never a URL in the voice, code introduced by
its own paragraph. Measured on the real pages in ../shared with its coverage tool, and on pages
written here to push one rule each."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
from conftest import ESPEAK, make_site, run

from vidsite.content.auto import auto_scenes, clean
from vidsite.content.markdown import parse
from vidsite.models import Scene

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _shared(part: str) -> Path:
    path = SHARED / part
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing")
        pytest.skip(f"{path} is not here")
    return path


def coverage_tool():
    spec = importlib.util.spec_from_file_location("coverage_tool", _shared("tools/coverage.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_faithful(report: dict, where: str) -> None:
    assert report["coverage"] >= 0.95, f"{where}: {report['coverage']:.0%} of the prose reaches the video"
    assert not report["missing_ids"], f"{where}: identifiers not on any slide: {report['missing_ids']}"
    assert not report["missing_tables"], f"{where}: tables not in a table scene: {report['missing_tables']}"
    assert not report["voice_markup"], f"{where}: narration with markup: {report['voice_markup']}"


def test_corpus_pages_reach_the_viewer(tmp_path: Path) -> None:
    """Each page of ../shared/corpus built as a plain page: ≥ 95% of its prose words in narration or
    scene fields, every code-span identifier verbatim on a slide, no markup or URL in the voice."""
    tool = coverage_tool()
    sources = sorted(p for p in _shared("corpus").glob("*.md") if p.name != "SOURCES.md")
    site = make_site(tmp_path / "site", {f"content/{p.name}": p.read_text() for p in sources}, ESPEAK)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    for source in sources:
        manifest = json.loads((site / "output" / source.stem / "manifest.json").read_text())
        assert_faithful(tool.report(source.read_text(), manifest), source.name)


def _scenes(markdown: str, notes: list | None = None, exists=lambda src: False) -> list[Scene]:
    return auto_scenes(parse(markdown), None, exists, (lambda line, msg: notes.append((line, msg))) if notes is not None
                       else None, "en")


def _said(scenes: list[Scene]) -> str:
    return " ".join(s.narration or "" for s in scenes)


def _shown(scenes: list[Scene]) -> str:
    return json.dumps([s.fields for s in scenes], ensure_ascii=False)


def test_a_long_page_becomes_a_longer_video_not_a_shorter_one() -> None:
    """20,000 words in 40 sections: every sentence is spoken and shown, in order, on slides that each
    hold a readable amount; a 5,000-item list keeps every item."""
    sections = []
    for s in range(40):
        paras = [" ".join(f"Section {s} paragraph {p} sentence {k} says word{s}x{p}x{k} plainly." for k in range(10))
                 for p in range(5)]
        sections.append(f"## Part {s}\n\n" + "\n\n".join(paras))
    scenes = _scenes("# Long\n\n" + "\n\n".join(sections))
    said, shown = _said(scenes), _shown(scenes)
    words = re.findall(r"word\d+x\d+x\d+", "\n".join(sections))
    assert len(words) == 2000
    assert re.findall(r"word\d+x\d+x\d+", said) == words  # all of them, in order
    assert all(w in shown for w in words)
    assert all(len(s.fields.get("text", "")) <= 600 for s in scenes)

    items = "\n".join(f"- item number {n}" for n in range(5000))
    listed = _scenes(f"# Many\n\n## All of them\n\n{items}\n")
    shown_items = [i for s in listed if s.type == "list" for i in s.fields["items"]]
    assert shown_items == [f"item number {n}" for n in range(5000)]


def test_tables_are_tables_read_row_by_row() -> None:
    scenes = _scenes("# Options\n\nThe server takes these options:\n\n| Option | Default | Meaning |\n"
                     "|:--|--:|:-:|\n| `--port` | 8000 | the port to listen on |\n| `--host` | 127.0.0.1 | where |\n")
    (table,) = [s for s in scenes if s.type == "table"]
    assert table.fields["columns"] == ["Option", "Default", "Meaning"]
    assert table.fields["align"] == ["left", "right", "center"]
    assert table.fields["rows"] == [["`--port`", "8000", "the port to listen on"], ["`--host`", "127.0.0.1", "where"]]
    from vidsite.narrate.templates import narrate

    said = narrate(table, "en")
    assert said.startswith("The server takes these options:")
    assert "--port: 8000, the port to listen on." in said
    assert "---" not in _said(scenes) and "|" not in _said(scenes)


def test_identifiers_keep_every_character_and_urls_are_never_spoken() -> None:
    scenes = _scenes("# Run\n\nStart `uvicorn main:my_awesome_api` with `NO_COLOR=1` on `/users/{user_id}`, then "
                     "go to http://127.0.0.1:8000/docs and read [the guide](https://example.com/guide) or "
                     "<https://www.uvicorn.org/settings/>. You will see a response.\n")
    shown, said = _shown(scenes), _said(scenes)
    for ident in ("main:my_awesome_api", "NO_COLOR=1", "/users/{user_id}"):
        assert ident in shown
    assert "go to 127.0.0.1 port 8000/docs and read the guide or uvicorn.org/settings. You will see a response." in said
    assert not re.search(r"https?://|www\.|\]\(|`|\*\*", said)


def test_the_paragraph_before_code_is_its_narration_and_code_keeps_its_tags() -> None:
    vue = '<template>\n  <div v-if="type === \'A\'">A &amp; B</div>\n</template>'
    scenes = _scenes(f"# Vue\n\n## Template\n\nThe template shows A only for type A:\n\n```vue\n{vue}\n```\n")
    (code,) = [s for s in scenes if s.type == "code"]
    assert code.fields["code"] == vue  # character for character
    assert code.narration == "Template. The template shows A only for type A:"
    assert not [s for s in scenes if s.type == "markdown"]  # spoken over the code, not a slide of its own
    assert "Here is" not in _said(scenes)


def test_missing_images_are_noted_and_their_alt_text_spoken() -> None:
    notes: list = []
    scenes = _scenes("# Pics\n\nIntro.\n\n![The request flow diagram](flow.png)\n", notes)
    assert "The request flow diagram" in _said(scenes)
    assert notes == [(5, "image `flow.png` not found in the page's folder or static/; its alt text stands in for it")]
    shown = _scenes("# Pics\n\n![A diagram](flow.png)\n", exists=lambda src: True)
    assert [s.fields["src"] for s in shown if s.type == "image"] == ["flow.png"]


def test_nested_lists_definitions_and_footnotes_are_kept() -> None:
    scenes = _scenes("# Terms\n\n- First\n  - nested detail\n- Second\n\nTerm\n: What the term means[^1].\n\n"
                     "[^1]: Where it comes from.\n")
    shown, said = _shown(scenes), _said(scenes)
    for words in ("nested detail", "Term — What the term means", "Where it comes from."):
        assert words in shown
    assert "Where it comes from." in said


def test_spoken_form_of_markup() -> None:
    assert clean("**Bold** and *em* and ~~old~~ and `Box<T>` and <kbd>Ctrl</kbd>") == "Bold and em and old and Box of T and Ctrl"
    assert clean("snake_case_name stays one word") == "snake case name stays one word"


def test_a_page_over_a_limit_fails_naming_the_limit(tmp_path: Path) -> None:
    body = "# Big\n\n" + "\n\n".join(f"## S{n}\n\nText {n}." for n in range(30))
    site = make_site(tmp_path / "s", {"content/big.md": body}, ESPEAK + "[limits]\nscenes = 10\n")
    result = run("check", str(site))
    assert result.exit_code != 0
    assert "big.md:" in result.output and "[limits] scenes = 10" in result.output
    assert "Traceback" not in result.output


def test_a_long_code_block_continues_on_slides_its_introduction_narrates(tmp_path: Path) -> None:
    from vidsite.content.parse import parse_page

    code = "\n".join(f"value_{n} = compute({n})  # line {n}" for n in range(40))
    source = tmp_path / "code.md"
    source.write_text(f"# Code\n\n## Setup\n\nEach value is computed once, like this:\n\n```python\n{code}\n```\n")
    parts = [s for s in parse_page(source, "code.md").scenes if s.type == "code"]
    assert len(parts) >= 2 and [p.fields["part"] for p in parts] == list(range(1, len(parts) + 1))
    shown = "\n".join(p.fields["code"] for p in parts)
    assert all(line in shown for line in code.split("\n"))
    assert parts[0].narration.startswith("Setup. Each value is computed once, like this:")


def test_the_manifest_records_what_the_slide_shows_not_what_it_was_given(tmp_path: Path, caplog) -> None:
    """Fields in the manifest come from the draw code: a link shows its words (no URL), emphasis its
    text (no marks), and text the slide had no room for is not claimed as shown."""
    words = " ".join(f"word{n}" for n in range(400))
    page = ("# Shown\n\n```scene markdown\nheader: Where\ntext: 'Read **the** [guide](https://example.com/g) "
            f"about `user_id`. {words}'\n```\n")
    site = make_site(tmp_path / "s", {"content/p.md": page}, ESPEAK)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    scenes = json.loads((site / "output/p/manifest.json").read_text())["scenes"]
    fields = scenes[0]["fields"]
    assert fields["header"] == "Where"
    assert fields["text"].startswith("Read the guide about user_id.")
    shown = " ".join(s["fields"].get("text", "") for s in scenes)
    assert "example.com" not in shown and "**" not in shown
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    # the last word is on a slide (the text continued on the next), or the slide that cut it says so
    assert "word399" in shown or any("p.md:3: scene 1 (markdown): `text` does not fit on the slide" in w
                                     for w in warned), warned


def test_list_items_end_as_their_language_ends_sentences() -> None:
    said = _said(auto_scenes(parse("# 开始\n\n- 第一项\n- 第二项\n- `pip`\n"), None, None, None, "zh"))
    assert "第一项。 第二项。" in said and "第一项." not in said and "pip." in said  # a Latin item keeps its stop
