"""`vidsite serve` in a real browser (Debian's chromium driven by Playwright), plus HTTP safety."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from conftest import free_port, make_site, ms, secs

PAGE = """---
title: Served
accent: green
---

```scene title
title: Served page
narration: This page is served live.
```

```scene list
header: Two things
items: [First thing, Second thing]
narration: Here are two things. First thing, and second thing.
```

```scene image
src: red.png
caption: A red card
narration: Scene three is a red card.
```

```scene outro
main_text: The end
narration: That is all for now.
```
"""
OTHER = "```scene title\ntitle: Other\nnarration: Another page.\n```\n"


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)  # sent as written: no client-side normalisation of .. or %2e
    resp = conn.getresponse()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()


def _status(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_vidsite/status", timeout=5) as r:
        return json.load(r)


@pytest.fixture
def served(tmp_path: Path):
    site = make_site(tmp_path / "site", {"content/p.md": PAGE, "content/other.md": OTHER},
                     config='title = "Served"\n[video]\nwidth = 640\nheight = 360\n[tts]\nengine = "espeak"\n')
    (site / "static").mkdir()
    Image.new("RGB", (200, 120), "#FF0000").save(site / "static/red.png")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "serve", "--port", str(port), str(site)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if _status(port)["builds"] >= 1:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("vidsite serve did not start:\n" + (proc.stdout.read() if proc.stdout else ""))
    yield site, port
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    try:
        assert proc.wait(timeout=secs(10)) == 0, proc.stdout.read() if proc.stdout else ""
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("vidsite serve did not stop on Ctrl-C")


SEEK_AND_READ = """async (t) => {
  const v = document.querySelector('video');
  if (v.readyState < 1) await new Promise(r => v.addEventListener('loadedmetadata', r, {once: true}));
  v.pause();
  v.currentTime = t;
  await new Promise(r => v.addEventListener('seeked', r, {once: true}));
  await new Promise(r => setTimeout(r, 100));
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(v, 0, 0);
  return Array.from(ctx.getImageData(Math.floor(c.width / 2), Math.floor(c.height / 2), 1, 1).data);
}"""


def test_video_plays_seeks_and_has_captions(served, browser) -> None:
    site, port = served
    manifest = json.loads((site / ".vidsite/preview/p/manifest.json").read_text())
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{port}/p/")
    # plays to its end
    ended = page.evaluate("""async () => {
      const v = document.querySelector('video');
      v.muted = true; v.playbackRate = 8;
      await v.play();
      await new Promise(r => v.addEventListener('ended', r, {once: true}));
      return [v.ended, v.currentTime, v.duration];
    }""")
    assert ended[0] and abs(ended[2] - manifest["duration"]) < 0.1, ended
    # the middle of scene 3 shows scene 3's slide: the red image at the centre
    s3 = manifest["scenes"][2]
    r, g, b, _ = page.evaluate(SEEK_AND_READ, (s3["start"] + s3["end"]) / 2)
    assert r > 200 and g < 60 and b < 60, (r, g, b)
    s1 = manifest["scenes"][0]
    r, g, b, _ = page.evaluate(SEEK_AND_READ, (s1["start"] + s1["end"]) / 2)
    assert not (r > 200 and g < 60 and b < 60), "scene 1 should not be red"
    # captions load as a text track with every cue of the VTT file
    cues = page.evaluate("""async () => {
      const t = document.querySelector('track[kind=captions]');
      t.track.mode = 'hidden';
      if (t.readyState !== 2) await new Promise(r => t.addEventListener('load', r, {once: true}));
      return t.track.cues.length;
    }""")
    vtt = (site / ".vidsite/preview/p/captions.en.vtt").read_text()
    assert cues == len(re.findall(r"-->", vtt)) > 0


def test_edit_reloads_the_page_and_rebuilds_only_it(served, browser) -> None:
    site, port = served
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{port}/p/")
    page.wait_for_function("window.__vidsiteLive === true")
    # pause inside scene 1, which the edit (to the outro) does not change: the time survives the reload
    page.evaluate(SEEK_AND_READ, 1.0)
    page.evaluate("window.__marker = 1")
    source = site / "content/p.md"
    source.write_text(source.read_text().replace("That is all for now.", "That is all for today, thanks."))
    saved = time.time()
    page.wait_for_function("window.__marker === undefined && window.__vidsiteLive === true", timeout=ms(5))
    assert time.time() - saved < 5
    manifest = json.loads(page.evaluate("fetch('manifest.json').then(r => r.text())"))
    assert manifest["scenes"][3]["narration"] == "That is all for today, thanks."
    status = _status(port)
    assert status["last_build"]["built"] == ["p"] and status["last_build"]["pages_built"] == 1
    page.wait_for_function("document.querySelector('video').currentTime > 0.9", timeout=ms(5))
    assert abs(page.evaluate("document.querySelector('video').currentTime") - 1.0) < 0.05


def test_broken_yaml_shows_an_overlay_until_fixed(served, browser) -> None:
    site, port = served
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{port}/p/")
    page.wait_for_function("window.__vidsiteLive === true")
    source = site / "content/p.md"
    good = source.read_text()
    source.write_text(good.replace("items: [First thing, Second thing]", "items: [First thing, Second thing"))
    overlay = page.wait_for_selector("#vidsite-overlay", timeout=ms(5))
    assert re.search(r"content/p\.md:1[0-9]: scene `list` is not valid YAML", overlay.inner_text())
    assert _status(port)["last_error"] and (site / ".vidsite/preview/p/video.mp4").exists()
    # a reload while broken still shows it
    page.reload()
    page.wait_for_selector("#vidsite-overlay", timeout=ms(5))
    source.write_text(good)
    page.wait_for_selector("#vidsite-overlay", state="detached", timeout=ms(5))
    page.wait_for_function("document.querySelector('video') && document.querySelector('video').readyState >= 1",
                           timeout=ms(5))
    assert _status(port)["last_error"] is None


def test_only_files_inside_output_are_served(served) -> None:
    site, port = served
    (site / ".vidsite/preview/leak").symlink_to(site / "config.toml")
    (site / ".vidsite/preview/leakdir").symlink_to(site)
    for path in ("/../config.toml", "/%2e%2e/config.toml", "/%2E%2E/%2e%2e/etc/passwd", "/leak",
                 "/leakdir/config.toml", "/p/../../config.toml", "/..%2fconfig.toml"):
        status, _, body = _get(port, path)
        assert status == 404 and b"title" not in body, path
    status, headers, body = _get(port, "/p/video.mp4")
    assert status == 200 and headers["content-type"] == "video/mp4" and headers["accept-ranges"] == "bytes"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/p/video.mp4", headers={"Range": "bytes=100-199"})
    resp = conn.getresponse()
    assert resp.status == 206 and resp.getheader("Content-Range").startswith("bytes 100-199/")
    assert resp.read() == (site / ".vidsite/preview/p/video.mp4").read_bytes()[100:200]
    assert _get(port, "/p/captions.en.vtt")[1]["content-type"].startswith("text/vtt")
    assert _get(port, "/p/manifest.json")[1]["content-type"].startswith("application/json")
    html = _get(port, "/p/")[2].decode()
    assert "/_vidsite/live.js" in html and "/_vidsite/live.js" not in (site / ".vidsite/preview/p/index.html").read_text()


def test_pages_are_served_before_they_are_built_and_content_dir_is_watched(tmp_path: Path) -> None:
    """The server answers at once: a page not built yet shows its build's progress (not a 404) and is
    built before the others; the configured content_dir (not content/) is what is watched."""
    pages = {f"docs/p{i}.md": f"```scene title\ntitle: Page {i}\nnarration: Page number {i}.\n```\n" for i in range(6)}
    site = make_site(tmp_path / "site", pages, config='title = "Docs"\ncontent_dir = "docs"\n[video]\nwidth = 320\n'
                                                      'height = 180\n[tts]\nengine = "espeak"\n')
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "serve", "--port", str(port), str(site)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                status, _, body = _get(port, "/p5/")
                break
            except OSError:
                time.sleep(0.05)
        assert status == 200 and (b"Building this page" in body or b"<video" in body)
        while b"<video" not in body and time.time() < deadline:  # the progress page's own test: it is built
            time.sleep(0.1)
            status, _, body = _get(port, "/p5/")
        assert b"<video" in body
        while _status(port)["builds"] < 1 and time.time() < deadline:
            time.sleep(0.1)
        assert _get(port, "/nothing-here/")[0] == 404  # once the pages are known, others are 404s
        (site / "docs/p2.md").write_text(pages["docs/p2.md"].replace("number 2", "number two"))
        while _status(port)["builds"] < 2 and time.time() < deadline + 30:
            time.sleep(0.1)
        assert _status(port)["last_build"]["built"] == ["p2"]
        assert "number two" in (site / ".vidsite/preview/p2/manifest.json").read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=secs(10))


def test_the_preview_is_rebuilt_in_place_once_a_burst_of_saves_settles(tmp_path: Path) -> None:
    """The dev server writes its preview where it serves it: an edit rewrites that page's files and the
    indexes, and leaves the other pages' folders as they are (no clone of the whole preview, which cost
    a 500-page site most of an edit); a burst of saves is one rebuild, once it has settled."""
    from vidsite.options import BuildOptions
    from vidsite.rebuild import QUIET, Builder, State

    site = make_site(tmp_path / "site", {f"content/p{i}.md": f"```scene title\ntitle: P{i}\nnarration: Page {i}.\n```\n"
                                         for i in range(3)})
    preview = site / ".vidsite/preview"
    state = State()
    builder = Builder(site, state, BuildOptions(output=preview))
    builder.build_once()
    assert state.last_build["pages_built"] == 3
    kept = {name: (preview / name).stat().st_ino for name in ("p0", "p0/video.mp4", "p1/manifest.json")}

    builder.start()
    try:
        page = site / "content/p2.md"
        for k in range(5):  # an editor saving, then saving again, faster than QUIET
            page.write_text(page.read_text().replace(f"Page 2{'.' if k == 0 else f' v{k - 1}.'}", f"Page 2 v{k}."))
            builder.request()
            time.sleep(QUIET / 4)
        deadline = time.monotonic() + secs(30)
        while state.builds < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        builder.stop()
    assert state.builds == 2, "one rebuild for the burst"
    assert state.last_build["built"] == ["p2"]
    assert json.loads((preview / "p2/manifest.json").read_text())["scenes"][0]["narration"] == "Page 2 v4."
    assert {name: (preview / name).stat().st_ino for name in kept} == kept, "untouched pages were cloned"
    assert not list(site.glob(".vidsite/.preview.staging*")) and not list(preview.glob(".*staging*"))
