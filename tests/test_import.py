"""Every way in: importers, YAML pages, the Python API, the wizard, the schema."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest

from conftest import FIXTURES, manifest, run
from vidsite.content.importers import parse_cues
from vidsite.content.parse import parse_page

CONFIG = 'title = "x"\n[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'
CORPUS = sorted(p for p in (FIXTURES / "corpus").glob("*.md") if p.name != "SOURCES.md")


def _scenes(page):  # type: ignore[no-untyped-def]
    return [(s.type, {k: v for k, v in s.fields.items() if k != "_path"}, s.narration, s.voice, s.min_duration,
             s.max_duration) for s in page.scenes]


def test_video_gen_yaml_imports_with_its_scenes_fields_and_voices(site_factory) -> None:
    site = site_factory({}, CONFIG)
    result = run("import", "--from", "video-gen", str(FIXTURES / "import/video_gen_example.yaml"), "--site", str(site))
    assert result.exit_code == 0, result.output
    page = parse_page(site / "content/video-gen-example.md", "video-gen-example.md")
    assert page.title == "Introduction to Python" and page.accent == "purple" and page.voice == "male_warm"
    assert [s.type for s in page.scenes] == ["title", "list", "command", "code_comparison", "quiz", "outro"]
    lst = page.scenes[1]
    assert lst.fields["items"] == ["Readable — code that reads like prose", "Batteries included — a large standard library",
                                   "Huge community"]
    assert lst.min_duration == 4 and page.scenes[5].max_duration == 8
    assert page.scenes[2].voice == "female" and page.scenes[2].narration is None
    assert page.scenes[3].fields["before_code"] == "for i in range(len(xs)):\n    print(xs[i])\n"
    built = run("build", str(site))
    assert built.exit_code == 0, built.output
    scenes = manifest(site, "video-gen-example")["scenes"]
    assert scenes[0]["narration"] == "Welcome to this introduction to Python."
    assert scenes[2]["voice"] == "en-us+f3" and scenes[0]["voice"] == "en-us+m3"


def test_video_gen_errors_name_the_scene(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("video: {title: x}\nscenes:\n  - type: slideshow\n    visual_content: {}\n")
    result = run("import", "--from", "video-gen", str(bad), "--site", str(tmp_path))
    assert result.exit_code == 1 and "scene 1 (no id): unknown type `slideshow`" in result.output


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_imports_to_the_same_scenes_as_its_automatic_build(path: Path, tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    assert run("import", str(path), "--site", str(tmp_path)).exit_code == 0
    imported = parse_page(tmp_path / "content" / f"{path.stem}.md", f"{path.stem}.md")
    automatic = parse_page(path, path.name)
    assert _scenes(imported) == _scenes(automatic)
    assert "```scene " in (tmp_path / "content" / f"{path.stem}.md").read_text()


def test_imported_corpus_page_builds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "config.toml").write_text(CONFIG)
    assert run("import", str(FIXTURES / "corpus/requests-readme.md"), "--site", str(site)).exit_code == 0
    assert run("build", str(site)).exit_code == 0


def test_transcript_becomes_scenes_whose_narration_is_the_cue_text(site_factory) -> None:
    site = site_factory({}, CONFIG)
    src = FIXTURES / "import/talk.vtt"
    assert run("import", "--from", "transcript", str(src), "--site", str(site)).exit_code == 0
    page = parse_page(site / "content/talk.md", "talk.md")
    cues = parse_cues(src.read_text())
    assert len(page.scenes) == 3  # split at the two pauses of 3 s
    assert " ".join(s.narration for s in page.scenes) == " ".join(c[2] for c in cues)
    assert "Second, builds are incremental." in page.scenes[1].narration  # voice tags removed
    assert run("build", str(site)).exit_code == 0


def test_txt_docx_and_pdf_import(site_factory, tmp_path: Path) -> None:
    import docx

    site = site_factory({}, CONFIG)
    txt = tmp_path / "notes.txt"
    txt.write_text("Release notes\n\nThis release is faster.\n\nIt also fixes two bugs.\n")
    doc = docx.Document()
    doc.add_heading("Setup guide", 0)
    doc.add_heading("Install", 1)
    doc.add_paragraph("Install the package with pip.")
    doc.add_paragraph("Fast", style="List Bullet")
    doc.add_paragraph("Small", style="List Bullet")
    doc.save(tmp_path / "setup.docx")
    (tmp_path / "report.pdf").write_bytes(_pdf(["Quarterly report", "Revenue grew in every region."]))
    for f in ("notes.txt", "setup.docx", "report.pdf"):
        result = run("import", str(tmp_path / f), "--section", "imported", "--site", str(site))
        assert result.exit_code == 0, result.output
    setup = parse_page(site / "content/imported/setup.md", "imported/setup.md")
    assert setup.title == "Setup guide" and [s.type for s in setup.scenes] == ["title", "list", "outro"]
    assert setup.scenes[1].fields["items"] == ["Fast", "Small"]
    report = parse_page(site / "content/imported/report.md", "imported/report.md")
    assert any("Revenue grew in every region." in (s.narration or "") for s in report.scenes)
    assert run("build", str(site)).exit_code == 0
    assert (site / "output/imported/notes/video.mp4").exists()


def _pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with text, built by hand (no PDF writer needed)."""
    text = "BT /F1 18 Tf 72 720 Td " + " ".join(f"({l}) Tj 0 -28 Td" for l in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_yaml_pages_build_and_report_lines(site_factory) -> None:
    page = "title: From YAML\naccent: pink\nscenes:\n  - type: title\n    title: From YAML\n    narration: Hi.\n" \
           "  - type: list\n    header: Points\n    items: [a, b]\n"
    site = site_factory({"content/y.yaml": page}, CONFIG)
    assert run("build", str(site)).exit_code == 0
    m = manifest(site, "y")
    assert m["title"] == "From YAML" and [s["type"] for s in m["scenes"]] == ["title", "list"]
    (site / "content/y.yaml").write_text(page + "  - type: quote\n    attribution: nobody\n")
    result = run("build", str(site))
    assert result.exit_code == 1 and "content/y.yaml:10: scene `quote`: missing field `quote_text`" in result.output


def test_new_site_and_wizard(tmp_path: Path) -> None:
    assert run("new", "site", str(tmp_path / "docs")).exit_code == 0
    assert (tmp_path / "docs/.gitignore").exists() and (tmp_path / "docs/layouts").is_dir()
    from click.testing import CliRunner

    from vidsite.cli import main

    target = tmp_path / "docs/content/howto.md"
    answers = "How to deploy\nfemale\ntitle,nonsense\ntitle,command,outro\n"
    result = CliRunner().invoke(main, ["new", "page", str(target)], input=answers)
    assert result.exit_code == 0, result.output
    assert "Title [Howto]:" in result.output and "unknown scene type `nonsense`" in result.output
    page = parse_page(target, "howto.md")
    assert page.title == "How to deploy" and page.voice == "female"
    assert [s.type for s in page.scenes] == ["title", "command", "outro"]
    quiet = tmp_path / "docs/content/quick-start.md"
    assert run("new", "page", "--no-input", str(quiet)).exit_code == 0
    assert [s.type for s in parse_page(quiet, "q.md").scenes] == ["title", "list", "outro"]
    assert run("new", "page", "--no-input", str(quiet)).exit_code == 1  # no overwrite
    (tmp_path / "docs/config.toml").write_text((tmp_path / "docs/config.toml").read_text()
                                               .replace("width = 1920", "width = 160").replace("height = 1080", "height = 90"))
    assert run("build", str(tmp_path / "docs")).exit_code == 0


def test_schema_covers_frontmatter_and_every_scene_type() -> None:
    data = json.loads(run("schema").output)
    assert len(data["scenes"]) == 16 and "accent" in data["frontmatter"]["properties"]
    assert data["scenes"]["quiz"]["required"] == ["question", "options", "correct_answer"]
    assert data["scenes"]["list"]["additionalProperties"] is False


def test_readme_api_examples_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    (tmp_path / "config.toml").write_text(CONFIG)
    readme = Path(__file__).parent.parent / "README.md"
    failures, tried = doctest.testfile(str(readme), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert tried >= 5 and failures == 0
