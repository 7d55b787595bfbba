"""`vidsite check`: durations from the build's own timing rules and a speech model measured against
the real voice, and how much of each page's source reaches its video. Estimates are compared with
real builds by the offline espeak voice; corpus pages come from ../shared/corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ESPEAK, make_site, run

from vidsite.check import check_site, estimate
from vidsite.config import TTSConfig

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PAGES = sorted(p.name for p in CORPUS.glob("*.md") if p.name != "SOURCES.md") or ["(none)"]
ZH = """---
language: zh
---
# 安装指南

这个页面介绍如何把文档变成带有旁白的视频。每一个标题都会成为一个新的场景，代码块会以等宽字体显示，并保留所有的字符。

## 第一步

第一步是创建一个新的项目文件夹。然后编辑配置文件，设置网站的标题和语言。最后运行构建命令，生成静态网站和视频。

- 安装软件包
- 编辑配置文件
- 运行构建命令
"""
JA = """---
language: ja
---
# 設定の説明

こんにちは、みなさん。このページでは、文書を動画に変換する方法を説明します。

## つかいかた

まず、ターミナルを ひらいて ください。設定ファイルを編集して、サイトの題名と言語を指定します。

- ひとつめ
- ふたつめ
"""
RULES = """```scene title
title: Rules
narration: Hi.
min_duration: 6
```

```scene list
header: Short
items: [One, Two, Three]
max_duration: 1
```

```scene quiz
question: Which voice is offline?
options: [espeak, edge]
correct_answer: espeak
```
"""


def _corpus_page(name: str) -> Path:
    if not (CORPUS / name).is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CORPUS} is missing")
        pytest.skip(f"{CORPUS} is not here")
    return CORPUS / name


def _estimated_and_built(site: Path) -> tuple[list[float], list[float]]:
    """Seconds per scene: as `vidsite check` estimates them, and as the build made them."""
    (page,) = check_site(site)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    manifest = json.loads(next((site / "output").glob("*/manifest.json")).read_text(encoding="utf-8"))
    return [s for _, _, s in page.scenes], [s["end"] - s["start"] for s in manifest["scenes"]]


@pytest.mark.parametrize("name", PAGES)
def test_estimate_is_within_15_percent_of_the_built_corpus_page(name: str, tmp_path: Path) -> None:
    text = _corpus_page(name).read_text(encoding="utf-8")
    estimated, built = _estimated_and_built(make_site(tmp_path / "site", {f"content/{name}": text}, ESPEAK))
    assert len(estimated) == len(built) > 3
    assert abs(sum(estimated) - sum(built)) <= 0.15 * sum(built), (sum(estimated), sum(built))


@pytest.mark.parametrize("language, page", [("zh", ZH), ("ja", JA)])
def test_chinese_and_japanese_are_estimated_by_characters(language: str, page: str, tmp_path: Path) -> None:
    tts = TTSConfig(engine="espeak")
    sentence = page.split("\n\n")[1]  # the first paragraph: no spaces to count words by
    once, twice = estimate(sentence, tts), estimate(sentence + sentence, tts)
    assert twice > 1.8 * once and once > 5
    estimated, built = _estimated_and_built(make_site(tmp_path / "site", {f"content/guide.{language}.md": page}, ESPEAK))
    assert abs(sum(estimated) - sum(built)) <= 0.15 * sum(built), (sum(estimated), sum(built))


def test_scene_rules_are_the_timelines(tmp_path: Path) -> None:
    """Minimum and maximum durations and a quiz's think-and-answer hold, as the build applies them."""
    estimated, built = _estimated_and_built(make_site(tmp_path / "site", {"content/rules.md": RULES}, ESPEAK))
    assert estimated[0] == built[0] == 6.0  # the minimum holds a short narration
    assert estimated[1] < 4 and built[1] < 4  # the maximum bounds the pause after it
    assert abs(estimated[2] - built[2]) <= 0.15 * built[2] and built[2] > 6  # the answer is held


def test_pronunciations_are_estimated_as_said(tmp_path: Path) -> None:
    tts = TTSConfig()
    said = {"k8s": "a Kubernetes cluster on three machines"}
    assert estimate("Deploy to k8s.", tts, said) > estimate("Deploy to k8s.", tts) + 1


PAGE = """# Setup guide

Install the package first. Then configure everything.

| Option | Meaning |
|---|---|
| `--port` | Port number |

```python
print("hi")
```

![A diagram](diagram.png)

![Missing picture](missing.png)
"""


def test_check_prints_what_reaches_the_video(tmp_path: Path) -> None:
    from PIL import Image

    site = make_site(tmp_path / "site", {"content/setup.md": PAGE,
                                         "content/kept.md": "```scene title\ntitle: Kept\n```\n\nThis paragraph is "
                                                            "outside every scene block.\n"}, ESPEAK)
    Image.new("RGB", (64, 36), "teal").save(site / "content/diagram.png")
    result = run("check", str(site))
    assert result.exit_code == 0, result.output
    # setup, guide, install, the, package, first, then, configure, everything, option, meaning, port, number,
    # diagram, missing, picture: every one spoken or shown; `--port` is code, "A" too short to count
    assert ("reaches the video: 16/16 prose words (100%), 1/1 tables, 1/1 code blocks, 1/2 images; "
            "1 not carried (below)") in result.output
    assert "reaches the video: 0/6 prose words (0%)" in result.output  # prose beside scene blocks is not in the video
    assert result.output.count("missing.png") == 1  # the note itself, listed once


def _media_imported_by_check(tmp_path: Path, page: str) -> str:
    site = make_site(tmp_path / "site", {"content/page.md": page}, ESPEAK)
    code = ("import sys; from click.testing import CliRunner; from vidsite.cli import main; "
            f"r = CliRunner().invoke(main, ['check', {str(site)!r}]); assert r.exit_code == 0, r.output; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'av', 'numpy', 'PIL'}))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_check_imports_no_media_library(tmp_path: Path) -> None:
    without_table = "\n".join(line for line in PAGE.splitlines() if not line.startswith("|"))
    assert _media_imported_by_check(tmp_path, without_table) == "[]"


def test_check_of_a_table_measures_with_the_slide_fonts_but_never_loads_the_encoder(tmp_path: Path) -> None:
    """A table (like long prose) is cut into slides where its rows stop fitting, measured in the fonts
    the slides use, so that `check` shows the scenes `build` makes: that needs Pillow, never PyAV."""
    imported = _media_imported_by_check(tmp_path, PAGE)
    assert "'av'" not in imported and "'PIL'" in imported, imported
