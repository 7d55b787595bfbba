"""Docs dialects on small fixtures: each turned into what it means, never shown or read as markup;
includes held to the site; order from the docs tool; notes for what cannot be carried."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
from conftest import SMALL, make_site, run

from vidsite.config import load_config
from vidsite.content.discover import discover
from vidsite.content.includes import Note
from vidsite.models import Page

DOCS = 'content_dir = "docs"\n' + SMALL + '[tts]\nengine = "espeak"\n'


def _pages(site: Path, notes: list[Note] | None = None) -> list[Page]:
    return discover(site, load_config(site), notes=notes)[0]


def _one(tmp_path: Path, body: str, files: dict[str, str] | None = None) -> tuple[Page, list[Note]]:
    site = make_site(tmp_path / "site", {"docs/page.md": body, **(files or {})}, DOCS)
    notes: list[Note] = []
    return next(p for p in _pages(site, notes) if p.rel == "page.md"), notes


def _said_and_shown(page: Page) -> str:
    """Narration, and fields as drawn (their inline Markdown styled: link targets and marks not shown)."""
    from vidsite.narrate.templates import narrate
    from vidsite.render.inline import plain

    return "\n".join(narrate(s) + json.dumps({k: plain(v) if isinstance(v, str) else v for k, v in s.fields.items()})
                     for s in page.scenes)


def test_admonitions_become_callouts_with_title_and_body(tmp_path: Path) -> None:
    page, _ = _one(tmp_path, '# T\n\n## Setup\n\n!!! warning "Python version"\n    Use **3.10** or later.\n\n'
                             '    It is needed.\n\n??? tip\n    Collapsed body.\n\nAfter.\n')
    callouts = [s for s in page.scenes if s.type == "callout"]
    assert [c.fields["kind"] for c in callouts] == ["warning", "tip"]
    assert callouts[0].fields["title"] == "Python version"
    assert callouts[0].fields["text"] == "Use **3.10** or later.\n\nIt is needed."  # drawn bold, both paragraphs
    assert callouts[0].narration.startswith("Setup. Warning: Python version.")  # the section's heading first
    assert '"' not in callouts[0].narration
    assert callouts[1].narration.startswith("Tip: Collapsed body") and callouts[0].line == 5
    assert "!!!" not in _said_and_shown(page) and "???" not in _said_and_shown(page)


def test_pymdownx_blocks_tabs_containers_and_github_alerts(tmp_path: Path) -> None:
    body = ("# T\n\n/// note | \"Technical Details\"\n\nInside the block.\n\n///\n\n"
            "//// tab | Python 3.10+\n\n```python\nx: int | None\n```\n\n////\n\n"
            "::: danger Careful\nDo not.\n:::\n\n:::tip[Docusaurus]\nA tip.\n:::\n\n"
            "> [!IMPORTANT]\n> Read this.\n")
    page, _ = _one(tmp_path, body)
    callouts = [(s.fields["kind"], s.fields["title"], s.fields["text"]) for s in page.scenes if s.type == "callout"]
    assert callouts == [("note", "Technical Details", "Inside the block."), ("danger", "Careful", "Do not."),
                        ("tip", "Docusaurus", "A tip."), ("important", "", "Read this.")]
    code = next(s for s in page.scenes if s.type == "code")
    assert code.fields["tab"] == "Python 3.10+" and code.fields["code"] == "x: int | None"
    said = _said_and_shown(page)
    for mark in ("///", ":::", "[!", "tab |"):
        assert mark not in said


def test_hugo_shortcodes_mapped_unknown_dropped_with_a_note(tmp_path: Path) -> None:
    body = ('+++\ntitle = "Hugo page"\nweight = 3\n+++\n\n## A\n\n{{< note >}}\nShortcode body.\n{{< /note >}}\n\n'
            '{{< youtube abc123 >}}\n\nSee {{< ref "other.md" >}} for more.\n\n'
            '{{< highlight go >}}\nfmt.Println("hi")\n{{< /highlight >}}\n')
    page, notes = _one(tmp_path, body)
    assert page.title == "Hugo page" and page.weight == 3
    assert any(s.type == "callout" and s.fields["text"] == "Shortcode body." for s in page.scenes)
    assert any(s.type == "code" and s.fields["language"] == "go" for s in page.scenes)
    assert [str(n).split(": ", 1)[1] for n in notes] == ["shortcode `youtube` is not known; dropped"]
    assert notes[0].line == 12  # the file's line, frontmatter counted
    assert "{{" not in _said_and_shown(page)


def test_attributes_html_indented_code_and_reference_links(tmp_path: Path) -> None:
    body = ("# Title {#top}\n\n## Usage { .section }\n\nSee the [guide][g] now.\n{: .lead }\n\n"
            "[Button](x.md){ .md-button }\n\n<!-- hidden\ncomment -->\n\n<p align=\"center\">Wrapper words</p>\n\n"
            "<details>\n<summary>More info</summary>\n\nHidden detail.\n\n</details>\n\n<MyWidget prop=\"1\" />\n\n"
            "<script>alert(1)</script>\n\n    indented = code()\n\n[g]: https://example.com/guide\n")
    page, notes = _one(tmp_path, body)
    said = _said_and_shown(page)
    assert page.title == "Title" and "Usage" in said and "{" not in said.replace("{\"", "").replace("{}", "")
    assert "See the guide now." in said and "Wrapper words" in said and "hidden" not in said.lower().replace(
        "hidden detail", "")
    details = next(s for s in page.scenes if s.type == "callout")
    assert (details.fields["kind"], details.fields["title"], details.fields["text"]) == ("details", "More info",
                                                                                           "Hidden detail.")
    assert any(s.type == "code" and s.fields["code"] == "indented = code()" for s in page.scenes)
    assert "alert" not in said and "MyWidget" not in said and "https" not in said
    assert any("MyWidget" in n.message or "script" in n.message for n in notes)


def test_includes_of_every_dialect_with_ranges_and_anchors(tmp_path: Path) -> None:
    files = {
        "snippets/a.py": "import os\n# --8<-- [start:core]\nprint(os.sep)\n# --8<-- [end:core]\nx = 1\n",
        "docs/listings/main.rs": "fn main() {\n    // ANCHOR: here\n    let x = 5;\n    // ANCHOR_END: here\n}\n",
        "docs/part.md": "Included prose from a part.\n",
    }
    body = ('# T\n\n## Code\n\n```python\n--8<-- "snippets/a.py:core"\n```\n\n```rust\n'
            "{{#rustdoc_include listings/main.rs:here}}\n```\n\n```python\n{!../snippets/a.py!}\n```\n\n"
            "{* ../snippets/a.py hl[1] *}\n\n```rust\n{{#include listings/main.rs:1:1}}\n# hidden_line();\n```\n\n"
            '--8<-- "docs/part.md"\n')
    page, notes = _one(tmp_path, body, files)
    codes = [s.fields["code"] for s in page.scenes if s.type == "code"]
    assert codes[0] == "print(os.sep)" and codes[1] == "let x = 5;"
    assert codes[2].startswith("import os") and "--8<--" not in codes[2] and codes[3] == codes[2]
    assert codes[4] == "fn main() {"  # the line range, and rustdoc's hidden `# ` line hidden
    assert "Included prose from a part." in _said_and_shown(page) and notes == []


def test_secrets_are_never_included(tmp_path: Path) -> None:
    files = {".env": "SECRET_TOKEN=hunter2\n", ".git/config": "[remote]\nurl = git@secret-remote\n"}
    outside = tmp_path / "outside.txt"
    outside.write_text("OUTSIDE_SECRET\n")
    body = ("# Leak\n\n```\n{!../.git/config!}\n```\n\n```\n{{#include ../.env}}\n```\n\n"
            '--8<-- ".env"\n\n{* ../../outside.txt *}\n\nText.\n')
    site = make_site(tmp_path / "site", {"docs/page.md": body, **files}, DOCS)
    (site / "docs" / "link.txt").symlink_to(outside)
    (site / "docs" / "page.md").write_text(body + "\n```\n{{#include link.txt}}\n```\n")
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    everything = "".join(p.read_text(errors="replace") for p in (site / "output").rglob("*")
                         if p.is_file() and p.suffix in (".json", ".vtt", ".srt", ".html"))
    for secret in ("hunter2", "SECRET_TOKEN", "secret-remote", "OUTSIDE_SECRET", "{!", "{{#", "--8<--"):
        assert secret not in everything
    check = run("check", str(site))
    assert check.output.count("not found") == 5 and "docs/page.md:4: include" in check.output


def test_missing_include_warns_and_builds_and_strict_fails(tmp_path: Path, caplog) -> None:
    site = make_site(tmp_path / "site", {"docs/page.md": "# P\n\nText.\n\n```python\n{!missing.py!}\n```\n"}, DOCS)
    with caplog.at_level(logging.WARNING):
        assert run("build", str(site)).exit_code == 0
    assert any("page.md:6: include `missing.py` not found" in r.getMessage() for r in caplog.records)
    check = run("check", str(site))
    assert check.exit_code == 0 and "page.md:6: include `missing.py` not found" in check.output
    strict = run("check", "--strict", str(site))
    assert strict.exit_code == 1 and "page.md:6: include `missing.py` not found" in strict.output
    assert run("build", "--strict", str(site)).exit_code == 1


def test_order_from_mkdocs_nav_summary_and_weight(tmp_path: Path) -> None:
    mk = make_site(tmp_path / "mk", {
        "mkdocs.yml": "site_name: x\nnav:\n  - Zed: zed.md\n  - Guide:\n    - guide/b.md\n    - guide/a.md\n"
                      "  - alpha.md\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
                      "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        "docs/alpha.md": "# Alpha\n\nA.\n", "docs/zed.md": "# Zed\n\nZ.\n", "docs/guide/a.md": "# A\n\nA.\n",
        "docs/guide/b.md": "# B\n\nB.\n", "docs/unlisted.md": "# Aardvark\n\nU.\n"}, DOCS)
    assert [p.url for p in _pages(mk)] == ["zed", "alpha", "unlisted", "guide/b", "guide/a"]
    book = make_site(tmp_path / "book", {
        "src/SUMMARY.md": "# Summary\n\n- [Two](b.md)\n  - [One](a.md)\n- [Draft]()\n",
        "src/a.md": "# One\n\nA.\n", "src/b.md": "# Two\n\nB.\n"}, DOCS.replace('"docs"', '"src"'))
    assert [p.url for p in _pages(book)] == ["b", "a"]  # SUMMARY.md is the order, not a page
    hugo = make_site(tmp_path / "hugo", {"content/a.md": "---\nweight: 2\n---\n# A\n", "content/b.md": "---\nweight: 1\n---\n# B\n",
                                         "content/c.md": "---\nsidebar_position: 0\n---\n# C\n"})
    assert [p.url for p in _pages(hugo)] == ["c", "b", "a"]


def test_content_dir_keeps_output_and_cache_beside_config(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"docs/intro.md": "# Intro\n\nHello.\n", "README.md": "# not a page\n"}, DOCS)
    assert run("build", str(site)).exit_code == 0
    manifest = json.loads((site / "output/intro/manifest.json").read_text())
    assert manifest["source"] == "docs/intro.md" and (site / ".vidsite").is_dir() and not (site / "docs/output").exists()
    assert manifest["scenes"][0]["fields"] == {"title": "Intro", "subtitle": "Hello."}
    bad = make_site(tmp_path / "bad", {"docs/x.md": "# X\n"}, DOCS.replace('"docs"', '"../elsewhere"'))
    result = run("check", str(bad))
    assert result.exit_code == 1 and "content_dir" in result.output


def test_callout_kinds_are_drawn_distinctly() -> None:
    from vidsite.render.slides import render
    from vidsite.render.theme import load_theme

    theme = load_theme("default", None)
    fields = {"title": "Back up first", "text": "This deletes the cache."}
    images = {k: np.asarray(render("callout", {"kind": k, **fields}, {}, theme, "blue", 480, 270).convert("RGB"), dtype=int)
              for k in ("note", "warning", "danger")}
    for a, b in (("note", "warning"), ("warning", "danger"), ("note", "danger")):
        assert np.abs(images[a] - images[b]).sum(axis=2).astype(bool).mean() > 0.01
    warning = images["warning"].reshape(-1, 3)
    assert (np.abs(warning - [0xff, 0x91, 0x00]).sum(axis=1) < 30).mean() > 0.005  # the warning's orange is drawn


def test_hugo_include_shortcodes_read_their_files_and_unknown_ones_are_notes(tmp_path: Path) -> None:
    files = {"snippets/intro.md": "Shared intro paragraph.\n", "snippets/plain.txt": "Plain included words.\n",
             "code/hello.go": 'package main\n\nfunc main() { println("hi") }\n', "code/pod.yaml": "kind: Pod\n"}
    body = ('---\ntitle: Hugo includes\n---\n\n## Shared\n\n{{% include "snippets/intro.md" %}}\n\n'
            '{{< readfile file="snippets/plain.txt" >}}\n\n## Code\n\n{{< code lang="go" file="code/hello.go" >}}\n\n'
            '{{< codenew file="code/pod.yaml" >}}\n\nInline {{< badge "beta" >}} word.\n\n'
            '{{< readfile "snippets/missing.md" >}}\n')
    site = make_site(tmp_path / "site", {"content/page.md": body, **files})
    notes: list[Note] = []
    page = _pages(site, notes)[0]
    said = _said_and_shown(page)
    assert "Shared intro paragraph." in said and "Plain included words." in said and "Inline word." in said
    codes = {s.fields["language"]: s.fields["code"] for s in page.scenes if s.type == "code"}
    assert codes == {"go": 'package main\n\nfunc main() { println("hi") }', "yaml": "kind: Pod"}
    assert [(n.line, n.message.split(" (")[0]) for n in notes] == [
        (19, "include `snippets/missing.md` not found"), (17, "shortcode `badge` is not known; dropped")]
    assert all(n.path == site / "content/page.md" for n in notes)
    assert "{{" not in said and "badge" not in said and "beta" not in said


def test_an_untrusted_config_cannot_widen_what_includes_read(tmp_path: Path, caplog) -> None:
    """A pull request's config.toml lists folders outside the repository (absolute, `../..`, a
    symlink out) and a hidden one: none is read; a folder inside the repository still is."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("OUTSIDE_SECRET\n")
    make_site(repo, {".git/config": "[remote]\nurl = git@secret-remote\n", ".env": "SECRET_TOKEN=hunter2\n",
                     "shared/snippet.py": "SHARED_OK = 1\n"}, "")
    (repo / "linkout").symlink_to(outside)
    paths = [str(outside), "../..", "../.git", "../linkout", "../shared"]
    body = ("# Leak\n\n```\n{!../../../outside/secret.txt!}\n```\n\n```\n{!../../.git/config!}\n```\n\n"
            "```\n{{#include out.txt}}\n```\n\n```\n{{#include env.txt}}\n```\n\n```python\n{!../../shared/snippet.py!}\n```\n")
    site = make_site(repo / "site", {"docs/page.md": body}, f"include_paths = {json.dumps(paths)}\n" + DOCS)
    (site / "docs/out.txt").symlink_to(outside / "secret.txt")
    (site / "docs/env.txt").symlink_to(repo / ".env")
    with caplog.at_level(logging.WARNING):
        result = run("build", str(site))
    assert result.exit_code == 0, result.output
    said = [r.getMessage() for r in caplog.records]
    ignored = [m for m in said if "config.toml: include_paths" in m and "never read" in m]
    assert len(ignored) == 4 and sum("outside the repository" in m for m in ignored) == 3
    assert sum("page.md:" in m and "not found" in m for m in said) == 4
    page = _pages(site)[0]
    shown = _said_and_shown(page) + "".join(p.read_text(errors="replace") for p in (site / "output").rglob("*")
                                            if p.is_file() and p.suffix in (".json", ".vtt", ".srt", ".html"))
    for secret in ("OUTSIDE_SECRET", "secret-remote", "hunter2", "SECRET_TOKEN"):
        assert secret not in shown
    assert any(s.type == "code" and s.fields["code"] == "SHARED_OK = 1" for s in page.scenes)


