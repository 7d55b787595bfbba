"""`vidsite new site|page`: starting points an author edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vidsite.content.importers import write_page
from vidsite.scenes import TYPES, get

# Each type's example, by name (read by tests and tools; the examples live with their types).
EXAMPLE_FIELDS: dict[str, dict[str, Any]] = {name: dict(kind.example) for name, kind in TYPES.items()}


def example_scenes(types: list[str], title: str) -> list[tuple[str, dict[str, Any]]]:
    """Each type's example scene, `{title}` in its text replaced by the page's title."""

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{title}", title)
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return [(t, {k: fill(v) for k, v in get(t).example.items()}) for t in types]


def page_text(title: str, voice: str, types: list[str], accent: str = "blue") -> str:
    return write_page({"title": title, "voice": voice, "accent": accent}, example_scenes(types, title))


def new_site(root: Path, title: str) -> list[Path]:
    if root.exists() and any(root.iterdir()):
        from vidsite.errors import VidsiteError

        raise VidsiteError(f"{root} exists and is not empty; choose a new folder")
    files = {
        "config.toml": f'title = "{title}"\n# base_url: the public address the site is served from (canonical, og: and sitemap URLs).\n'
                       '# `vidsite deploy` refuses a localhost or relative one: set it before deploying.\n'
                       'base_url = "http://localhost:1313/"\nlanguage = "en"\n\n[video]\n'
                       'width = 1920\nheight = 1080\nfps = 30\n\n[tts]\nengine = "auto"\nvoice = "male"\n',
        "content/_index.md": f"---\ntitle: {title}\n---\n",
        "content/welcome.md": page_text("Welcome", "female", ["title", "list", "outro"], "blue"),
        "content/guide/first-steps.md": page_text("First steps", "male", ["title", "command", "code", "outro"],
                                                  "green"),
        "layouts/README.md": "Override the theme here: theme.toml (colours, fonts) and page.html, index.html.\n"
                             "Images used by scenes (`src: diagram.png`) go in static/, which is published as it is.\n",
        ".gitignore": "/output/\n/.vidsite/\n",
    }
    written = []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    (root / "static").mkdir()  # empty: everything in it is published, so notes about it live in layouts/README.md
    written.append(root / "static")
    return written
