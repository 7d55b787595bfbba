"""What the voice says and the slide shows for inline Markdown (issue 17): code spans keep their spaces and
a span of punctuation is said as written, a URL is heard with its path, `_emphasis_` is drawn as emphasis,
code before the first section is headed by the page's title, a remote image says why it is missing and
its alt text is not heard twice. On small pages written here, then on the real pages the issue came from
(../shared/docs-repos, read through `discover` as a build reads them)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from conftest import ESPEAK, SHARED, docs_repo

from vidsite.content.auto import auto_scenes, clean, host
from vidsite.content.markdown import parse
from vidsite.models import Scene
from vidsite.render.inline import plain, spans


def _scenes(markdown: str, notes: list | None = None, language: str = "en") -> list[Scene]:
    return auto_scenes(parse(markdown), None, lambda src: False,
                       (lambda line, msg: notes.append((line, msg))) if notes is not None else None, language)


def _said(scenes: list[Scene]) -> str:
    return " ".join(s.narration or "" for s in scenes)


def _italic(text: str) -> list[str]:
    return [s for s, marks in spans(text) if "italic" in marks]


# -- code spans ----------------------------------------------------------------------------------

@pytest.mark.parametrize("source, spoken", [
    ("go after the `?` in a URL", "go after the ? in a URL"),
    ("enter the command `.\\main` instead of `./main`:", "enter the command .\\main instead of ./main:"),
    ("The function body is wrapped in `{}`. Rust requires", "The function body is wrapped in {}. Rust requires"),
    ("entered as `println` (without the `!`).", "entered as println (without the !)."),
    ("a semicolon (`;`), which", "a semicolon (;), which"),
    ("with the _.rs_ extension", "with the .rs extension"),
    ("a _.rb_, _.py_, or _.js_ file", "a .rb, .py, or .js file"),
    ("the `user_id` field", "the user id field"),  # names still read as words
    ("<b>bold</b> , then", "bold, then"),  # a space markup left before punctuation still goes
])
def test_code_spans_keep_their_spaces_and_punctuation(source: str, spoken: str) -> None:
    assert clean(source) == spoken


def test_a_punctuation_span_is_said_as_written_in_any_language() -> None:
    """Not a hole in the sentence, and never an English name for it on a Spanish page."""
    (slide,) = [s for s in _scenes("# Funciones\n\n## Cuerpo\n\nEl cuerpo va entre `{}`. Rust lo exige.\n",
                                              language="es")
                if s.type == "markdown"]
    assert slide.narration == "Cuerpo. El cuerpo va entre {}. Rust lo exige."
    assert "`{}`" in slide.fields["text"]


# -- URLs ----------------------------------------------------------------------------------------

def test_urls_are_heard_with_their_path() -> None:
    said = _said(_scenes("# Docs\n\nGo to http://127.0.0.1:8000/docs.\n\nThen "
                         '<a href="http://127.0.0.1:8000/redoc">http://127.0.0.1:8000/redoc</a>.\n\n'
                         "And at: http://127.0.0.1:8000/openapi.json.\n"))
    for path in ("/docs.", "/redoc.", "/openapi.json."):
        assert f"127.0.0.1 port 8000{path}" in said, said


@pytest.mark.parametrize("url, spoken", [
    ("http://127.0.0.1:8000", "127.0.0.1 port 8000"),
    ("https://www.uvicorn.org/settings/", "uvicorn.org/settings"),  # no www., no trailing slash
    ("http://127.0.0.1:8000/items/?skip=0&limit=10", "127.0.0.1 port 8000/items"),  # no query string
    ("https://example.com/guide#install", "example.com/guide"),  # no fragment
    ("https://docs.python.org/3/library/", "docs.python.org/3/library"),
    # long, opaque or escaped paths are left to the slide, which shows the whole address
    ("https://github.com/someone/project/blob/main/docs/getting_started-guide.md", "github.com"),
    ("https://github.com/x/y/commit/3f2a9c1d8e7b", "github.com"),
    ("https://example.com/users/1234567", "example.com"),
    ("https://example.com/%E6%97%A5%E6%9C%AC", "example.com"),
    ("https://example.com/" + "a" * 41, "example.com"),
])
def test_how_a_url_is_spoken(url: str, spoken: str) -> None:
    assert host(url) == spoken
    assert clean(f"see {url} now") == f"see {spoken} now"


# -- underscore emphasis -------------------------------------------------------------------------

def test_underscore_emphasis_is_drawn_as_emphasis_and_names_keep_their_underscores() -> None:
    page = ("# Hello\n\n## Basics\n\nCall it _main.rs_. Files end with the _.rs_ extension. Use _hello_world.rs_ "
            "rather than _helloworld.rs_, in *projects*; hello_world.rs and __init__.py stay as written.\n")
    (slide,) = [s for s in _scenes(page) if s.type == "markdown"]
    text = slide.fields["text"]
    assert _italic(text) == ["main.rs", ".rs", "hello_world.rs", "helloworld.rs", "projects"]
    assert plain(text) == ("Call it main.rs. Files end with the .rs extension. Use hello_world.rs rather than "
                           "helloworld.rs, in projects; hello_world.rs and __init__.py stay as written.")
    assert slide.narration.startswith("Basics. Call it main.rs. Files end with the .rs extension.")


@pytest.mark.parametrize("written, italic, shown", [
    ("call it _main.rs_.", ["main.rs"], "call it main.rs."),  # as an author writes it in a scene block
    ("(_main.exe_ on Windows", ["main.exe"], "(main.exe on Windows"),
    ("use _hello_world.rs_", ["hello_world.rs"], "use hello_world.rs"),
    ("__init__.py and _config.yml", [], "__init__.py and _config.yml"),  # names, not emphasis
    ("my_file_name.py", [], "my_file_name.py"),
])
def test_slide_text_reads_underscore_emphasis_as_commonmark_does(written: str, italic: list[str], shown: str) -> None:
    assert _italic(written) == italic
    assert plain(written) == shown


# -- headings ------------------------------------------------------------------------------------

def test_code_before_the_first_section_is_headed_by_the_page_title() -> None:
    scenes = _scenes("# First Steps\n\nThe simplest file:\n\n```python\nimport x\n```\n\n```python\ny = 1\n```\n\n"
                     "Run the live server:\n\n```console\n$ fastapi dev main.py\n```\n\n## Check it\n\n```json\n{}\n```\n")
    headers = [(s.type, s.fields["header"]) for s in scenes if s.type in ("code", "command")]
    assert headers == [("code", "First Steps"), ("code", "First Steps"), ("command", "First Steps"),
                       ("code", "Check it")]
    said = [s.narration for s in scenes if s.type in ("code", "command")]
    assert said[:3] == ["The simplest file:", "Here is the code.", "Run the live server:"]  # the title not said again


# -- images --------------------------------------------------------------------------------------

def test_a_remote_image_says_it_is_not_fetched_and_what_to_do() -> None:
    notes: list = []
    _scenes("# Docs\n\nIntro.\n\n![Swagger UI](https://fastapi.tiangolo.com/img/a.png)\n\n![Local](missing.png)\n\n"
            "![Inline](data:image/png;base64,AAAA)\n", notes)
    assert notes == [
        (5, ("image `https://fastapi.tiangolo.com/img/a.png` is remote and not fetched: download it into the page's "
             "folder or static/ and link it from there; its alt text stands in for it")),
        (7, "image `missing.png` not found in the page's folder or static/; its alt text stands in for it"),
        (9, ("image `data:image/png;base64,AAAA`: data: URLs are not read; put the image file in the page's folder "
             "or static/; its alt text stands in for it")),
    ]


def test_an_images_alt_text_is_shown_where_it_stood_and_not_heard_twice() -> None:
    page = ("# Docs\n\n## Interactive\n\nYou will see the documentation (provided by "
            '<a href="https://github.com/swagger-api/swagger-ui">Swagger UI</a>):\n\n'
            "![Swagger UI](https://example.com/swagger.png)\n\nThe flow:\n\n![The request flow diagram](flow.png)\n")
    (slide,) = [s for s in _scenes(page) if s.type == "markdown"]
    assert slide.fields["text"] == ("You will see the documentation (provided by Swagger UI):\n\n*Swagger UI*\n\n"
                                    "The flow:\n\n*The request flow diagram*")
    assert _italic(slide.fields["text"]) == ["Swagger UI", "The request flow diagram"]
    # said once where the sentence says it; an alt text that adds words is its own sentence
    assert slide.narration == ("Interactive. You will see the documentation (provided by Swagger UI): The flow: "
                               "The request flow diagram.")


# -- the real pages ------------------------------------------------------------------------------

def _repo(name: str, tmp_path: Path) -> Path:
    return docs_repo(name, tmp_path)


def _pages(name: str, content: str, tmp_path: Path) -> tuple[Path, dict, list[str]]:
    """{url: Page} of a docs repository as a build reads it (nothing rendered), and its notes."""
    from vidsite.config import load_config
    from vidsite.content.discover import discover

    site = _repo(name, tmp_path)
    config = ESPEAK.replace('title = "Test site"', f'title = "{name}"\ncontent_dir = "{content}"')
    (site / "config.toml").write_text(config)
    notes: list = []
    pages, _ = discover(site, load_config(site), notes=notes)
    return site, {p.url: p for p in pages}, [str(n) for n in notes]


def _manifest(page) -> dict:
    """What manifest.json records of a page's scenes: fields, and narration with templates applied."""
    from vidsite.scenes import get

    return {"scenes": [{"type": s.type, "fields": s.fields,
                        "narration": s.narration if s.narration is not None else get(s.type).narrate(s.fields, "en")}
                       for s in page.scenes]}


