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


# scenes beyond the fixture's one-per-type page, drawn at the fixture's size
EXTRA: dict[str, tuple[str, dict]] = {
    "table": ("table", {
        "header": "Server options", "caption": "What `vidsite serve` accepts", "columns": ["Option", "Default", "Meaning"],
        "align": ["left", "center", "left"],
        "rows": [["`--port`", "8000", "The port to listen on"],
                 ["`--host`", "127.0.0.1", "The address to bind; `0.0.0.0` listens on every interface"],
                 ["`--watch`", "off", "Rebuild what changed and reload the browser"]]}),
    "markdown-inline": ("markdown", {
        "header": "Inline `markup`",
        "text": "Run `uvicorn main:my_awesome_api` with **bold**, *italic*, a [link](https://example.com), "
                "<kbd>Ctrl</kbd>+<kbd>C</kbd> and ~~strike~~; user_id and NO_COLOR=1 keep their underscores.\n\n"
                "- a **bullet** with `code`\n- a second bullet"}),
}


def render_extra() -> dict[str, Image.Image]:
    from vidsite.config import load_config
    from vidsite.render.slides import render
    from vidsite.render.theme import load_theme
    from vidsite.scenes import get

    config = load_config(SITE)
    theme = load_theme(config.theme, SITE / "layouts")
    return {name: render(kind, get(kind).fields.model_validate(fields).model_dump(), {"reveal": 99}, theme, "orange",
                         config.video.width, config.video.height) for name, (kind, fields) in EXTRA.items()}


# slides mixing scripts, each character in a face that has it: name -> (type, fields, right-to-left)
SCRIPTS: dict[str, tuple[str, dict, bool]] = {
    "scripts-chinese-latin": ("markdown", {
        "header": "main：main.py 文件", "text": "运行 `python main.py` 之后，打开 http://localhost:8000/docs 查看 API 文档。"
        "配置文件 config.toml 里的 base_url 决定链接。"}, False),
    "scripts-japanese-code": ("list", {
        "header": "日本語の getConfig() と loadData 関数", "description": "",
        "items": ["getConfig() は設定を読み込みます", "loadData(path) がデータを返す", "エラーは ValueError です"]}, False),
    "scripts-arabic-quote": ("quote", {"quote_text": "الحكمة ضالة المؤمن، فحيث وجدها فهو أحق بها",
                                       "attribution": "حديث"}, True),
    "scripts-cjk-code": ("code", {
        "header": "中文注释", "language": "python", "caption": "",
        "code": "# 中文注释: 打印问候\nprint('你好, world')  # 输出\nname = \"世界\"  # 韩国어 한국어"}, False),
    "scripts-hebrew-list": ("list", {"header": "רשימה עברית", "description": "",
                                     "items": ["שלום עולם", "קובץ בשם main.py כאן", "גרסה 3.12 ומעלה"]}, True),
    "scripts-russian-title": ("title", {"title": "Привет, мир: Русский заголовок",
                                        "subtitle": "Ελληνικά · हिन्दी पाठ · 한국어 텍스트"}, False),
}


def render_scripts() -> dict[str, Image.Image]:
    """The mixed-script slides at 960×540, where a reviewer can read every glyph."""
    from vidsite.render.slides import render
    from vidsite.render.theme import load_theme
    from vidsite.scenes import get

    theme = load_theme("default", None)
    return {name: render(kind, get(kind).fields.model_validate(fields).model_dump(), {"reveal": 99}, theme, "purple",
                         960, 540, rtl=rtl) for name, (kind, fields, rtl) in SCRIPTS.items()}


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, image in {**render_all(), **render_extra(), **render_scripts()}.items():
        image.save(GOLDEN / f"{name}.png", optimize=True)
        print(f"wrote {GOLDEN / name}.png")
