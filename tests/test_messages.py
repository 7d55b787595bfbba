"""vidsite's own words in the page's language: the catalogs, the lookup, and what built pages say and show."""

from __future__ import annotations

import gettext
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from conftest import ESPEAK, manifest, run
from fake_edge import FakeEdge

from vidsite import messages
from vidsite.messages import _, n_, placeholders, reviewed, speaking
from vidsite.render.slides import render
from vidsite.render.theme import load_theme
from vidsite.scenes import COMMON, TYPES, spoken_list
from vidsite.scenes.canvas import Canvas

LOCALE = messages.LOCALE_DIR
REQUIRED = {"es", "fr", "de", "pt", "it", "nl", "ru", "ja", "zh", "ko", "ar", "hi"}
COMPILE = "run `pybabel compile -d vidsite/locale -D vidsite`"


def _read(path: Path) -> Any:
    with path.open("rb") as fp:
        return read_po(fp)


ENGLISH = [m.id for m in _read(LOCALE / "vidsite.pot") if m.id]  # a counting message's id is (singular, plural)


def english_in(text: str) -> list[str]:
    """The catalog's English messages found in `text` (each by its words between placeholders)."""
    found = []
    for message in (form for m in ENGLISH for form in (m if isinstance(m, tuple) else (m,))):
        pieces = [p.strip(" ,.:") for p in re.split(r"\{\w+\}", message)]
        if any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in pieces if len(re.findall(r"\w", p)) >= 3):
            found.append(message)
    return found


def test_each_compiled_catalog_matches_its_source() -> None:
    sources = sorted(LOCALE.glob("*/LC_MESSAGES/vidsite.po"))
    assert {p.parent.parent.name for p in sources} >= REQUIRED
    for po in sources:
        mo = po.with_suffix(".mo")
        assert mo.is_file(), f"{mo} is missing: {COMPILE}"
        with mo.open("rb") as fp:
            compiled = gettext.GNUTranslations(fp)
        catalog = _read(po)
        plural = gettext.c2py(catalog.plural_expr)
        stale = [m.id for m in catalog if m.id and (
            any(compiled.ngettext(*m.id, n) != m.string[plural(n)] for n in range(30)) if m.pluralizable
            else compiled.gettext(m.id) != m.string)]
        assert not stale, f"{mo} is older than {po.name} ({stale[:3]}): {COMPILE}"


def test_every_language_translates_every_message_keeping_its_placeholders() -> None:
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/vidsite.po")):
        catalog = [m for m in _read(po) if m.id]
        assert {m.id for m in catalog} == set(ENGLISH), f"{po}: msgids differ from vidsite.pot"
        for m in catalog:
            forms = m.string if m.pluralizable else (m.string,)
            assert all(f.strip() for f in forms) and not m.fuzzy, f"{po}: {m.id!r} is not translated"
            wanted = sorted(placeholders(m.id[-1] if m.pluralizable else m.id))
            assert all(sorted(placeholders(f)) == wanted for f in forms), f"{po}: {m.id!r} → {m.string!r}"


def test_every_message_the_code_uses_is_in_the_catalog() -> None:
    package = Path(messages.__file__).parent
    used = {msg for _f, _l, msg, _c, _x in extract_from_dir(package, method_map=[("**.py", "python")],
                                                            keywords={"_": None, "N_": None, "n_": (1, 2)})}
    assert len(used) > 30  # the extraction sees the scene modules
    assert not used - set(ENGLISH), f"add to vidsite/locale/vidsite.pot and every .po: {sorted(used - set(ENGLISH))}"
    assert set(reviewed()) >= REQUIRED | {"en"}


def test_lookup_follows_the_language_being_spoken() -> None:
    assert _("Run") == "Run"
    with speaking("es"):
        assert _("Run") == "Ejecutar" and _("Checkpoint {number}", number=3) == "Punto de control 3"
        with speaking("ja"):
            assert _("Thanks for watching") == "ご視聴ありがとうございました"
        assert _("Thanks for watching") == "Gracias por ver este video"
    with speaking("pt-BR"):
        assert _("Solution") == "Solução"
    with speaking("ru"):
        assert [n_("{count} more line", "{count} more lines", n) for n in (1, 3, 5)] == [
            "ещё 1 строка", "ещё 3 строки", "ещё 5 строк"]
    with speaking("el"):  # no reviewed catalog: vidsite's words go, the page's stay
        assert _("Run") == ""
        assert _("Exercise: {title}", title="Ασκήσεις") == "Ασκήσεις"
        assert _("Problem {number}: {title}", number=2, title="Λίστες") == "2, Λίστες"
    assert messages.current() == "en"


