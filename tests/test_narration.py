"""AI narration against a fake Messages API; pronunciations; captions; voices and cache commands."""

from __future__ import annotations

import json
import re

import pytest
from conftest import manifest, run
from fakes import FakeMessagesAPI

KEY = "sk-ant-test-SECRET-0123456789"
AI_PAGE = {"content/p.md": """
    ```scene list
    header: Why vidsite
    items: [Fast, Cached]
    narration: ai
    ```

    ```scene outro
    main_text: Bye
    narration: Written by hand.
    ```
"""}


def _config(url: str) -> str:
    return f'title = "ai"\n[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n' \
           f'[narration]\nbase_url = "{url}"\ntimeout = 1\n'


@pytest.fixture
def api():
    fake = FakeMessagesAPI()
    yield fake
    fake.stop()


def test_ai_narration_is_written_cleaned_and_cached(api, site_factory, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    site = site_factory(AI_PAGE, _config(api.url))
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    scenes = manifest(site, "p")["scenes"]
    # a URL is said as its host
    assert scenes[0]["narration"] == "Here is a friendly narration for the list slide. See example.com for more."
    assert scenes[1]["narration"] == "Written by hand."
    sent = {k.lower(): v for k, v in api.headers[0].items()}
    assert len(api.requests) == 1 and KEY in (sent.get("x-api-key"), sent.get("authorization", "").removeprefix("Bearer "))
    assert "Why vidsite" in api.requests[0]["messages"][0]["content"]
    # the key never reaches output, the cache or the log
    for path in list((site / "output").rglob("*")) + list((site / ".vidsite").rglob("*")):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in result.output
    # cached: a clean rebuild asks nothing, even without a key
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    import shutil

    shutil.rmtree(site / "output")
    assert run("build", str(site)).exit_code == 0
    assert len(api.requests) == 1
    assert manifest(site, "p")["scenes"][0]["narration"].startswith("Here is a friendly narration")


@pytest.mark.parametrize("failure", [500, 400, "slow"])
def test_ai_failures_fall_back_to_the_template_with_a_warning(api, site_factory, monkeypatch, failure) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    api.fail = [failure] * 5
    site = site_factory(AI_PAGE, _config(api.url))
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    assert "warning: 1 scenes use template narration" in result.output and KEY not in result.output
    assert manifest(site, "p")["scenes"][0]["narration"] == "Why vidsite. Fast. Cached."


def test_no_key_uses_the_template_and_asks_nothing(api, site_factory, monkeypatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    site = site_factory(AI_PAGE, _config(api.url))
    result = run("build", str(site))
    assert result.exit_code == 0 and "ANTHROPIC_API_KEY is not set" in result.output
    assert api.requests == []


def test_pronunciations_change_the_sound_not_the_captions(site_factory) -> None:
    page = {"content/p.md": "```scene title\ntitle: Web\nnarration: We put nginx in front.\n```\n",
            "pronunciations.toml": 'nginx = "engine x"\n'}
    site = site_factory(page)
    assert run("build", str(site)).exit_code == 0
    spoken = [json.loads(p.read_text())["text"] for p in (site / ".vidsite/cache/clips").glob("*.json")]
    assert spoken == ["We put engine x in front."]
    vtt = (site / "output/p/captions.en.vtt").read_text()
    assert "We put nginx in front." in vtt and "engine" not in vtt
    assert manifest(site, "p")["scenes"][0]["narration"] == "We put nginx in front."


def test_captions_are_short_and_split_at_sentences(site_factory) -> None:
    long = ("This first sentence is short. The second sentence, however, keeps going for quite a while, "
            "with clauses and more clauses, until it has to be split across cues. Open index.html now. Done.")
    site = site_factory({"content/p.md": f"```scene title\ntitle: T\nnarration: {long}\n```\n"})
    assert run("build", str(site)).exit_code == 0
    vtt = (site / "output/p/captions.en.vtt").read_text()
    cues = [c.split("\n")[2:] for c in vtt.strip().split("\n\n")[1:]]
    assert all(1 <= len(lines) <= 2 and all(len(l) <= 42 for l in lines) for lines in cues), cues
    texts = [" ".join(lines) for lines in cues]
    # "Done." alone would flash by for under 5/6 s: it shares the cue of the sentence before
    assert texts[0] == "This first sentence is short." and texts[-1] == "Open index.html now. Done."
    assert " ".join(texts) == long
    assert (site / "output/p/captions.en.srt").read_text().startswith("1\n00:00:00,")


def test_shared_sentence_is_synthesised_once_across_pages(site_factory) -> None:
    site = site_factory({
        "content/a.md": "```scene title\ntitle: A\nnarration: Welcome to the docs. This is page A.\n```\n",
        "content/b.md": "```scene title\ntitle: B\nnarration: Welcome to the docs. This is page B.\n```\n",
    })
    assert run("build", str(site)).exit_code == 0
    stats = json.loads((site / "output/build.json").read_text())
    assert (stats["clips_synthesised"], stats["clips_cached"]) == (3, 1)
    # half a cache file is a miss: re-synthesised, and the build succeeds
    wav = next((site / ".vidsite/cache/clips").glob("welcome*.wav"))
    wav.write_bytes(wav.read_bytes()[: wav.stat().st_size // 2])
    import shutil

    shutil.rmtree(site / "output")
    assert run("build", str(site)).exit_code == 0
    stats = json.loads((site / "output/build.json").read_text())
    assert (stats["clips_synthesised"], stats["clips_cached"]) == (1, 3)


def test_voices_lists_29_languages_for_both_engines() -> None:
    result = run("voices")
    rows = [l for l in result.output.splitlines() if re.match(r"^[a-z]{2,3}\s+\S+Neural\s+\S+\s+yes\b", l)]
    assert len(rows) >= 29  # and the offline voice reads every one of them
    assert "female" in result.output and "en-US-AriaNeural" in result.output
    assert run("voices", "--language", "es").output.count("Neural") == 1
    assert run("voices", "--language", "xx").exit_code == 1


def test_language_picks_the_default_voice(site_factory) -> None:
    site = site_factory({"content/p.md": "---\nlanguage: es\n---\n```scene title\ntitle: Hola\nnarration: Hola a todos.\n```\n"})
    assert run("build", str(site)).exit_code == 0
    assert manifest(site, "p")["scenes"][0]["voice"] == "es+m1" or manifest(site, "p")["scenes"][0]["voice"].startswith("es")


def test_cache_stats_and_prune(site_factory) -> None:
    site = site_factory({"content/a.md": "```scene title\ntitle: A\nnarration: One. Two.\n```\n"})
    assert run("build", str(site)).exit_code == 0
    (site / "content/a.md").write_text("```scene title\ntitle: A\nnarration: One. Three, four, five, six, seven.\n```\n")
    assert run("build", str(site)).exit_code == 0
    assert re.search(r"clips\s+3\s", run("cache", "stats", str(site)).output)
    assert "would remove" in run("cache", "prune", "--dry-run", str(site)).output
    result = run("cache", "prune", str(site))
    # the clip "Two.", the old audio take and page record (the slide did not change: its segment is in use)
    assert result.output.startswith("removed 3 entries")
    assert re.search(r"clips\s+2\s", run("cache", "stats", str(site)).output)
    shutil_rm = __import__("shutil").rmtree
    shutil_rm(site / "output")
    assert "0 clips synthesised" in run("build", str(site)).output