MARKUP = ("import ", "<Tab", "===", "<<<", "@include", "{{", "notice", "[npm]", "title=")


def test_docusaurus_mdx_imports_tabs_and_code_titles(tmp_path: Path) -> None:
    """MDX `import` lines are plumbing (never shown or said); `<TabItem label=…>` bodies keep their words,
    led by the tab's name, and are not read as indented code; a fence's `title="…"` names its code."""
    body = ("# Intro\n\nimport Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n"
            "Pick your fruit.\n\n<Tabs>\n  <TabItem value=\"apple\" label=\"Apple\" default>\n\n"
            "    This is an apple.\n\n  </TabItem>\n  <TabItem value=\"orange\" label=\"Orange\">\n\n"
            "    This is an orange.\n\n  </TabItem>\n</Tabs>\n\n"
            "```jsx title=\"src/pages/page.js\"\nexport default function Page() {\n  return <h1>Hi</h1>;\n}\n```\n")
    page, notes = _one(tmp_path, body)
    said = _said_and_shown(page)
    for mark in MARKUP:
        assert mark not in said.replace("export default", ""), mark
    assert "Apple: This is an apple." in said and "Orange: This is an orange." in said
    assert not any(s.type == "code" and "apple" in s.fields["code"] for s in page.scenes)  # not indented code
    code = next(s for s in page.scenes if s.type == "code")
    assert code.fields["tab"] == "src/pages/page.js" and code.fields["code"].startswith("export default")
    assert "orange" not in (code.narration or "").lower()  # the last tab's words do not introduce the code after
    assert notes == []