@pytest.mark.parametrize(("language", "said"), [
    ("en", "one, two, and three"), ("es", "one, two y three"), ("ja", "one、two、three"), ("zh", "one、two和three"),
    ("el", "one, two και three"), ("xx", "one, two, three"),
])
def test_lists_are_joined_in_the_language_being_spoken(language: str, said: str) -> None:
    with speaking(language):
        assert spoken_list(["one", "two", "three"]) == said


def _page_fields(kind: Any) -> dict[str, Any]:
    """The type's example as a page would give it: only the required fields and lists, every word
    replaced by a token (so defaults and built-in words are what the type adds)."""
    tokens = iter(f"Ω{i}" for i in range(1000))

    def tokenised(value: Any) -> Any:
        if isinstance(value, list):
            return [tokenised(v) for v in value]
        return next(tokens) if isinstance(value, str) else value

    data: dict[str, Any] = {}
    for name, value in kind.example.items():
        if name in kind.code_fields | kind.kept_fields:
            data[name] = value
        elif isinstance(value, list) or kind.fields.model_fields[name].is_required():
            data[name] = tokenised(value)
    return kind.fields.model_validate(data).model_dump(exclude=COMMON)


def _drawn(monkeypatch: pytest.MonkeyPatch, kind: str, fields: dict[str, Any], language: str) -> str:
    """Every string the slide's draw code writes, at full reveal with the answer shown."""
    seen: list[str] = []
    text = Canvas.text

    def recording(self: Canvas, s: str, *args: Any, **kw: Any) -> float:
        seen.append(s)
        return text(self, s, *args, **kw)

    monkeypatch.setattr(Canvas, "text", recording)
    render(kind, fields, {"answer": True}, load_theme("default", None), "blue", 320, 180, language=language)
    return "\n".join(seen)


@pytest.mark.parametrize("language", ["es", "zh", "ja"])
def test_every_scene_type_speaks_and_draws_its_own_words_in_the_page_language(monkeypatch, language) -> None:
    for name, kind in TYPES.items():
        fields = _page_fields(kind)
        said, drawn = kind.narrate(fields, language), _drawn(monkeypatch, name, fields, language)
        assert not english_in(said), (name, said)
        assert not english_in(drawn), (name, drawn)
    with speaking(language):
        assert _("Run") in _drawn(monkeypatch, "command", {"header": "", "description": "", "commands": ["ls"]}, language)


def test_english_pages_keep_their_words(monkeypatch) -> None:
    fields = _page_fields(TYPES["checkpoint"])
    assert TYPES["checkpoint"].narrate(fields, "en").startswith("Checkpoint 1. So far we covered Ω0")
    assert "Run" in _drawn(monkeypatch, "command", {"header": "", "description": "", "commands": ["ls"]}, "en")


def test_a_language_without_a_catalog_keeps_only_the_page_words(monkeypatch) -> None:
    for name, kind in TYPES.items():
        fields = _page_fields(kind)
        said, drawn = kind.narrate(fields, "el"), _drawn(monkeypatch, name, fields, "el")
        assert not english_in(said) and not english_in(drawn), (name, said, drawn)
        for key in ("title", "lesson_title", "question", "quote_text", "main_text", "problem_text"):
            if isinstance(fields.get(key), str) and fields[key]:
                assert fields[key] in said, (name, key, said)


SCENES = """
```scene command
commands: ["pip install vidsite"]
```

```scene code_comparison
before_code: "x = x + 1"
after_code: "x += 1"
```

```scene solution
solution_code: "print(42)"
```

```scene checkpoint
checkpoint_number: 2
completed_topics: [{a}, {b}]
next_topics: [{c}]
```

```scene quiz
question: {q}
options: [{a}, {b}]
correct_answer: 0
```

```scene callout
kind: warning
text: {c}
```

```scene exercise
title: {a}
instructions: [{b}]
```

```scene problem
title: {b}
problem_text: {c}
```

```scene outro
main_text: {q}
```
"""
WORDS = {"es": {"a": "Listas", "b": "Tablas", "c": "Imágenes", "q": "¿Qué hace pip?"},
         "zh": {"a": "列表", "b": "表格", "c": "图片", "q": "pip 做什么？"},
         "ja": {"a": "リスト", "b": "テーブル", "c": "画像", "q": "pip は何をしますか？"}}


