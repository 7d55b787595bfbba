"""CDN-ready output and `vidsite deploy`, against a real S3-compatible server and a folder."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import run

CONFIG = 'title = "Docs"\nbase_url = "https://docs.example.com/"\nhashed_names = true\n' \
         '[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'
PAGES = {
    f"content/guide/p{i}.md": f"---\ntitle: Page {i}\ndescription: Page number {i}\ndate: 2026-11-0{i + 1}\n---\n\n"
                              f"```scene title\ntitle: Page {i}\nnarration: This is page {i}.\n```\n"
    for i in range(3)
}


def _remote(target: Path) -> dict:
    return json.loads((target / "manifest.json").read_text())


def _deploy(site: Path, target: str, *extra: str):
    return run("deploy", target, "--site", str(site), *extra)


def _uploaded(output: str) -> int:
    return int(re.search(r"uploaded (\d+) files", output).group(1))


def test_hashed_names_cache_control_and_manifest(site_factory) -> None:
    site = site_factory(PAGES, CONFIG)
    assert run("build", str(site)).exit_code == 0
    page = json.loads((site / "output/guide/p0/manifest.json").read_text())
    assert re.fullmatch(r"video\.[0-9a-f]{10}\.mp4", page["assets"]["video"])
    html = (site / "output/guide/p0/index.html").read_text()
    assert f'src="{page["assets"]["video"]}"' in html and 'property="og:video" content="https://docs.example.com/guide/p0/video.' in html
    files = json.loads((site / "output/manifest.json").read_text())["files"]
    assert files[f"guide/p0/{page['assets']['video']}"]["cache_control"] == "public, max-age=31536000, immutable"
    assert files["guide/p0/index.html"]["cache_control"].startswith("public, max-age=60")
    assert sorted(p.name for p in (site / "output/guide/p0").iterdir()) == sorted(
        ["index.html", "manifest.json", *page["assets"].values()])
    # an edit replaces the hashed files instead of piling them up
    (site / "content/guide/p0.md").write_text(PAGES["content/guide/p0.md"].replace("This is page 0.", "Page zero."))
    assert run("build", str(site)).exit_code == 0
    assert len(list((site / "output/guide/p0").iterdir())) == 8  # video, poster, captions ×2, chapters, storyboard, manifest, page


def test_sitemap_and_feeds_validate(site_factory) -> None:
    site = site_factory(PAGES, CONFIG)
    assert run("build", str(site)).exit_code == 0
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "v": "http://www.google.com/schemas/sitemap-video/1.1"}
    root = ET.parse(site / "output/sitemap.xml").getroot()
    assert root.tag == f"{{{ns['s']}}}urlset"
    videos = root.findall("s:url/v:video", ns)
    assert len(videos) == 3
    for url in root.findall("s:url", ns):
        assert url.find("s:loc", ns).text.startswith("https://docs.example.com/")
    for video in videos:
        for tag in ("thumbnail_loc", "title", "description", "content_loc", "duration"):
            assert video.find(f"v:{tag}", ns) is not None and video.find(f"v:{tag}", ns).text, tag
        assert 1 <= int(video.find("v:duration", ns).text) <= 28800
        assert video.find("v:content_loc", ns).text.endswith(".mp4")
    import feedparser

    feed = feedparser.parse((site / "output/feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 3
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        assert enclosure.type == "video/mp4" and int(enclosure.length) > 1000
        assert enclosure.href.startswith("https://docs.example.com/guide/")
    jf = json.loads((site / "output/feed.json").read_text())
    assert jf["version"] == "https://jsonfeed.org/version/1.1" and len(jf["items"]) == 3
    assert all(i["attachments"][0]["mime_type"] == "video/mp4" and i["date_published"] for i in jf["items"])


def test_file_deploy_is_incremental_and_bounded(site_factory, tmp_path: Path) -> None:
    site = site_factory(PAGES, CONFIG)
    target = tmp_path / "www"
    assert run("build", str(site)).exit_code == 0
    first = _deploy(site, f"file://{target}")
    assert first.exit_code == 0, first.output
    local = json.loads((site / "output/manifest.json").read_text())["files"]
    assert _uploaded(first.output) == len(local)
    for name in local:
        assert (target / name).read_bytes() == (site / "output" / name).read_bytes()
    assert _uploaded(_deploy(site, f"file://{target}").output) == 0  # no-op
    # one page edited: its changed files and the HTML/manifests/feeds, nothing else
    (site / "content/guide/p1.md").write_text(PAGES["content/guide/p1.md"].replace("This is page 1.", "Page one."))
    assert run("build", str(site)).exit_code == 0
    dry = _deploy(site, f"file://{target}", "--dry-run")
    uploads = re.findall(r"  upload (\S+)", dry.output)
    assert any(u.startswith("guide/p1/video.") for u in uploads)
    assert all(u.startswith("guide/p1/") or u.endswith((".html", ".json", ".xml")) for u in uploads), uploads
    assert not any(u.startswith(("guide/p0/video", "guide/p2/video")) for u in uploads)
    assert _deploy(site, f"file://{target}").exit_code == 0
    assert len(list((target / "guide/p1").glob("video.*.mp4"))) == 2, "the old video stays for cached pages"
    assert _deploy(site, f"file://{target}", "--keep", "0").exit_code == 0
    assert not list((target / "guide/p1").glob("video.*.mp4"))[1:], "a later deploy deletes the old video"
    # a removed page beyond --max-deletes stops the deploy with nothing deleted
    (site / "content/guide/p2.md").unlink()
    assert run("build", str(site)).exit_code == 0
    before = _remote(target)
    refused = _deploy(site, f"file://{target}", "--max-deletes", "2")
    assert refused.exit_code == 1 and "would be deleted" in refused.output and "nothing was changed" in refused.output
    assert (target / "guide/p2/index.html").exists() and _remote(target) == before
    assert _deploy(site, f"file://{target}").exit_code == 0
    assert _deploy(site, f"file://{target}", "--keep", "0").exit_code == 0  # retired files go one deploy later
    assert not (target / "guide/p2").exists() or not any((target / "guide/p2").iterdir())


def test_failed_upload_keeps_the_old_manifest_and_pages(site_factory, tmp_path: Path) -> None:
    site = site_factory(PAGES, CONFIG)
    target = tmp_path / "www"
    assert run("build", str(site)).exit_code == 0
    assert _deploy(site, f"file://{target}").exit_code == 0
    old_manifest = _remote(target)
    (site / "content/guide/p1.md").write_text(PAGES["content/guide/p1.md"].replace("This is page 1.", "Page one."))
    assert run("build", str(site)).exit_code == 0
    (target / "guide/p1/index.html").unlink()
    (target / "guide/p1/index.html").mkdir()  # this upload will fail, after the media went up
    result = _deploy(site, f"file://{target}", "--workers", "1")
    assert result.exit_code == 1 and "remote manifest was not replaced" in result.output
    assert _remote(target) == old_manifest
    for html in target.rglob("index.html"):
        if html.is_file():  # every page that is there points only at files that are there
            for ref in re.findall(r'(?:src|poster)="([^"]+\.(?:mp4|jpg|vtt))"', html.read_text()):
                assert (html.parent / ref).is_file(), (html, ref)
    (target / "guide/p1/index.html").rmdir()
    assert _deploy(site, f"file://{target}").exit_code == 0
    assert _remote(target)["files"] == json.loads((site / "output/manifest.json").read_text())["files"]


def test_s3_deploy_sets_types_and_cache_control(s3, site_factory) -> None:
    s3, _ = s3
    site = site_factory(PAGES, CONFIG)
    assert run("build", str(site)).exit_code == 0
    first = _deploy(site, "s3://docs/site")
    assert first.exit_code == 0, first.output
    local = json.loads((site / "output/manifest.json").read_text())["files"]
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="docs", Prefix="site/")["Contents"]}
    assert keys == {f"site/{n}" for n in local} | {"site/manifest.json"}
    video = next(n for n in local if n.endswith(".mp4"))
    head = s3.head_object(Bucket="docs", Key=f"site/{video}")
    assert head["ContentType"] == "video/mp4" and head["CacheControl"] == "public, max-age=31536000, immutable"
    head = s3.head_object(Bucket="docs", Key="site/guide/p0/index.html")
    assert head["ContentType"] == "text/html" and head["CacheControl"].startswith("public, max-age=60")
    assert _uploaded(_deploy(site, "s3://docs/site").output) == 0
    (site / "content/guide/p0.md").write_text(PAGES["content/guide/p0.md"].replace("This is page 0.", "Page zero."))
    assert run("build", str(site)).exit_code == 0
    again = _deploy(site, "s3://docs/site")
    assert 0 < _uploaded(again.output) < len(local)
    body = s3.get_object(Bucket="docs", Key="site/manifest.json")["Body"].read()
    assert json.loads(body)["files"] == json.loads((site / "output/manifest.json").read_text())["files"]


def test_python_api_builds_and_deploys_with_documented_statistics(site_factory, tmp_path: Path, monkeypatch) -> None:
    from dataclasses import fields

    import pytest

    from vidsite.api import Site
    from vidsite.build import BuildStats
    from vidsite.deploy import DeployError, Plan

    site = Site.load(site_factory(PAGES, CONFIG))
    target = tmp_path / "www"
    with pytest.raises(DeployError, match="vidsite build"):
        site.deploy(f"file://{target}")  # nothing built yet
    stats = site.build(jobs=1)
    assert (stats.pages, stats.pages_built, stats.scenes) == (3, 3, 3)
    assert json.loads((site.root / "output/build.json").read_text())["segments_encoded"] == stats.segments_encoded
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # for s3:// only: a file:// deploy ignores it
    plan = site.deploy(f"file://{target}")
    local = json.loads((site.root / "output/manifest.json").read_text())["files"]
    assert sorted(plan.upload) == sorted(local) and plan.unchanged == 0 and _remote(target)["files"] == local
    again = site.deploy(f"file://{target}", dry_run=True)
    assert again.upload == [] and again.unchanged == len(local)
    with pytest.raises(TypeError, match="max_delete"):
        site.deploy(f"file://{target}", max_delete=3)  # a misspelt argument is named, not blamed on config.toml
    with pytest.raises(DeployError, match="s3://"):
        site.deploy(f"file://{target}", endpoint_url="http://127.0.0.1:9")
    draft = site.build(output=tmp_path / "draft", quality="draft", jobs=1)
    assert draft.pages_built == 3
    with pytest.raises(DeployError, match="draft-quality"):
        site.deploy(f"file://{target}", output=tmp_path / "draft")
    doc = (Path(__file__).parent.parent / "docs/python-api.md").read_text(encoding="utf-8")
    for name in [f.name for f in fields(BuildStats)] + ["nothing_to_do"] + [f.name for f in fields(Plan)]:
        assert f"| `{name}` |" in doc, f"{name} is not documented in docs/python-api.md"
