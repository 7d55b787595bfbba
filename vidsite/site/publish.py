"""Publish: page HTML, the index, the site manifest; outputs of removed pages are taken away."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from vidsite.models import Page, Section
from vidsite.site.writer import clock, environment, file_entry, write_if_changed
from vidsite.speech.voices import RTL_LANGUAGES, base_language

LANG_NAMES = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch", "ja": "日本語", "zh": "中文",
              "ar": "العربية", "pt": "Português", "it": "Italiano", "ru": "Русский", "ko": "한국어", "he": "עברית"}


def _lang(code: str) -> dict[str, str]:
    base = base_language(code)
    return {"lang": code, "lang_name": LANG_NAMES.get(base, code), "dir": "rtl" if base in RTL_LANGUAGES else "ltr"}


def publish(ctx: Any, manifests: list[tuple[Page, dict[str, Any]]], sections: list[Section]) -> int:
    out: Path = ctx.out
    env = environment(ctx.root / "layouts", ctx.config.theme)
    site = ctx.config
    written = 0
    page_tpl = env.get_template("page.html")
    for page, manifest in manifests:
        depth = page.url.count("/") + 1
        html = page_tpl.render(
            site=site, page=page, accent=ctx.theme.accent(page.accent), root="../" * depth,
            files={"video": "video.mp4", "poster": "poster.jpg", "captions": "captions.vtt", "chapters": "chapters.vtt"},
            duration=clock(manifest["duration"]),
            scenes=[s | {"clock": clock(s["start"])} for s in manifest["scenes"]],
            **_lang(page.language),
        )
        written += write_if_changed(out / page.url / "index.html", html)

    by_section: dict[str, list[dict[str, Any]]] = {}
    for page, manifest in manifests:
        by_section.setdefault(page.section, []).append({
            "title": page.title, "description": page.description, "href": f"{page.url}/index.html",
            "poster": f"{page.url}/poster.jpg", "duration": clock(manifest["duration"]),
        })
    titled = {s.path: s for s in sections}
    groups = [{"title": titled[k].title if k in titled else "", "description": titled[k].description if k in titled else "",
               "pages": v} for k, v in sorted(by_section.items())]
    index = env.get_template("index.html").render(site=site, sections=groups, accent=ctx.theme.accent("blue"),
                                                  root="", **_lang(site.language))
    written += write_if_changed(out / "index.html", index)

    # Outputs of pages that no longer exist go, so the site manifest (and a CDN) only lists what is built.
    previous = _read(out / "manifest.json")
    current = {p.url for p, _ in manifests}
    for url in previous.get("pages", []):
        if url not in current and (out / url / "manifest.json").is_file():
            shutil.rmtree(out / url, ignore_errors=True)
            written += 1

    files: dict[str, Any] = {}
    for page, manifest in manifests:
        for name, entry in manifest["files"].items():
            files[f"{page.url}/{name}"] = entry
        for name in ("manifest.json", "index.html"):
            files[f"{page.url}/{name}"] = file_entry(out / page.url / name)
    files["index.html"] = file_entry(out / "index.html")
    site_manifest = {
        "title": site.title, "base_url": site.base_url, "language": site.language,
        "pages": sorted(current),
        "videos": [{"url": p.url + "/", "title": p.title, "duration": m["duration"], "language": p.language}
                   for p, m in manifests],
        "files": dict(sorted(files.items())),
    }
    written += write_if_changed(out / "manifest.json", json.dumps(site_manifest, indent=2, ensure_ascii=False) + "\n")
    return written


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
