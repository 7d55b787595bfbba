"""The reference system's real inputs import, build, and keep every string they hold (issue 20)."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, SMALL, make_site, manifest, run

from vidsite.content.parse import parse_page
from vidsite.content.video_gen_pages import import_path
from vidsite.render.slides import draw_slide
from vidsite.render.theme import load_theme
from vidsite.scenes import COMMON, TYPES
from vidsite.scenes.code import split_code

REFERENCE = Path(__file__).parent.parent.parent / "shared" / "reference-inputs"
CONFIG = SMALL + '[tts]\nengine = "espeak"\n'
THEME = load_theme("default", None)
SKIP = ("type", "scene_type")  # the type names the vidsite scene type, it is not text


def _reference() -> Path:
    if not REFERENCE.is_dir():
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)(f"{REFERENCE} is absent")
    return REFERENCE


def _sources(root: Path) -> list[Path]:
    """Every input: each single video, and each set (a folder with set_config.yaml)."""
    return sorted((root / "inputs").glob("*.yaml")) + sorted(p for p in (root / "sets").iterdir() if p.is_dir())


def _strings(value: object, key: str = "") -> list[tuple[str, str]]:
    """(field, text) for every string value under a YAML value, walked from the data itself."""
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in SKIP for s in _strings(v, str(k))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, key)]
    return [(key, value)] if isinstance(value, str) and value.strip() else []


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _page_text(page_path: Path, rel: str) -> tuple[str, str]:
    """(every field value and narration of the parsed page's scenes, the comment notes of the file)."""
    page = parse_page(page_path, rel)
    held = []
    for scene in page.scenes:
        held += [str(v) for k, v in scene.fields.items() if not k.startswith("_") for v in (v if isinstance(v, list) else [v])]
        held += [scene.narration or "", scene.voice or ""]
    notes = [line for line in page_path.read_text().splitlines() if line.lstrip().startswith("# dropped ")]
    return _norm("\n".join(held)), _norm("\n".join(notes))


def _fidelity(site: Path, source: Path, output: str) -> tuple[int, list[str]]:
    """How many strings of the source's scenes the written pages hold, and those they do not."""
    pages = import_path(source)
    dropped = " ".join(d for p in pages for d in p.report.dropped + p.report.ignored)
    total, missing = 0, []
    for page in pages:
        if not page.scenes:
            continue
        data = yaml.safe_load(page.report.source.read_text())
        held, notes = _page_text(site / "content" / page.rel, page.rel)
        for field, text in _strings(data["scenes"]):
            total += 1
            if _norm(text) in held:
                continue
            if _norm(text) in notes and f" {field} " in dropped.replace("`", " "):
                continue  # a preserved note counts only for a field the report lists as dropped
            missing.append(f"{page.report.source.name}: {field}: {text!r}")
    return total, missing


def test_every_reference_input_imports_builds_and_keeps_every_string(tmp_path: Path) -> None:
    root = _reference()
    site = make_site(tmp_path / "site", {}, CONFIG)
    sources = _sources(root)
    assert len(sources) >= 6
    result = run("import", "--from", "video-gen", "--strict", *map(str, sources), "--site", str(site))
    assert result.exit_code == 0, result.output  # --strict: nothing dropped that carried content
    assert "warning:" not in result.output
    for source in sources:
        assert not [d for p in import_path(source) for d in p.report.dropped], source
    built = run("build", str(site))
    assert built.exit_code == 0, built.output
    counted = 0
    for source in sources:
        total, missing = _fidelity(site, source, "")
        assert not missing, missing
        counted += total
    assert counted > 200  # 241 in the 9 files today: every string value of every scene, walked from the YAML


def test_a_set_becomes_one_section_of_its_videos_in_order(tmp_path: Path) -> None:
    folder = _reference() / "sets" / "tutorial_series_example"
    site = make_site(tmp_path / "site", {}, CONFIG)
    result = run("import", "--from", "video-gen", str(folder / "set_config.yaml"), "--site", str(site))
    assert result.exit_code == 0, result.output
    section = site / "content" / "tutorial-series-example"
    index = (section / "_index.md").read_text()
    assert "title: Tutorial Series 2024" in index and "description: Complete beginner-friendly tutorial series" in index
    assert "../output/tutorial_series_example" in index  # output.base_dir: kept as a note, never used as a path
    assert not (folder.parent.parent / "output").exists() and not (site.parent / "output").exists()
    pages = sorted((parse_page(p, f"tutorial-series-example/{p.name}") for p in section.glob("tutorial-*.md")),
                   key=lambda p: p.weight)
    assert [p.title for p in pages] == ["Introduction", "Installation", "First Steps", "Conclusion"]
    assert [p.weight for p in pages] == [1, 2, 3, 4]
    assert [(p.accent, p.voice) for p in pages] == [("blue", "male"), ("blue", "male"), ("green", "female"),
                                                     ("blue", "male")]  # the set's defaults; 03's overrides
    assert all(s.min_duration == 3.0 and s.max_duration == 15.0 for p in pages for s in p.scenes)
    assert run("build", str(site)).exit_code == 0
    home = (site / "output" / "index.html").read_text()
    order = [home.index(t) for t in ("Tutorial Series 2024", "Introduction", "Installation", "First Steps", "Conclusion")]
    assert order == sorted(order)
    spoken = manifest(site, "tutorial-series-example/tutorial-03-first-steps")["scenes"]
    assert spoken[0]["voice"] == "en-us+f3"  # the override's female voice, spoken


def test_flat_form_fields_of_every_type_find_a_home(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {}, CONFIG)
    result = run("import", "--from", "video-gen", str(FIXTURES / "import/video_gen_flat.yaml"), "--site", str(site))
    assert result.exit_code == 0, result.output
    page = parse_page(site / "content/video-gen-flat.md", "video-gen-flat.md")
    kinds = [s.type for s in page.scenes]
    assert kinds == ["title", "learning_objectives", "command", "code_comparison", "quote", "problem", "markdown",
                     "quiz", "checkpoint", "exercise", "outro"]
    by = dict(zip(range(11), page.scenes))
    assert by[1].fields["title"] == "What You'll Learn" and not by[1].fields["lesson_title"]
    assert by[2].fields["header"] == "Installation" and by[3].fields["header"] == "Before and After"
    assert by[4].fields["attribution"] == "Zen of Python"
    assert {k: v for k, v in by[6].fields.items() if v} == {  # part/parts: 0, a scene on one slide
        "header": "Error Handling", "text": "Use try-except blocks with specific exceptions"}
    assert (by[8].fields["title"], by[8].fields["checkpoint_text"]) == ("Progress Check",
                                                                        "You now understand error handling basics")
    assert by[9].fields["instructions"] == ["Refactor your code to include proper error handling"]
    assert by[0].fields["key_message"] == "Learn the basics" and by[10].fields["key_message"] == "Errors are part of the plan"
    assert by[3].fields["improvement"] == "One call says what the loop meant"
    assert all(s.narration == "ai" for s in page.scenes)  # use_ai_narration: every field has a home, none is spoken only
    assert [s.voice for s in page.scenes][:4] == ["male", "female", "female", "female"]  # voices rotate
    assert page.accent == "purple" and page.language == "en"
    assert "video_gen_flat.yaml:10: video.target_duration" in result.output
    built = run("build", str(site))
    assert built.exit_code == 0, built.output  # offline: the template speaks the `ai` scenes
    said = [s["narration"] for s in manifest(site, "video-gen-flat")["scenes"]]
    assert "Progress Check" in said[8] and "You now understand error handling basics" in said[8]
    assert "Learn the basics" in said[0] and "One call says what the loop meant" in said[3]
    assert "In What You'll Learn" not in said[1] and said[1].startswith("What You'll Learn.")
    total, missing = _fidelity(site, FIXTURES / "import/video_gen_flat.yaml", "")
    assert total > 30 and not missing, missing


def test_nested_form_with_educational_scenes(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {}, CONFIG)
    src = FIXTURES / "import/video_gen_nested.yaml"
    assert run("import", "--from", "video-gen", str(src), "--site", str(site)).exit_code == 0
    page = parse_page(site / "content/video-gen-nested.md", "video-gen-nested.md")
    assert [s.type for s in page.scenes] == ["learning_objectives", "command", "problem", "solution", "checkpoint",
                                             "quiz", "exercise"]
    assert page.scenes[0].fields["lesson_info"] == "duration: 15 · difficulty: beginner · prerequisites: " \
                                                   "Python installation"
    assert page.scenes[1].narration == "Define a function with def."  # the author's words, as written
    assert page.scenes[1].fields["key_points"] == ["Named once", "Called anywhere"]  # drawn under the commands
    assert page.scenes[3].fields["solution_code"] == "def add(a, b):\n    return a + b\n"
    assert page.scenes[5].min_duration == 4 and page.voice == "female_friendly" and page.accent == "green"
    assert run("build", str(site)).exit_code == 0
    total, missing = _fidelity(site, src, "")
    assert total > 30 and not missing, missing


def test_a_field_without_a_home_is_a_warning_with_its_line_and_strict_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "odd.yaml"
    src.write_text("video:\n  title: Odd\nscenes:\n  - type: title\n    title: Hi\n    mood: cheerful\n")
    site = make_site(tmp_path / "site", {}, CONFIG)
    strict = run("import", "--from", "video-gen", "--strict", str(src), "--site", str(site))
    assert strict.exit_code == 1 and f"{src}:6: scene 1 (no id) mood" in strict.output
    assert not (site / "content/odd.md").exists()
    result = run("import", "--from", "video-gen", str(src), "--site", str(site))
    assert result.exit_code == 0 and f"warning: dropped {src}:6: scene 1 (no id) mood" in result.output
    written = (site / "content/odd.md").read_text()
    assert "# dropped scene 1 (no id) mood `cheerful`: scene type `title` has no such field" in written  # a note
    assert written.count("cheerful") == 1 and result.output.count("warning:") == 1
    assert parse_page(site / "content/odd.md", "odd.md").scenes[0].fields["title"] == "Hi"


def test_a_set_never_reads_a_video_outside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("scenes:\n  - type: title\n    title: secret\n")
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "set_config.yaml").write_text("set:\n  name: S\n  videos:\n    - file: ../secret.yaml\n")
    result = run("import", "--from", "video-gen", str(folder), "--site", str(tmp_path / "site"))
    assert result.exit_code == 1 and "set_config.yaml:4: videos: `../secret.yaml` must be a file name" in result.output


