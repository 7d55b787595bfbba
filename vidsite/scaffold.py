"""`vidsite new site|page`: starting points an author edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vidsite.content.importers import write_page

EXAMPLE_FIELDS: dict[str, dict[str, Any]] = {
    "title": {"title": "{title}", "subtitle": "What this video covers"},
    "list": {"header": "Key points", "items": ["First point", "Second point", "Third point"]},
    "command": {"header": "Try it", "commands": ["$ echo hello"]},
    "quote": {"quote_text": "Simple things should be simple.", "attribution": "Alan Kay"},
    "code_comparison": {"header": "Before and after", "before_code": "x = x + 1\n", "after_code": "x += 1\n"},
    "outro": {"main_text": "Thanks for watching", "sub_text": "{title}"},
    "learning_objectives": {"lesson_title": "{title}", "objectives": ["Understand the idea", "Try it yourself"]},
    "problem": {"problem_number": 1, "title": "A small problem", "problem_text": "Describe the task here."},
    "solution": {"title": "One solution", "solution_code": "print('hello')\n", "explanation": "Why it works."},
    "quiz": {"question": "Which is right?", "options": ["This one", "That one"], "correct_answer": "This one"},
    "checkpoint": {"checkpoint_number": 1, "completed_topics": ["The basics"], "next_topics": ["More"]},
    "exercise": {"title": "Practice", "instructions": ["Do this", "Then that"], "estimated_time": "5 minutes"},
    "code": {"header": "Example", "language": "python", "code": "print('hello')\n"},
    "image": {"src": "diagram.png", "caption": "Put diagram.png in static/"},
    "markdown": {"header": "Notes", "text": "A short paragraph shown on the slide."},
}


def example_scenes(types: list[str], title: str) -> list[tuple[str, dict[str, Any]]]:
    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{title}", title)
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return [(t, {k: fill(v) for k, v in EXAMPLE_FIELDS[t].items()}) for t in types]


def page_text(title: str, voice: str, types: list[str], accent: str = "blue") -> str:
    return write_page({"title": title, "voice": voice, "accent": accent}, example_scenes(types, title))


def new_site(root: Path, title: str) -> list[Path]:
    if root.exists() and any(root.iterdir()):
        from vidsite.errors import VidsiteError

        raise VidsiteError(f"{root} exists and is not empty; choose a new folder")
    files = {
        "config.toml": f'title = "{title}"\nbase_url = "http://localhost:1313/"\nlanguage = "en"\n\n[video]\n'
                       'width = 1920\nheight = 1080\nfps = 30\n\n[tts]\nengine = "auto"\nvoice = "male"\n',
        "content/_index.md": f"---\ntitle: {title}\n---\n",
        "content/welcome.md": page_text("Welcome", "female", ["title", "list", "outro"], "blue"),
        "content/guide/first-steps.md": page_text("First steps", "male", ["title", "command", "code", "outro"],
                                                  "green"),
        "layouts/README.md": "Override the theme here: theme.toml (colours, fonts) and page.html, index.html.\n",
        "static/README.md": "Images used by scenes (`src: diagram.png`) go here.\n",
        ".gitignore": "/output/\n/.vidsite/\n",
    }
    written = []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
