"""Real docs repositories (../shared/docs-repos) build in place with `content_dir`: includes
resolved as their tools resolve them, order as their tools give it, no dialect markup in what
is seen or heard. Each repository is copied to tmp_path; nothing is written under shared/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ESPEAK, docs_repo, run

CONFIG = ESPEAK.replace('title = "Test site"', 'title = "{name}"\ncontent_dir = "{content}"')
# repository, content_dir, pages in the docs tool's order (from mkdocs.yml nav / SUMMARY.md)
CASES = [
    ("fastapi", "docs/en/docs", ["tutorial/first-steps", "tutorial/query-params"]),
    ("rust-book", "src", ["ch01-02-hello-world", "ch03-01-variables-and-mutability"]),
    ("mkdocs", "docs", ["getting-started", "user-guide/deploying-your-docs", "user-guide/installation"]),
    ("mkdocs-material", "docs", ["customization"]),
]
MARKUP = re.compile(r"\{!|!\}|\{\*|\*\}|\{\{#|\{\{[<%]|--8<--|ANCHOR|(^|\n)\s*(!!!|\?\?\?|///|:::)|\[![A-Za-z]+\]")


def _repo(name: str, tmp_path: Path) -> Path:
    return docs_repo(name, tmp_path)


def _manifests(site: Path) -> dict[str, dict]:
    return {str(p.parent.relative_to(site / "output")): json.loads(p.read_text())
            for p in (site / "output").rglob("manifest.json") if p.parent != site / "output"}


def _includes(site: Path, content: str) -> list[tuple[Path, str, str]]:
    """(page, included file, selector) for every include directive in the repository's pages."""
    found = []
    for page in (site / content).rglob("*.md"):
        for m in re.finditer(r"\{!>?\s*(\S+?)\s*!\}|\{\{#(?:rustdoc_)?include\s+([^}\s]+)\s*\}\}", page.read_text()):
            if m.group(1):
                found.append((page, str((site / content / m.group(1)).resolve()), ""))
            else:
                path, _, sel = m.group(2).partition(":")
                found.append((page, str((page.parent / path).resolve()), sel))
    return found


@pytest.mark.parametrize("name,content,order", CASES, ids=[c[0] for c in CASES])
def test_docs_repository_builds_in_place(name: str, content: str, order: list[str], tmp_path: Path) -> None:
    site = _repo(name, tmp_path)
    (site / "config.toml").write_text(CONFIG.format(name=name, content=content))
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    manifests = _manifests(site)
    assert sorted(manifests) == sorted(order)
    assert all(m["source"].startswith(content + "/") for m in manifests.values())

    from vidsite.config import load_config
    from vidsite.content.discover import discover

    pages, _ = discover(site, load_config(site))
    assert [p.url for p in pages] == order  # the docs tool's order

    shown = {url: [s.get("fields", {}) for s in m["scenes"]] for url, m in manifests.items()}
    for url, m in manifests.items():
        for scene in m["scenes"]:
            assert not MARKUP.search(scene["narration"]), (url, scene["narration"])
            assert not MARKUP.search(json.dumps(scene["fields"])), (url, scene["fields"])
    code = "\n".join(f.get("code", "") + "\n".join(f.get("commands", [])) for fs in shown.values() for f in fs)
    for page, target, sel in _includes(site, content):
        text = Path(target).read_text()
        if sel:  # an anchor: only the lines between its markers, markers gone
            inside = re.search(rf"ANCHOR: {sel}\n(.*?)\n.*ANCHOR_END: {sel}", text, re.DOTALL).group(1)
            lines = [ln.strip() for ln in inside.splitlines() if ln.strip()]
        else:
            lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("# ")]
        for ln in lines:
            assert ln in code, f"{page.name}: `{ln}` from {target} is on no slide"
    if name == "rust-book":  # the anchor was honoured: the lines around it are not on that slide
        ch3 = [f for f in shown["ch03-01-variables-and-mutability"] if "spaces.len()" in f.get("code", "")]
        assert ch3 and all("fn main" not in f["code"] for f in ch3)
    from test_fidelity import (  # every word reaches the viewer (issue 17)
        assert_faithful,
        coverage_tool,
    )

    tool = coverage_tool()
    for url, m in manifests.items():
        assert_faithful(tool.report((site / m["source"]).read_text(), m), f"{name}/{url}")


def test_fastapi_code_slide_shows_its_code_and_tabs_name_their_version(tmp_path: Path) -> None:
    site = _repo("fastapi", tmp_path)
    (site / "config.toml").write_text(CONFIG.format(name="fastapi", content="docs/en/docs"))
    from vidsite.config import load_config
    from vidsite.content.discover import discover

    pages, _ = discover(site, load_config(site))
    first = next(p for p in pages if p.slug == "first-steps")
    code = [s for s in first.scenes if s.type == "code"]
    assert "app = FastAPI()" in code[0].fields["code"] and code[0].line == 5  # the slide of the `{!…!}` line
    callouts = [s for s in first.scenes if s.type == "callout"]
    assert {"kind": "note", "title": "Technical Details"}.items() <= callouts[0].fields.items()
    assert callouts[0].narration.startswith("Note: Technical Details.") and '"' not in callouts[0].narration
    query = next(p for p in pages if p.slug == "query-params")
    tabs = [s.fields.get("tab") for s in query.scenes if s.type == "code"]
    assert "Python 3.10+" in tabs and "Python 3.8+" in tabs


@pytest.mark.parametrize("name,content,titles", [
    ("mkdocs", "docs", {"getting-started": "Getting Started", "user-guide/installation": "MkDocs Installation",
                          "user-guide/deploying-your-docs": "Deploying your docs"}),
    ("rust-book", "src", {"ch01-02-hello-world": "Hello, World!",
                          "ch03-01-variables-and-mutability": "Variables and Mutability"}),
], ids=["mkdocs", "rust-book"])
def test_page_titles_are_the_navigations(name: str, content: str, titles: dict[str, str], tmp_path: Path) -> None:
    """`- Getting Started: getting-started.md` names the page (its heading says "… with MkDocs"); a
    page the nav lists by folder (`User Guide: user-guide/`) keeps its heading."""
    site = _repo(name, tmp_path)
    (site / "config.toml").write_text(CONFIG.format(name=name, content=content))
    from vidsite.config import load_config
    from vidsite.content.discover import discover

    pages, _ = discover(site, load_config(site))
    assert {p.url: p.title for p in pages} == titles


@pytest.mark.parametrize("name,content,order", CASES, ids=[c[0] for c in CASES])
def test_new_site_here_points_at_each_repositorys_docs(name: str, content: str, order: list[str],
                                                       tmp_path: Path) -> None:
    """As a user starts: `vidsite new site --here` in the repository as it is (FastAPI's mkdocs.yml is in
    docs/en/, the Rust book's copy has SUMMARY.md but no book.toml) finds the pages, in the tool's order."""
    site = _repo(name, tmp_path)
    result = run("new", "site", "--here", str(site))
    assert result.exit_code == 0, result.output
    from vidsite.config import load_config
    from vidsite.content.discover import discover

    config = load_config(site)
    assert config.content_dir == content
    assert [p.url for p in discover(site, config)[0]] == order