MEANING = ("key_message", "key_points", "improvement", "topic", "context", "checkpoint_text", "title")  # only spoken before


def test_what_the_reference_only_spoke_is_drawn_on_the_slide_and_narrated() -> None:
    root = _reference()
    seen: Counter[str] = Counter()
    for source in [*_sources(root), FIXTURES / "import/video_gen_flat.yaml"]:
        for page in import_path(source):
            assert not [a for a in page.report.adapted if "spoken in the narration" in a], page.report.adapted
            for kind, fields in page.scenes:
                visual = {k: v for k, v in fields.items() if k not in COMMON and not k.startswith("_")}
                values = TYPES[kind].fields.model_validate(visual).model_dump(exclude=COMMON)
                drawn = _norm(" ".join(draw_slide(kind, values, {"answer": True}, THEME, "blue", 640, 360).drawn))
                said = _norm(TYPES[kind].narrate(values))
                for key in MEANING:
                    for text in values.get(key) if isinstance(values.get(key), list) else [values.get(key)]:
                        if not text or (key == "title" and kind not in ("checkpoint", "learning_objectives")):
                            continue
                        seen[key] += 1
                        assert _norm(text) in drawn, (source.name, kind, key, text, drawn)
                        assert _norm(text) in said, (source.name, kind, key, text, said)
    assert set(seen) == set(MEANING), seen  # every one of them occurs in these files


def test_a_long_command_with_a_topic_and_key_points_pages_without_cutting_a_line() -> None:
    fields = {"header": "Set up", "description": "Once", "topic": "Run these in a fresh shell, one after the other, "
              "and watch what each prints before going on", "commands": [f"$ step {i} --flag" for i in range(40)],
              "key_points": ["Nothing to install first", "Safe to repeat", "Prints what it does"]}
    pages = split_code(TYPES["command"].fields.model_validate(fields).model_dump(exclude=COMMON), kind="command")
    assert len(pages.fields) > 1 and not pages.problems
    shown = []
    for page in pages.fields:
        drawn = draw_slide("command", page, {}, THEME, "blue", 1920, 1080).drawn
        text, rows = " ".join(drawn), {row for block in drawn for row in block.split("\n")}
        assert "more line" not in text and "Safe to repeat" in text and "watch what each prints" in text
        shown += [c for c in fields["commands"] if c in rows]
    assert shown == fields["commands"]  # each command on exactly one slide, none cut