def _edge_config(url: str) -> str:
    return f"""
title = "Docs"
[video]
width = 160
height = 90
[tts]
engine = "edge"
edge_url = "{url}"
retry_backoff = 0.01
"""


@pytest.fixture
def edge():
    server = FakeEdge().start()
    yield server
    server.stop()


def _page(language: str, body: str) -> str:
    return f"---\ntitle: {WORDS[language]['q']}\nlanguage: {language}\n---\n\n{body}"


def test_spanish_chinese_and_japanese_pages_have_no_english_filler(edge, site_factory) -> None:
    files = {f"content/p{lang}.md": _page(lang, SCENES.format(**words)) for lang, words in WORDS.items()}
    site = site_factory(files, _edge_config(edge.url))
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    assert len(edge.texts) >= 3 * 9  # every scene spoken, sentence by sentence
    for lang, words in WORDS.items():
        m = manifest(site, f"p{lang}")
        assert m["language"] == lang and m["scenes"][0]["voice"].startswith(lang)
        said = " ".join(s["narration"] for s in m["scenes"])
        shown = " ".join(str(s["fields"]) + s["title"] for s in m["scenes"])
        assert not english_in(said), said
        assert not english_in(shown), shown
        assert not english_in((site / f"output/p{lang}/chapters.vtt").read_text(encoding="utf-8"))
        with speaking(lang):
            assert _("Run this command in your terminal") in said and _("Thanks for watching") in said
        assert all(word in said for word in words.values()), said
    assert not english_in(" ".join(edge.texts))


PLAIN = {"es": "# Guía\n\nUna guía breve.\n\n## Instalar\n\nInstala el paquete.\n\n```bash\n$ pip install vidsite\n```\n\n"
               "## Código\n\n```python\nprint(1)\n```\n",
         "zh": "# 指南\n\n简短的指南。\n\n## 安装\n\n安装这个包。\n\n```bash\n$ pip install vidsite\n```\n\n"
               "## 代码\n\n```python\nprint(1)\n```\n",
         "ja": "# ガイド\n\n短いガイドです。\n\n## インストール\n\nパッケージを入れます。\n\n```bash\n$ pip install vidsite\n```\n\n"
               "## コード\n\n```python\nprint(1)\n```\n"}


def test_plain_markdown_pages_have_no_english_filler(edge, site_factory) -> None:
    files = {f"content/g{lang}.md": f"---\nlanguage: {lang}\n---\n\n{text}" for lang, text in PLAIN.items()}
    site = site_factory(files, _edge_config(edge.url))
    assert run("build", str(site)).exit_code == 0
    for lang in PLAIN:
        m = manifest(site, f"g{lang}")
        said = " ".join(s["narration"] for s in m["scenes"])
        shown = " ".join(str(s["fields"]) + s["title"] for s in m["scenes"])
        assert not english_in(said) and not english_in(shown), (lang, said, shown)
        with speaking(lang):
            assert _("Thanks for watching") in said and "pip install vidsite" in shown


def test_a_language_without_a_catalog_is_named_in_one_warning(site_factory, caplog) -> None:
    messages._warn_unreviewed.cache_clear()
    body = "```scene command\ncommands: [ls]\n```\n\n```scene exercise\ntitle: Ασκήσεις\ninstructions: [Τρέξε το]\n```\n"
    files = {f"content/{n}.md": f"---\ntitle: Οδηγός {n}\nlanguage: el\n---\n\n{body}" for n in ("a", "b")}
    site = site_factory(files, ESPEAK)
    with caplog.at_level(logging.WARNING, logger="vidsite"):
        assert run("build", str(site)).exit_code == 0
    named = [r.getMessage() for r in caplog.records if "language `el`" in r.getMessage()]
    assert len(named) == 1, named
    said = " ".join(s["narration"] for s in manifest(site, "a")["scenes"])
    assert "Ασκήσεις" in said and "Τρέξε το" in said and not english_in(said), said


@pytest.mark.parametrize("language", ["en", "es", "ja"])
def test_an_outro_that_says_the_closing_words_says_them_once(language: str) -> None:
    with speaking(language):
        thanks = _("Thanks for watching")
    said = TYPES["outro"].narrate({"main_text": thanks + "!", "sub_text": "Guide"}, language)
    assert said.count(thanks) == 1 and "Guide" in said, said
