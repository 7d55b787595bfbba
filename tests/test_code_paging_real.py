"""Code on real docs pages is never cut (issue 19): every line of every code block of fastapi's
query-params and first-steps pages is on some slide of that block, as the page manifest records
what each slide drew (`fields`), and no slide gives way to "⋯ N more lines". Built at a small frame
size: paging is decided on the design grid, so a small build pages as the full-size one does."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from conftest import ESPEAK, docs_repo, run

PAGES = ["tutorial/query-params", "tutorial/first-steps"]


def _fastapi(tmp_path: Path) -> Path:
    site = docs_repo("fastapi", tmp_path)
    (site / "config.toml").write_text(ESPEAK.replace('title = "Test site"',
                                                     'title = "fastapi"\ncontent_dir = "docs/en/docs"'))
    return site


def _norm(line: str) -> str:
    """A line as a slide may show it: terminal markup (`<font color=…>` in fastapi's console blocks)
    drawn as its text, whitespace aside (a wrapped row)."""
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", line)))


def _blocks(site: Path, url: str) -> list[list[str]]:
    """The non-blank lines of each code block of a page, includes resolved as the build resolves them."""
    from vidsite.config import load_config
    from vidsite.content.dialects import rewrite
    from vidsite.content.discover import includer_for
    from vidsite.content.includes import Source
    from vidsite.content.markdown import parse
    from vidsite.content.parse import split_frontmatter

    config = load_config(site)
    path = site / config.content_dir / f"{url}.md"
    body = split_frontmatter(path.read_text(), path)[2]
    text = rewrite(includer_for(site, config).expand(Source.of(body), path), path).text
    return [[_norm(line) for line in tok.content.splitlines() if _norm(line)]
            for tok in parse(text) if tok.type in ("fence", "code_block") and not tok.info.startswith("scene")]


def test_every_code_line_of_real_pages_is_drawn_on_a_slide_of_its_block(tmp_path: Path) -> None:
    site = _fastapi(tmp_path)
    result = run("build", str(site), "-j", "1")
    assert result.exit_code == 0, result.output
    assert "`code` does not fit" not in result.output and "more line" not in result.output, result.output
    for url in PAGES:
        manifest = json.loads((site / "output" / url / "manifest.json").read_text())
        drawn: dict[int, set[str]] = {}  # a block's slides share its source line
        for scene in manifest["scenes"]:
            fields = scene["fields"]
            code = [fields.get("code", ""), fields.get("solution_code", ""), *fields.get("commands", [])]
            drawn.setdefault(scene["line"], set()).update(
                _norm(line) for block in code for line in block.splitlines() if _norm(line))
            assert not any("more line" in block for block in code), (url, scene["line"])
        blocks = _blocks(site, url)
        assert len(blocks) >= 8, url  # the pages are there, with their included files
        for lines in blocks:
            assert any(set(lines) <= seen for seen in drawn.values()), \
                (url, [line for line in lines if not any(line in seen for seen in drawn.values())], lines)