def test_material_content_tabs_are_tabs_not_indented_code(tmp_path: Path) -> None:
    body = ('# Install\n\n=== "Windows"\n\n    Run the installer.\n\n    ```python\n    import thing\n    ```\n\n'
            '=== "macOS"\n\n    ```python\n    import other\n    ```\n\nAfter the tabs.\n')
    page, _ = _one(tmp_path, body)
    codes = [s for s in page.scenes if s.type == "code"]
    assert [c.fields["code"] for c in codes] == ["import thing", "import other"]
    assert codes[1].fields["tab"] == "macOS"
    assert "Windows: Run the installer." in _said_and_shown(page) and "===" not in _said_and_shown(page)
    assert page.scenes[-2].type == "markdown" and page.scenes[-2].narration == "After the tabs."


def test_vitepress_snippets_and_includes(tmp_path: Path) -> None:
    """`<<< @/snippets/x.js#region{2}` is a code block of the region with its line highlighted;
    `<!--@include: ./parts/p.md{2,3}-->` its lines; both left alone inside a code block (docs about them)."""
    files = {"docs/snippets/conf.js": "// #region cfg\nexport default {\n  base: '/app/'\n}\n// #endregion cfg\nx()\n",
             "docs/parts/p.md": "Line one.\n\nLine three from the part.\n"}
    body = ("# VP\n\nThe config:\n\n<<< @/snippets/conf.js#cfg{2}\n\n<!--@include: ./parts/p.md{2,3}-->\n\n"
            "```md\n<<< @/snippets/conf.js\n```\n")
    page, notes = _one(tmp_path, body, files)
    codes = [s for s in page.scenes if s.type == "code"]
    assert codes[0].fields["code"] == "export default {\n  base: '/app/'\n}" and codes[0].fields["highlight"] == [2]
    assert codes[0].fields["language"] == "javascript" and codes[0].narration == "The config:"
    assert codes[1].fields["code"] == "<<< @/snippets/conf.js"  # shown as written: the page documents it
    said = _said_and_shown(page)
    assert "Line three from the part." in said and "Line one." not in said and notes == []


