"""Every way in: importers, YAML pages, the Python API, the wizard, the schema."""

from __future__ import annotations

import doctest
import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FIXTURES, manifest, run

from vidsite.content.importers import parse_cues
from vidsite.content.parse import parse_page
from vidsite.content.scenes import COMMON, SCENE_TYPES
from vidsite.narrate.templates import narrate

CONFIG = 'title = "x"\n[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'
CORPUS = sorted(p for p in (FIXTURES / "corpus").glob("*.md") if p.name != "SOURCES.md")


def _scenes(page):  # type: ignore[no-untyped-def]
    """What a page's scenes show and say: fields as their type reads them (defaults filled in) and the
    narration as spoken (written out, or the template's)."""
    return [(s.type, _fields(s), narrate(s, page.language), s.voice, s.min_duration, s.max_duration) for s in page.scenes]


def _fields(scene):  # type: ignore[no-untyped-def]
    visual = {k: v for k, v in scene.fields.items() if not k.startswith("_")}
    return SCENE_TYPES[scene.type].model_validate(visual).model_dump(exclude=COMMON)


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
    written = (tmp_path / "content" / f"{path.stem}.md").read_text()
    assert "```scene " in written
    frozen = [s for s in imported.scenes if s.narration is not None]
    assert all(s.narration != narrate(replace(s, narration=None)) for s in frozen)  # only what templates miss
    assert len(frozen) < len(imported.scenes)


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
    assert any("Revenue grew in every region." in narrate(s) for s in report.scenes)
    assert run("build", str(site)).exit_code == 0
    assert (site / "output/imported/notes/video.mp4").exists()


SAMPLE = """# Deploy guide

Deploying takes two steps.

- Build the site
- Upload the output

Run the build with the draft quality first, so you can look at it:

```bash
vidsite build --quality draft
```
"""


def test_imported_narration_is_written_only_where_a_template_would_not_say_it(tmp_path: Path) -> None:
    src, site = tmp_path / "deploy.md", tmp_path / "site"
    src.write_text(SAMPLE)
    (site / "content").mkdir(parents=True)
    automatic = parse_page(src, src.name)
    beyond = sum(narrate(s) != narrate(replace(s, narration=None)) for s in automatic.scenes)
    for flag, written in (("--freeze-narration", len(automatic.scenes)), (None, beyond)):
        assert run("import", str(src), "--site", str(site), "--force", *([flag] if flag else [])).exit_code == 0
        target = site / "content/deploy.md"
        assert target.read_text().count("\nnarration:") == written
        assert _scenes(parse_page(target, "deploy.md")) == _scenes(automatic)
        target.write_text(target.read_text().replace("- Upload the output", "- Upload the output to S3"))
        items = next(s for s in parse_page(target, "deploy.md").scenes if s.type == "list")
        assert ("Upload the output to S3" in narrate(items)) == (flag is None)  # an edit is spoken unless frozen
    assert 0 < beyond < len(automatic.scenes)


def test_a_translated_page_keeps_its_language(tmp_path: Path) -> None:
    src, site = tmp_path / "guia.es.md", tmp_path / "site"
    src.write_text("# Guía de instalación\n\nInstale el paquete con pip.\n\n- Rápido\n- Pequeño\n", encoding="utf-8")
    (site / "content").mkdir(parents=True)
    result = run("import", str(src), "--site", str(site))
    assert result.exit_code == 0, result.output
    target = site / "content/guia.es.md"  # the name keeps the language, for a site's translations
    assert "language: es" in target.read_text(encoding="utf-8")  # and the page says it, for any site
    page = parse_page(target, target.name)
    assert page.language == "es" and page.title == "Guía de instalación"
    said = " ".join(narrate(s, page.language) for s in page.scenes)
    assert "Instale el paquete con pip." in said and "Thanks for watching" not in said


TEXT = r"""Release Notes
=============

Long paths like \\?\C:\very\long\path work now; *stars*, _underscores_ and <b>tags</b> stay as typed.
# this line goes on the paragraph

KNOWN ISSUES

• Slow on 2 cores
* Large PDFs
    take a while
1. Update first
2) Then restart
"""
VERBATIM = (r"Long paths like \\?\C:\very\long\path work now; *stars*, _underscores_ and <b>tags</b> stay as typed. "
            "# this line goes on the paragraph")


def test_plain_text_is_read_as_text_not_markdown(tmp_path: Path) -> None:
    from vidsite.content.importers import text_markdown
    from vidsite.content.markdown import parse

    blocks = [(t.type, "".join(c.content for c in t.children or [] if c.type == "text")) for t in parse(text_markdown(TEXT))
              if t.type == "inline" or t.type.endswith("list_open") or t.type == "heading_open"]
    assert blocks == [("heading_open", ""), ("inline", "Release Notes"), ("inline", VERBATIM),
                      ("heading_open", ""), ("inline", "KNOWN ISSUES"),
                      ("bullet_list_open", ""), ("inline", "Slow on 2 cores"), ("inline", "Large PDFs take a while"),
                      ("ordered_list_open", ""), ("inline", "Update first"), ("inline", "Then restart")]
    src, site = tmp_path / "notes.txt", tmp_path / "site"
    src.write_text(TEXT)
    (site / "content").mkdir(parents=True)
    assert run("import", str(src), "--site", str(site)).exit_code == 0
    page = parse_page(site / "content/notes.md", "notes.md")
    assert page.title == "Release Notes"
    lists = [s.fields for s in page.scenes if s.type == "list"]
    assert [f["items"] for f in lists] == [["Slow on 2 cores", "Large PDFs take a while"], ["Update first", "Then restart"]]
    assert lists[0]["header"] == "KNOWN ISSUES"


def test_plain_text_reaches_the_slide_verbatim(tmp_path: Path) -> None:
    from vidsite.render.inline import plain

    src, site = tmp_path / "notes.txt", tmp_path / "site"
    src.write_text(TEXT)
    (site / "content").mkdir(parents=True)
    assert run("import", str(src), "--site", str(site)).exit_code == 0
    page = parse_page(site / "content/notes.md", "notes.md")
    shown = [plain(v) for s in page.scenes for v in s.fields.values() if isinstance(v, str)]
    assert VERBATIM in shown


def _pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with text, built by hand (no PDF writer needed)."""
    text = "BT /F1 18 Tf 72 720 Td " + " ".join(f"({l}) Tj 0 -28 Td" for l in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
         "/Resources << /Font << /F1 5 0 R >> >> >>"),
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
    assert set(data["scenes"]) == set(SCENE_TYPES) and "table" in data["scenes"]
    assert "accent" in data["frontmatter"]["properties"]
    assert data["scenes"]["quiz"]["required"] == ["question", "options", "correct_answer"]
    assert data["scenes"]["list"]["additionalProperties"] is False


def test_readme_api_examples_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    (tmp_path / "config.toml").write_text(CONFIG)
    readme = Path(__file__).parent.parent / "README.md"
    failures, tried = doctest.testfile(str(readme), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert tried >= 5 and failures == 0
