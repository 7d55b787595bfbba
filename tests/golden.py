"""Golden frames: one PNG per scene type, rendered from tests/fixtures/all-scenes.

Regenerate after an intended visual change:  python tests/golden.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

HERE = Path(__file__).parent
SITE = HERE / "fixtures/all-scenes"
GOLDEN = HERE / "golden"


def final_state(scene) -> dict:  # type: ignore[no-untyped-def]
    state = {"reveal": 99}
    if scene.type == "quiz":
        state["answer"] = True
    return state


def render_all() -> dict[str, Image.Image]:
    from vidsite.config import load_config
    from vidsite.content.discover import discover
    from vidsite.render.slides import render
    from vidsite.render.theme import load_theme

    config = load_config(SITE)
    theme = load_theme(config.theme, SITE / "layouts")
    pages, _ = discover(SITE, config)
    page = pages[0]
    return {
        s.type: render(s.type, s.fields, final_state(s), theme, page.accent, config.video.width, config.video.height)
        for s in page.scenes
    }


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, image in render_all().items():
        image.save(GOLDEN / f"{name}.png", optimize=True)
        print(f"wrote {GOLDEN / name}.png")