def test_hugo_callout_forms_and_root_relative_readfile(tmp_path: Path) -> None:
    files = {"static/code/hello.py": "print('hello from readfile')\n"}
    body = ('---\ntitle: Hugo\n---\n\n{{% notice info %}}\nA notice.\n{{% /notice %}}\n\n'
            '{{< alert color="warning" title="Heads up" >}}\nAn alert.\n{{< /alert >}}\n\n'
            '{{% notice tip "Pro tip" %}}\nA tip.\n{{% /notice %}}\n\n'
            '{{< readfile file="/static/code/hello.py" code="true" lang="python" >}}\n')
    page, notes = _one(tmp_path, body, files)
    callouts = [(s.fields["kind"], s.fields["title"], s.fields["text"]) for s in page.scenes if s.type == "callout"]
    assert callouts == [("info", "", "A notice."), ("warning", "Heads up", "An alert."), ("tip", "Pro tip", "A tip.")]
    code = next(s for s in page.scenes if s.type == "code")
    assert code.fields["code"] == "print('hello from readfile')" and code.fields["language"] == "python"
    assert notes == [] and "Info: info" not in _said_and_shown(page)


def test_a_wrapper_tag_between_a_paragraph_and_its_code_keeps_the_introduction(tmp_path: Path) -> None:
    """FastAPI wraps terminal sessions in `<div class="termy">`: the paragraph before still introduces them
    (no "Here is the code"); a heading said with a sub-heading keeps its full stop."""
    body = ('# T\n\n## Recap\n\n### Step 1\n\n```python\nx = 1\n```\n\nRun the live server:\n\n'
            '<div class="termy">\n\n```console\n$ fastapi dev main.py\n```\n\n</div>\n')
    page, _ = _one(tmp_path, body)
    code, command = page.scenes[1], page.scenes[2]
    assert code.narration == "Recap. Step 1."
    assert command.type == "command" and command.narration == "Run the live server:"


