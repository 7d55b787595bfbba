"""Narration written from a scene's visual fields when the author gave none."""

from __future__ import annotations

from typing import Any, Callable

from vidsite.content.auto import clean
from vidsite.models import Scene


def sentence(*parts: str) -> str:
    """Join fragments into sentences, adding a full stop only where one is missing."""
    out = []
    for part in parts:
        part = clean(part).strip()
        if not part:
            continue
        out.append(part if part[-1] in ".!?:…" else part + ".")
    return " ".join(out)


def spoken_list(items: list[str]) -> str:
    items = [clean(i).rstrip(".") for i in items if clean(i)]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _title(f: dict[str, Any]) -> str:
    return sentence(f["title"], f.get("subtitle", ""))


def _list(f: dict[str, Any]) -> str:
    return sentence(f["header"], f.get("description", ""), *f["items"])


def _command(f: dict[str, Any]) -> str:
    n = len(f["commands"])
    what = f.get("description") or f.get("header") or ""
    return sentence(what, f"Run {'this command' if n == 1 else 'these commands'} in your terminal")


def _quote(f: dict[str, Any]) -> str:
    by = f.get("attribution", "")
    return sentence(f"{'As ' + by + ' said' if by else 'Remember'}: {f['quote_text']}")


def _code_comparison(f: dict[str, Any]) -> str:
    return sentence(f.get("header", ""), f"On the left, {f['before_label']}. On the right, {f['after_label']}")


def _outro(f: dict[str, Any]) -> str:
    return sentence(f["main_text"], f.get("sub_text", ""), "Thanks for watching")


def _objectives(f: dict[str, Any]) -> str:
    return sentence(f"In {f['lesson_title']}, you will learn", *f["objectives"])


def _problem(f: dict[str, Any]) -> str:
    return sentence(f"Problem {f['problem_number']}: {f['title']}", f["problem_text"])


def _solution(f: dict[str, Any]) -> str:
    return sentence(f.get("title", "Solution"), f.get("explanation", "") or "Here is one way to solve it")


def _quiz(f: dict[str, Any]) -> str:
    return sentence(f["question"], *f["options"], "Take a moment to think")


def _checkpoint(f: dict[str, Any]) -> str:
    done = spoken_list(f.get("completed_topics", []))
    nxt = spoken_list(f.get("next_topics", []))
    return sentence(
        f"Checkpoint {f['checkpoint_number']}",
        f"So far we covered {done}" if done else "",
        *f.get("review_questions", []),
        f"Next up: {nxt}" if nxt else "",
    )


def _exercise(f: dict[str, Any]) -> str:
    time = f.get("estimated_time", "")
    return sentence(f"Exercise: {f['title']}", *f["instructions"], f"This should take about {time}" if time else "")


def _code(f: dict[str, Any]) -> str:
    return sentence(f.get("header", "") or "Here is the code", f.get("caption", ""))


def _image(f: dict[str, Any]) -> str:
    return sentence(f.get("caption", "") or f.get("alt", "") or "Take a look at this image")


def _markdown(f: dict[str, Any]) -> str:
    return sentence(f.get("header", ""), f["text"])


TEMPLATES: dict[str, Callable[[dict[str, Any]], str]] = {
    "title": _title, "list": _list, "command": _command, "quote": _quote,
    "code_comparison": _code_comparison, "outro": _outro, "learning_objectives": _objectives,
    "problem": _problem, "solution": _solution, "quiz": _quiz, "checkpoint": _checkpoint,
    "exercise": _exercise, "code": _code, "image": _image, "markdown": _markdown,
}


def narrate(scene: Scene) -> str:
    """The text to speak for a scene: the author's, else the type's template."""
    if scene.narration and scene.narration.strip() and scene.narration.strip().lower() != "ai":
        return scene.narration.strip()
    return TEMPLATES[scene.type](scene.fields)
