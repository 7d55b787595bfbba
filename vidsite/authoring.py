"""The authoring commands: start sites and pages, import documents and reference YAML, translate
pages, list voices, print the scene schema. Registered on the `vidsite` group in cli.py."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.argument("pages", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "languages", required=True, help="Comma-separated language codes, e.g. es,fr.")
@click.option("--engine", type=click.Choice(["ai"]), default="ai", show_default=True, help="Who translates.")
@click.option("--force", is_flag=True, help="Overwrite translations that exist.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Site folder (for config and cache).")
def translate(pages: tuple[Path, ...], languages: str, engine: str, force: bool, site_dir: Path) -> None:
    """Write PAGE.<lang>.md next to each PAGE, translated by Claude, for a person to review.

    Frontmatter titles, scene text and narration are translated; code, commands and file names
    are left byte-identical. Needs ANTHROPIC_API_KEY and `pip install 'vidsite[ai]'`.
    """
    from vidsite.config import load_config
    from vidsite.translate import Translator, translate_page, translated_path

    config = load_config(site_dir)
    translator = Translator(config.narration, (site_dir / config.cache.dir).resolve())
    codes = [c.strip() for c in languages.split(",") if c.strip()]
    targets = [(page, code, translated_path(page, code)) for page in pages for code in codes]
    existing = [str(t) for _, _, t in targets if t.exists()]
    if existing and not force:
        raise click.ClickException(f"{existing[0]} exists; review it, or pass --force to overwrite")
    from vidsite.fsutil import atomic_write

    for page, code, target in targets:
        atomic_write(target, translate_page(page, code, translator))
        click.echo(f"wrote {target}")


@click.command()
@click.option("--language", "-l", help="Only this language (e.g. es, ja).")
def voices(language: str | None) -> None:
    """List voice aliases and each language's default voice, for both engines.

    Any edge-tts voice id (e.g. en-GB-SoniaNeural) or espeak voice (e.g. en-gb+f2) may also be
    given as `voice:` in config, frontmatter or a scene.
    """
    from vidsite.speech.espeak import reads
    from vidsite.speech.voices import ALIASES, LANGUAGES, base_language

    if not language:
        click.echo("aliases (English; on other languages they keep the gender where the engine can):")
        for alias, ids in ALIASES.items():
            click.echo(f"  {alias:<16} edge: {ids['edge']:<24} espeak: {ids['espeak']}")
        click.echo("")
    click.echo(f"{'language':<10}{'edge (default)':<28}{'espeak':<10}offline voice reads it")
    wanted = base_language(language) if language else None
    rows = [(k, v) for k, v in sorted(LANGUAGES.items()) if wanted in (None, k)]
    if not rows:
        raise click.ClickException(f"no voice for language `{language}`; known: {', '.join(sorted(LANGUAGES))}")
    for code, (edge, espeak) in rows:
        usable = ("yes" + (", kanji as kana" if code == "ja" else "")) if reads(espeak, code) else "no: spells it"
        click.echo(f"{code:<10}{edge:<28}{espeak:<10}{usable}")


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--from", "source", type=click.Choice(["auto", "video-gen", "transcript"]), default="auto",
              show_default=True, help="auto: .md .txt .pdf .docx documents; video-gen: the reference system's YAML "
                                      "(a video file, or a set: its folder or set_config.yaml); transcript: .vtt or .srt.")
@click.option("--section", default="", help="Folder under content/ to put the pages in.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".", help="Site folder.")
@click.option("--force", is_flag=True, help="Overwrite pages that exist.")
@click.option("--strict", is_flag=True, help="video-gen: fail, writing nothing, if any field with content would be "
              "dropped (identifiers and the reference's own output paths carry none: they are listed as ignored).")
@click.option("--freeze-narration", is_flag=True,
              help="Documents: write every scene's narration out (by default only narration a scene's template would "
                   "not say from its fields is written, so later edits to a slide are spoken).")
def import_(files: tuple[Path, ...], source: str, section: str, site_dir: Path, force: bool, strict: bool,
            freeze_narration: bool) -> None:
    """Turn documents, reference-system YAML or transcripts into pages with explicit scene blocks.

    The scenes are written out so you can edit them: the same scenes an automatic build makes
    from a document (guide.es.md stays Spanish; .txt is read as plain text: paragraphs, underlined
    or ALL-CAPS headings, bullet-like lines), the scenes, fields and voices of video_gen YAML (a
    set becomes a section, and each file's report says which fields were mapped, adapted or
    dropped, and why), or a transcript's cues grouped into scenes at pauses, with their text as
    narration.
    """
    from vidsite.content import importers
    from vidsite.fsutil import atomic_write, slugify

    if source == "video-gen":
        from vidsite.content.video_gen_pages import import_path

        pages = [page for file in files for page in import_path(file)]
        reports = list({id(p.report): p.report for p in pages}.values())
        for report in reports:
            click.echo(f"{report.source}:")
            for line in report.lines():
                click.echo(line, err=line.lstrip().startswith(("warning", "dropped")))
        dropped = [d for r in reports for d in r.dropped]  # identifiers and the reference's own paths carry nothing
        if strict and dropped:
            raise click.ClickException(f"--strict: {len(dropped)} field(s) with content would be dropped, nothing written:\n  "
                                       + "\n  ".join(dropped))
        targets = [(_content_dir(site_dir) / section / page.rel, page) for page in pages]
        for target, _ in targets:
            if target.exists() and not force:
                raise click.ClickException(f"{target} exists; pass --force to overwrite")
        for target, page in targets:
            atomic_write(target, importers.write_page(page.meta, page.scenes))
            click.echo(f"wrote {target} ({len(page.scenes)} scenes)")
        return
    for file in files:
        if file.is_dir():
            raise click.ClickException(f"{file} is a folder; only --from video-gen takes one (a set)")
        notes: list = []
        if source == "transcript":
            meta, scenes = importers.from_transcript(file)
        else:
            meta, scenes = importers.from_document(file, freeze_narration, notes)
        language = importers.language_of(file)
        stem = Path(file.stem).stem if language else file.stem  # guide.es.md → guide, and .es kept below
        target = _content_dir(site_dir) / section / f"{slugify(stem, 60)}{f'.{language}' if language else ''}.md"
        if target.exists() and not force:
            raise click.ClickException(f"{target} exists; pass --force to overwrite")
        atomic_write(target, importers.write_page({**meta, "_notes": [str(n) for n in notes]}, scenes))
        for note in notes:  # as `vidsite check` lists them; each is a comment at the top of the page too
            click.echo(f"not carried: {note}")
        click.echo(f"wrote {target} ({len(scenes)} scenes)")


@click.group()
def new() -> None:
    """Start a new site, or a new page with a short wizard."""


@new.command("site")
@click.argument("name", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--title", help="Site title (default: from NAME, or the docs tool's config).")
@click.option("--here", is_flag=True, help="Add a config.toml to the docs repository in this folder (or NAME), "
                                           "pointing at its pages: MkDocs, mdBook, Hugo, VitePress or Docusaurus.")
def new_site(name: Path | None, title: str | None, here: bool) -> None:
    """Create NAME/ with config.toml, example pages, layouts/, static/ and .gitignore; or, with
    --here, make the docs repository you have a site: its pages stay where they are."""
    from vidsite.scaffold import new_site as make

    if here:
        _docs_site(name or Path("."), title)
        return
    if name is None:
        raise click.UsageError("give the NAME of the new site's folder, or --here for the docs repository in this one")
    for path in make(name, title or name.name.replace("-", " ").title()):
        click.echo(f"  {path}")
    click.echo(f"next: cd {name} && vidsite build && open output/index.html")


def _docs_site(root: Path, title: str | None) -> None:
    """config.toml beside the docs tool's config, with content_dir at its pages' folder."""
    from vidsite.content.nav import docs_tool
    from vidsite.fsutil import atomic_write

    if not root.is_dir():
        raise click.ClickException(f"{root} is not a folder")
    tool = docs_tool(root)
    config = root / "config.toml"
    if config.exists():
        hugo = tool is not None and tool.name == "Hugo"
        raise click.ClickException(f"{config} exists" + ("; it is Hugo's: rename it hugo.toml (Hugo 0.110+ reads "
                                                         "that name) and run this again" if hugo else ""))
    if tool is None:
        raise click.ClickException(f"no docs tool's config in {root} (mkdocs.yml, book.toml with SUMMARY.md, a Hugo "
                                   "config, .vitepress/, docusaurus.config.*); for a new site run `vidsite new site NAME`")
    if Path(tool.content_dir).is_absolute() or ".." in Path(tool.content_dir).parts or not (root / tool.content_dir).is_dir():
        raise click.ClickException(f"{tool.name}'s pages should be in {tool.content_dir}/, which is not a folder here")
    name = title or tool.title or root.resolve().name.replace("-", " ").title()
    atomic_write(config, f"# vidsite: a narrated video of each page of this {tool.name} site.\n"
                         f"title = {json.dumps(name)}\ncontent_dir = {json.dumps(tool.content_dir)}\n"
                         "# base_url: the public address the videos are served from.\n"
                         'base_url = "http://localhost:1313/"\nlanguage = "en"\n\n[tts]\nengine = "auto"\n'
                         'voice = "male"\n')
    click.echo(f"{tool.name} site found: wrote {config} (content_dir = \"{tool.content_dir}\")")
    click.echo("next: add /output/ and /.vidsite/ to .gitignore, then vidsite build && open output/index.html")


@new.command("page")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Site folder: PATH is taken inside its content folder.")
@click.option("--title", help="Page title.")
@click.option("--voice", help="Voice alias or id.")
@click.option("--scenes", "types", help="Scene types, comma-separated (e.g. title,list,outro).")
@click.option("--no-input", is_flag=True, help="Do not ask: use the options given and defaults for the rest.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def new_page(path: Path, site_dir: Path, title: str | None, voice: str | None, types: str | None, no_input: bool,
             force: bool) -> None:
    """Write a new page at PATH in the content folder (`guide/install` is content/guide/install.md),
    asking for its title, voice and scene types (with defaults)."""
    from vidsite.content.scenes import SCENE_TYPES
    from vidsite.fsutil import atomic_write
    from vidsite.scaffold import page_text
    from vidsite.speech.voices import ALIASES

    path = _page_path(path, site_dir)
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; pass --force to overwrite")

    def scene_list(value: str) -> list[str]:
        names = [v.strip() for v in value.split(",") if v.strip()]
        bad = [n for n in names if n not in SCENE_TYPES]
        if bad or not names:
            raise click.BadParameter(f"unknown scene type `{bad[0] if bad else ''}`; choose from "
                                     f"{', '.join(SCENE_TYPES)}")
        return names

    default_title = path.stem.replace("-", " ").replace("_", " ").capitalize()
    if no_input:
        title, voice = title or default_title, voice or "male"
        chosen = scene_list(types or "title,list,outro")
    else:
        title = title or click.prompt("Title", default=default_title)
        voice = voice or click.prompt(f"Voice ({', '.join(ALIASES)} or an engine voice id)", default="male")
        chosen = scene_list(types) if types else click.prompt(
            "Scene types, comma-separated", default="title,list,outro", value_proc=scene_list)
    atomic_write(path, page_text(title, voice, chosen))
    click.echo(f"wrote {path} ({len(chosen)} scenes)")


def _content_dir(site_dir: Path) -> Path:
    """The site's pages folder: `content_dir` of its config.toml (`docs` in a docs repository)."""
    from vidsite.config import load_config

    return site_dir / (load_config(site_dir).content_dir if (site_dir / "config.toml").is_file() else "content")


