"""Multilingual sites: translations by file name, a voice and captions per language, RTL, translate."""

from __future__ import annotations

import json
import re

import numpy as np

from conftest import decode, manifest, run

CONFIG = """
title = "Docs"
default_language = "en"
translation_fallback = "{fallback}"
[video]
width = 320
height = 180
[tts]
engine = "espeak"
[languages.en]
weight = 1
[languages.es]
title = "Documentos"
weight = 2
[languages.ja]
title = "ドキュメント"
weight = 3
"""


def _page(title: str, said: str, date: str = "2026-11-24") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n---\n\n```scene title\ntitle: {title}\nnarration: {said}\n```\n"


FILES = {
    "content/intro.md": _page("Welcome", "Welcome to the docs."),
    "content/intro.es.md": _page("Bienvenida", "Bienvenidos a la documentación."),
    "content/intro.ja.md": _page("ようこそ", "ドキュメントへようこそ。"),
    "content/guide/install.md": _page("Install", "Install it with pip."),
    "content/guide/install.es.md": _page("Instalar", "Instálalo con pip."),
    "content/guide/install.ja.md": _page("インストール", "ピップでインストールします。"),
}


def test_three_languages_build_with_links_voices_and_captions(site_factory) -> None:
    site = site_factory(FILES, CONFIG.format(fallback="skip"))
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    out = site / "output"
    for index, title in (("index.html", "Docs"), ("es/index.html", "Documentos"), ("ja/index.html", "ドキュメント")):
        html = (out / index).read_text()
        assert f"<h1>{title}</h1>" in html, index
    assert 'href="guide/install/index.html"' in (out / "es/index.html").read_text()
    assert 'lang="es" dir="ltr"' in (out / "es/index.html").read_text()
    for url, lang, voice in (("guide/install", "en", "en-us"), ("es/guide/install", "es", "es"),
                             ("ja/guide/install", "ja", "ja")):
        m = manifest(site, url)
        assert m["language"] == lang and m["scenes"][0]["voice"] == voice, (url, m["scenes"][0]["voice"])
        html = (out / url / "index.html").read_text()
        assert f'src="captions.{lang}.vtt" srclang="{lang}"' in html
        assert (out / url / f"captions.{lang}.vtt").read_text().startswith("WEBVTT")
        for other in ("", "es/", "ja/"):
            assert f'hreflang="{other.rstrip("/") or "en"}" href="/{other}guide/install/"' in html, (url, other)
        assert re.search(r'<nav class="languages".*español.*日本語', html)
    es = (out / "es/guide/install/index.html").read_text()
    assert "24 de noviembre de 2026" in es and "Transcripción" in es
    assert "2026年11月24日" in (out / "ja/guide/install/index.html").read_text()
    assert json.loads((out / "manifest.json").read_text())["languages"] == ["en", "es", "ja"]


def test_missing_translation_is_skipped_or_shown_with_a_notice(site_factory) -> None:
    files = {k: v for k, v in FILES.items() if k != "content/guide/install.ja.md"}
    skip = site_factory(files, CONFIG.format(fallback="skip"), name="skip")
    assert run("build", str(skip)).exit_code == 0
    assert not (skip / "output/ja/guide/install").exists()
    shown = site_factory(files, CONFIG.format(fallback="default"), name="shown")
    assert run("build", str(shown)).exit_code == 0
    html = (shown / "output/ja/guide/install/index.html").read_text()
    assert "このページはまだ翻訳されていません" in html and 'srclang="en"' in html
    assert manifest(shown, "ja/guide/install")["language"] == "en"
    assert 'href="guide/install/index.html"' in (shown / "output/ja/index.html").read_text()


def test_unconfigured_language_is_an_error(site_factory) -> None:
    site = site_factory({"content/a.md": "---\nlanguage: fr\n---\n# A\n\nText.\n"}, CONFIG.format(fallback="skip"))
    result = run("build", str(site))
    assert result.exit_code == 1 and "language `fr` is not configured" in result.output


def test_arabic_page_is_mirrored_and_rtl(site_factory) -> None:
    config = 'title = "x"\n[video]\nwidth = 320\nheight = 180\n[tts]\nengine = "espeak"\n[languages.en]\n[languages.ar]\n'
    site = site_factory({"content/p.md": _page("Hello", "Hello."),
                         "content/p.ar.md": "---\ntitle: مرحبا\n---\n\n```scene list\nheader: قائمة\nitems: [واحد, اثنان]\n"
                                            "narration: مرحبا بكم.\n```\n"}, config)
    assert run("build", str(site)).exit_code == 0
    html = (site / "output/ar/p/index.html").read_text()
    assert '<html lang="ar" dir="rtl">' in html
    frame = decode(site / "output/ar/p/video.mp4").frames[-1].astype(int)
    accent = np.array([0x3B, 0x82, 0xF6])
    assert np.abs(frame[90, -2] - accent).max() < 30 and np.abs(frame[90, 1] - accent).max() > 60
    english = decode(site / "output/p/video.mp4").frames[0].astype(int)
    assert np.abs(english[90, 1] - accent).max() < 30


SOURCE = """---
title: Install
description: Two commands
---

Install it like this:

```bash
pip install vidsite  # keep me
```

```scene command
header: Install
commands: ["$ pip install vidsite", "$ vidsite build"]
narration: Install with pip, then build.
```
"""


def test_translate_writes_files_that_build_and_keeps_code(api, site_factory) -> None:
    config = (f'title = "x"\n[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'
              f'[narration]\nbase_url = "{api.url}"\n[languages.en]\n[languages.es]\n[languages.fr]\n')
    site = site_factory({"content/install.md": SOURCE}, config)
    source = site / "content/install.md"
    result = run("translate", str(source), "--to", "es,fr", "--site", str(site))
    assert result.exit_code == 0, result.output
    es = (site / "content/install.es.md").read_text()
    assert "title: '[es] Install'" in es and "[es] Install it like this:" in es
    assert "```bash\npip install vidsite  # keep me\n```" in es  # code block byte-identical
    assert "- $ pip install vidsite" in es and "narration: '[es] Install with pip, then build.'" in es
    assert (site / "content/install.fr.md").exists()
    assert run("build", str(site)).exit_code == 0
    assert manifest(site, "es/install")["scenes"][0]["narration"] == "[es] Install with pip, then build."
    # no overwrite without --force
    refused = run("translate", str(source), "--to", "es", "--site", str(site))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert run("translate", str(source), "--to", "es", "--force", "--site", str(site)).exit_code == 0
    assert len(api.requests) == 2  # the forced rerun came from the translation cache