def test_a_page_without_title_or_heading_is_named_after_its_file(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"docs/getting_started.md": "Just some words.\n"}, DOCS)
    page = _pages(site)[0]
    assert page.title == "Getting Started" and page.scenes[0].fields["title"] == "Getting Started"
    assert "Untitled" not in _said_and_shown(page)


def test_untitled_callouts_speak_the_pages_language(tmp_path: Path) -> None:
    """`!!! note`, `::: tip` and `> [!IMPORTANT]` without a title on a Spanish page: the slide and the voice
    say the kind in Spanish, never an English "Note" taken from the markup."""
    body = ("---\nlanguage: es\n---\n# Inicio\n\n!!! note\n    Una nota.\n\n::: tip\nUn consejo.\n:::\n\n"
            "> [!IMPORTANT]\n> De verdad.\n\n!!! warning \"Cuidado\"\n    Peligro.\n")
    page, _ = _one(tmp_path, body)
    from vidsite.narrate.templates import narrate

    said = [narrate(s, "es") for s in page.scenes if s.type == "callout"]
    assert said == ["Nota: Una nota.", "Consejo: Un consejo.", "Importante: De verdad.", "Advertencia: Cuidado. Peligro."]
    assert [s.fields["title"] for s in page.scenes if s.type == "callout"] == ["", "", "", "Cuidado"]
