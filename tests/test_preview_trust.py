"""`vidsite serve` as a preview you can trust: it never writes what `vidsite deploy` publishes,
and a rebuild reloads only the pages whose files changed, keeping the viewer's place."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import FACTOR, free_port, make_site, ms, run


CONFIG = 'title = "Preview"\nbase_url = "https://docs.example.com/"\n[video]\nwidth = 320\nheight = 180\n' \
         '[tts]\nengine = "espeak"\n'
A = """---
title: Page A
---

```scene title
title: Page A
narration: This first scene talks for a while, long enough that three seconds in we are still inside it, and then some more words.
```

```scene list
header: Two things
items: [First thing, Second thing]
narration: Here are two things.
```

```scene outro
main_text: The end
narration: That is all for now.
```
"""
B = "---\ntitle: Page B\n---\n\n```scene title\ntitle: Page B\nnarration: Another page.\n```\n"


def _status(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_vidsite/status", timeout=5) as r:
        return json.load(r)


@pytest.fixture
def served(tmp_path: Path):
    site = make_site(tmp_path / "site", {"content/a.md": A, "content/b.md": B}, config=CONFIG)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "serve", "--port", str(port), str(site)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90 * FACTOR
    while True:  # the server answers once its first build is done
        try:
            if _status(port)["builds"] >= 1:
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("vidsite serve did not start:\n" + (proc.stdout.read() if proc.stdout else ""))
            time.sleep(0.1)
    yield site, port
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10 * FACTOR)
    except subprocess.TimeoutExpired:
        proc.kill()


PLAY_TO = """async ([t, limit]) => {
  const v = document.querySelector('video');
  const work = (async () => {
    v.muted = true;
    if (v.readyState < 1) await new Promise(r => v.addEventListener('loadedmetadata', r, {once: true}));
    v.currentTime = t - 0.3;
    await new Promise(r => v.addEventListener('seeked', r, {once: true}));
    await v.play();
    await new Promise(r => { const f = () => v.currentTime >= t ? r() : requestAnimationFrame(f); f(); });
    return v.currentTime;
  })();
  const late = new Promise((_, no) => setTimeout(() => no(new Error('video did not play to ' + t)), limit));
  return Promise.race([work, late]);  // page.evaluate has no timeout of its own
}"""


def _open_playing(browser, port: int, at: float):
    page = browser.new_page()
    page.set_default_timeout(ms(10))
    page.goto(f"http://127.0.0.1:{port}/a/")
    page.wait_for_function("window.__vidsiteLive === true")
    assert page.evaluate(PLAY_TO, [at, ms(20)]) >= at
    page.evaluate("window.__marker = 1")
    return page


def test_an_edit_of_another_page_leaves_the_open_page_playing(served, browser) -> None:
    site, port = served
    page = _open_playing(browser, port, 3.0)
    builds = _status(port)["builds"]
    (site / "content/b.md").write_text(B.replace("Another page.", "Another page, edited."))
    # the rebuild's event arrives; the old rule reloaded every open page on it
    page.wait_for_function("window.__vidsiteSkipped >= 1 || window.__marker === undefined", timeout=ms(30))
    assert page.evaluate("window.__marker") == 1, "page a was reloaded by an edit of page b"
    assert _status(port)["builds"] == builds + 1 and _status(port)["last_build"]["built"] == ["b"]
    assert page.evaluate("[document.querySelector('video').paused, document.querySelector('video').currentTime]") \
        [0] is False


def test_an_edit_of_a_later_scene_reloads_at_the_same_place_still_playing(served, browser) -> None:
    site, port = served
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/a/manifest.json", timeout=5) as r:
        manifest = json.load(r)
    assert manifest["scenes"][0]["end"] > 3.5, manifest["scenes"][0]  # 0:03 lies in the first scene
    page = _open_playing(browser, port, 3.0)
    (site / "content/a.md").write_text(A.replace("That is all for now.", "That is all for today, thanks."))
    page.wait_for_function("window.__marker === undefined && window.__vidsiteRestored !== undefined",
                           timeout=ms(30))
    place = page.evaluate("window.__vidsiteRestored")
    assert 3.0 <= place["time"] < manifest["scenes"][0]["end"] and place["playing"] is True, place
    page.wait_for_function("(() => { const v = document.querySelector('video');"
                           " return !v.paused && v.currentTime > %f; })()" % place["time"])
    after = json.loads(page.evaluate("fetch('manifest.json', {cache: 'no-store'}).then(r => r.text())"))
    assert after["scenes"][2]["narration"] == "That is all for today, thanks."


def test_an_edit_of_the_first_scene_reloads_from_the_start(served, browser) -> None:
    site, port = served
    page = _open_playing(browser, port, 3.0)
    (site / "content/a.md").write_text(A.replace("This first scene", "The first scene"))
    page.wait_for_function("window.__marker === undefined && window.__vidsiteLive === true", timeout=ms(30))
    assert page.evaluate("window.__vidsiteRestored") is None
    assert page.evaluate("document.querySelector('video').currentTime") < 1.0


def test_serve_never_writes_what_deploy_publishes(served, tmp_path: Path) -> None:
    site, _ = served
    preview = json.loads((site / ".vidsite/preview/a/manifest.json").read_text())
    assert preview["quality"] == "draft" and not (site / "output").exists()
    target = f"file://{tmp_path / 'www'}"
    refused = run("deploy", target, "--site", str(site))
    assert refused.exit_code == 1 and "vidsite build" in refused.output and not (tmp_path / "www").exists()
    assert run("build", str(site)).exit_code == 0
    done = run("deploy", target, "--site", str(site))
    assert done.exit_code == 0, done.output
    for url in ("a", "b"):
        page = json.loads((tmp_path / "www" / url / "manifest.json").read_text())
        assert page["quality"] == "final" and (page["width"], page["height"]) == (320, 180)
    html = (tmp_path / "www/a/index.html").read_text()
    assert "localhost" not in html and "https://docs.example.com/a/" in html


def test_a_title_edit_reloads_that_page_and_the_index_only(tmp_path: Path) -> None:
    from vidsite.options import BuildOptions
    from vidsite.rebuild import Builder, State, changed_pages

    site = make_site(tmp_path / "site", {"content/a.md": A, "content/b.md": B}, config=CONFIG)
    builder = Builder(site, State(), BuildOptions(quality="draft", output=site / ".vidsite/preview"))
    builder.build_once()
    before = builder._snapshot()
    builder.build_once()  # nothing changed: nothing reloads, though the build ran
    assert changed_pages(before, builder._snapshot()) == {}
    (site / "content/b.md").write_text(B.replace("title: Page B", "title: Page B, renamed"))
    builder.build_once()
    changed = changed_pages(before, builder._snapshot())
    assert set(changed) == {"", "b"}, changed  # the index lists b's title; a is untouched
    assert changed["b"]["unchanged_until"] is not None
