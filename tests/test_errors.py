"""Bad input: a clear `path:line: what` message, exit status 1, no traceback, output untouched."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vidsite.cli import main

GOOD = """---
title: Good
---

```scene title
title: Fine
narration: All fine.
```
"""

BAD = {
    "bad yaml": ("content/p.md", "```scene list\nheader: x\nitems: [a, b\n```\n", r"content/p.md:\d+: scene `list` is not valid YAML"),
    "unknown type": ("content/p.md", "# T\n\n```scene slideshow\ntitle: x\n```\n", r"content/p.md:3: unknown scene type `slideshow`"),
    "missing field": ("content/p.md", "```scene quote\nattribution: me\n```\n", r"content/p.md:1: scene `quote`: missing field `quote_text`"),
    "unknown field": ("content/p.md", "```scene title\ntitle: x\ncolour: red\n```\n", r"content/p.md:3: scene `title`: unknown field `colour`"),
    "wrong type": ("content/p.md", "```scene list\nheader: x\nitems: 5\n```\n", r"content/p.md:3: scene `list`: field `items`"),
    "bad frontmatter": ("content/p.md", "---\ntitle: [oops\n---\n# x\n", r"content/p.md:\d+: frontmatter is not valid YAML"),
    "unclosed frontmatter": ("content/p.md", "---\ntitle: x\n# x\n", r"content/p.md:1: frontmatter starts with ---"),
    "no type": ("content/p.md", "```scene\ntitle: x\n```\n", r"content/p.md:1: scene block needs a type"),
    "missing image": ("content/p.md", "```scene image\nsrc: nope.png\n```\n", r"content/p.md:1: image `nope.png`: not found"),
    "config key": ("config.toml", "title = 'x'\n[video]\nfsp = 30\n", r"config.toml:3: video.fsp: unknown key"),
    "config type": ("config.toml", "title = 'x'\n[video]\nfps = 'fast'\n", r"config.toml:3: video.fps: Input should be a valid integer"),
    "config toml": ("config.toml", "title = \n", r"config.toml:1: not valid TOML"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("good")
    (site / "config.toml").write_text("title = 'x'\n[video]\nwidth = 160\nheight = 90\n")
    (site / "content").mkdir()
    (site / "content/p.md").write_text(GOOD)
    assert CliRunner().invoke(main, ["build", str(site)]).exit_code == 0
    return site


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_clear_error(case: str, built: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built, site)
    before = _snapshot(site / "output")
    rel, text, pattern = BAD[case]
    (site / rel).write_text(text)
    result = CliRunner().invoke(main, ["build", str(site)])
    assert result.exit_code == 1, result.output
    assert re.search(pattern, result.output), result.output
    assert "Traceback" not in result.output
    assert _snapshot(site / "output") == before, "a failed build changed output/"


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content/p.md").write_text("```scene title\n: : :\n```\n")
    proc = subprocess.run([sys.executable, "-m", "vidsite.cli", "build", str(tmp_path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 1
    assert "content/p.md:2:" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_missing_content_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path)])
    assert result.exit_code == 1 and "no content/ folder" in result.output
