"""One owner for the cache: prune keeps what the current pages use, wherever they were built; translations
are counted and pruned; speech engines take their settings when made."""

from __future__ import annotations

import re

from conftest import run

from vidsite.cache import Cache, key_of

CONFIG = 'title = "x"\n[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'
PAGE = "```scene title\ntitle: A\nnarration: One. Two.\n```\n\n```scene list\nheader: L\nitems: [x, y]\n```\n"


def _count(output: str, kind: str) -> int:
    return int(re.search(rf"{kind}\s+(\d+)\s", output).group(1))


def test_prune_after_building_elsewhere_keeps_every_entry_in_use(site_factory, tmp_path) -> None:
    site = site_factory({"content/a.md": PAGE, "content/b.md": PAGE.replace("One.", "Uno.")}, CONFIG)
    other = tmp_path / "other"
    assert run("build", str(site), "-o", str(other)).exit_code == 0
    assert not (site / "output").exists()
    before = run("cache", "stats", str(site)).output
    assert _count(before, "segments") > 0 and _count(before, "audio") == 3  # a take a scene; the lists' is shared
    assert run("cache", "prune", str(site)).output.startswith("removed 0 entries")
    again = run("build", str(site), "-o", str(tmp_path / "third"))
    assert "0 clips synthesised" in again.output and "0 segments encoded" in again.output, again.output

    (site / "content/b.md").unlink()  # b's own entries are no longer used; a's are
    result = run("cache", "prune", str(site))
    removed = int(re.match(r"removed (\d+) entries", result.output).group(1))
    assert removed >= 3  # at least b's first clip, its audio takes and its page record
    after = run("cache", "stats", str(site)).output
    assert _count(after, "audio") == 2
    kept = run("build", str(site), "-o", str(tmp_path / "fourth"))
    assert "0 clips synthesised" in kept.output and "0 segments encoded" in kept.output, kept.output


def test_an_edited_pages_old_entries_are_pruned(site_factory, tmp_path) -> None:
    site = site_factory({"content/a.md": PAGE}, CONFIG)
    assert run("build", str(site), "-o", str(tmp_path / "one")).exit_code == 0
    cache = Cache(site / ".vidsite/cache")
    old_audio = {key_of(files[0]) for files in cache.entries("audio")}
    (site / "content/a.md").write_text(PAGE.replace("Two.", "Three."))
    assert run("build", str(site), "-o", str(tmp_path / "two")).exit_code == 0
    assert len(cache.entries("audio")) == 3  # the title's take, old and new, and the list's
    removed = int(re.match(r"removed (\d+) entries", run("cache", "prune", str(site)).output).group(1))
    assert removed >= 3  # the clip "Two.", the title's old take and the old page record
    audio = {key_of(files[0]) for files in cache.entries("audio")}
    assert len(audio) == 2 and len(audio & old_audio) == 1  # the list's take is still in use
    assert not any("two" in files[0].name for files in cache.entries("clips"))
    kept = run("build", str(site), "-o", str(tmp_path / "three"))
    assert "0 clips synthesised" in kept.output and "0 segments encoded" in kept.output, kept.output


def test_translations_are_counted_and_pruned_when_unused(api, site_factory) -> None:
    config = CONFIG + f'[narration]\nbase_url = "{api.url}"\n[languages.en]\n[languages.es]\n'
    site = site_factory({"content/install.md": "---\ntitle: Install\n---\n\nInstall it like this.\n"}, config)
    source = site / "content/install.md"
    assert run("translate", str(source), "--to", "es", "--site", str(site)).exit_code == 0
    assert _count(run("cache", "stats", str(site)).output, "translations") == 1
    assert run("cache", "prune", str(site)).exit_code == 0
    assert _count(run("cache", "stats", str(site)).output, "translations") == 1  # still what translate would ask
    source.write_text("---\ntitle: Install\n---\n\nInstall it like that.\n")
    assert run("cache", "prune", str(site)).exit_code == 0
    assert _count(run("cache", "stats", str(site)).output, "translations") == 0


def test_one_layout_for_every_kind(tmp_path) -> None:
    cache = Cache(tmp_path)
    seg = cache.segment("code", "abc123")
    assert seg == tmp_path / "segments/code-abc123.mp4" and cache.poster(seg).suffix == ".jpg"
    assert key_of(cache.audio("f00")) == "f00" and key_of(cache.clip("k1", "Hello there.")[0]) == "k1"
    assert cache.translation("pt-BR", "99").name == "pt-BR-99.json"
    cache.record_page("v1", {"segments": ["b", "a"], "audio": ["x"]})
    assert cache.page_uses("v1") == {"clips": [], "segments": ["a", "b"], "audio": ["x"], "ai": []}


def test_engines_take_their_settings_when_made() -> None:
    from vidsite.config import TTSConfig
    from vidsite.speech.base import Engine, get_engine

    tts = TTSConfig(edge_url="ws://127.0.0.1:9/x", retries=1, retry_backoff=0.1, timeout=3)
    edge = get_engine("edge", tts, fallback=True)
    assert isinstance(edge, Engine) and edge.online
    assert (edge.url, edge.retries, edge.backoff, edge.timeout, edge.breaker) == ("ws://127.0.0.1:9/x", 1, 0.1, 3, True)
    assert get_engine("edge", tts, fallback=False).breaker is False
    espeak = get_engine("espeak", tts)
    assert not espeak.online and espeak.probe(1.0) is None  # offline engines always speak: the default probe