def _page_path(path: Path, site_dir: Path) -> Path:
    """Where `vidsite new page PATH` writes: PATH inside the site's content folder (unless it names that
    folder already), with `.md` added (`guide/install` → content/guide/install.md). A path that would
    leave the content folder is refused: a page outside it is never built."""
    if path.is_absolute():  # the site it names, not the one in this folder
        site_dir = next((d for d in path.parents if (d / "config.toml").is_file()), site_dir)
    content = _content_dir(site_dir)
    if not path.name or path.name in (".", ".."):
        raise click.BadParameter("give the page's path, such as guide/install", param_hint="PATH")
    if path.suffix != ".md" and path.suffix[1:].isalpha():  # x.txt, not release-1.2
        raise click.BadParameter(f"{path}: a page is a .md file; leave the suffix out (guide/install)",
                                 param_hint="PATH")
    if path.suffix != ".md":
        path = path.with_name(path.name + ".md")
    target = path if path.is_absolute() else site_dir / path
    if not target.resolve().is_relative_to(content.resolve()) and not path.is_absolute():
        target = content / path
    if not target.resolve().is_relative_to(content.resolve()):
        raise click.BadParameter(f"{path} is outside the content folder {content}; give a path inside it, "
                                 "such as guide/install", param_hint="PATH")
    return target


@click.command()
@click.option("--type", "scene_type", help="Only this scene type's schema.")
def schema(scene_type: str | None) -> None:
    """Print the JSON Schema of frontmatter and of every scene type, for editors to validate with."""
    from vidsite.content.parse import FrontMatter
    from vidsite.content.scenes import SCENE_TYPES

    if scene_type:
        if scene_type not in SCENE_TYPES:
            raise click.ClickException(f"unknown scene type `{scene_type}`; use one of: {', '.join(SCENE_TYPES)}")
        click.echo(json.dumps(SCENE_TYPES[scene_type].model_json_schema(), indent=2))
        return
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "frontmatter": FrontMatter.model_json_schema(),
        "scenes": {name: model.model_json_schema() for name, model in SCENE_TYPES.items()},
    }
    click.echo(json.dumps(out, indent=2))