def _coverage(source: Path, page) -> dict:
    spec = importlib.util.spec_from_file_location("coverage_tool", SHARED / "tools" / "coverage.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool.report(source.read_text(), _manifest(page))


def test_fastapi_pages_say_what_their_slides_show(tmp_path: Path) -> None:
    site, pages, notes = _pages("fastapi", "docs/en/docs", tmp_path)
    first = pages["tutorial/first-steps"]
    said = " ".join(s["narration"] for s in _manifest(first)["scenes"])
    for address in ("127.0.0.1 port 8000/docs.", "127.0.0.1 port 8000/redoc.", "127.0.0.1 port 8000/openapi.json."):
        assert address in said
    assert "Swagger UI): Swagger UI" not in said and "ReDoc): ReDoc" not in said
    assert "(provided by Swagger UI): And now" not in said  # the next section's heading comes between
    shown = [s.fields["text"] for s in first.scenes if s.type == "markdown" and "provided by" in s.fields["text"]]
    assert [_italic(t) for t in shown] == [["Swagger UI"], ["ReDoc"]]
    for scene in first.scenes:
        if scene.type in ("code", "command"):
            assert scene.fields["header"], scene  # never the generic "Code" or "Run"
    assert [s.fields["header"] for s in first.scenes[1:7] if s.type == "code"] == ["First Steps"] * 5
    remote = [n for n in notes if "first-steps.md" in n and "is remote and not fetched" in n]
    assert [n.split(": image")[0].rsplit(":", 1)[1] for n in remote] == ["85", "93"]  # path:line of each image

    query = " ".join(s["narration"] for s in _manifest(pages["tutorial/query-params"])["scenes"])
    assert "go after the ? in a URL, separated by & characters" in query

    for url in ("tutorial/first-steps", "tutorial/query-params"):
        report = _coverage(site / "docs/en/docs" / f"{url}.md", pages[url])
        assert report["coverage"] >= 0.95 and not report["missing_ids"] and not report["voice_markup"], (url, report)


def test_rust_book_pages_say_what_their_slides_show(tmp_path: Path) -> None:
    site, pages, _ = _pages("rust-book", "src", tmp_path)
    hello = pages["ch01-02-hello-world"]
    said = " ".join(s["narration"] for s in _manifest(hello)["scenes"])
    for words in ("enter the command .\\main instead of ./main:", "end with the .rs extension",
                  "(without the !)", "using a ! means", "The function body is wrapped in {}. Rust requires",
                  "a .rb, .py, or .js file", "with the .pdb extension"):
        assert words in said, words
    fields = json.dumps([s.fields for s in hello.scenes], ensure_ascii=False)
    for mark in ("_main.rs_", "_.rs_", "_hello_world.rs_"):
        assert mark not in fields
    (basics,) = [s.fields["text"] for s in hello.scenes if s.type == "markdown" and "call it" in s.fields["text"]]
    assert _italic(basics) == ["main.rs", ".rs", "hello_world.rs", "helloworld.rs", "main.rs"]
    assert "_" not in plain(basics).replace("hello_world.rs", "")

    variables = pages["ch03-01-variables-and-mutability"]
    for scene in variables.scenes:
        if scene.type in ("code", "command"):
            assert scene.fields["header"], scene
    assert variables.scenes[3].fields["header"] == variables.title

    for url in ("ch01-02-hello-world", "ch03-01-variables-and-mutability"):
        report = _coverage(site / "src" / f"{url}.md", pages[url])
        assert report["coverage"] >= 0.95 and not report["missing_ids"] and not report["voice_markup"], (url, report)
