"""Where the output folder may be, what a build may delete, nested pages, and a mount-point output/."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import run

CONFIG = 'title = "Docs"\n[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'


def _page(title: str) -> str:
    return f"---\ntitle: {title}\n---\n\n```scene title\ntitle: {title}\nnarration: This is {title}.\n```\n"


def _site(site_factory, *names: str, extra: dict[str, str] | None = None) -> Path:
    return site_factory({f"content/{n}.md": _page(n.rsplit("/", 1)[-1].title()) for n in names} | (extra or {}), CONFIG)


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_consistent(out: Path) -> dict:
    """Every file the site manifest lists is there with its sha256; no staging folder is left."""
    manifest = json.loads((out / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"], name
    assert not list(out.parent.glob(f".{out.name}.staging*")) and not (out / ".vidsite-staging").exists()
    return manifest


def _build(site: Path, *extra: str):
    result = run("build", str(site), *extra)
    assert result.exit_code == 0, result.output
    return result


# ---- where the output folder may be ------------------------------------------------------------------------------

@pytest.mark.parametrize("output", [".", "content", "layouts", "static", "static/site", "layouts/x", "..", ".vidsite"])
def test_an_output_folder_holding_the_sites_own_files_is_refused_before_anything_changes(site_factory,
                                                                                       output: str) -> None:
    # the repro: guide.md beside guide/, a README at the root and one in static/
    extra = {"README.md": "mine\n", "static/README.md": "theirs\n", "layouts/README.md": "templates\n"}
    site = _site(site_factory, "guide", "guide/first-steps", extra=extra)
    before = _snapshot(site.parent)
    result = run("build", str(site), "-o", str(site / output))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "output folder" in result.output and str((site / output).resolve()) in result.output, result.output
    assert _snapshot(site.parent) == before and not (site / ".vidsite").exists()  # nothing touched, not even a page


def test_an_output_folder_inside_content_is_built_and_never_read_as_pages(site_factory) -> None:
    site = _site(site_factory, "intro", extra={"static/notes.md": "# not a page\n"})
    out = site / "content" / "public"
    _build(site, "-o", str(out))
    assert (out / "notes.md").is_file() and (out / "intro/video.mp4").is_file()
    again = _build(site, "-o", str(out))
    assert "nothing to do: 1 pages" in again.output, again.output  # content/public/notes.md is not a page
    preview = site / ".vidsite" / "preview"
    _build(site, "-o", str(preview))  # a preview folder under .vidsite/ is allowed too
    _assert_consistent(preview)


def test_a_non_empty_folder_without_a_vidsite_manifest_is_refused_unless_forced(site_factory, tmp_path: Path) -> None:
    site = _site(site_factory, "intro", "gone")
    out = tmp_path / "www"
    out.mkdir()
    (out / "notes.txt").write_text("an author's notes")
    (out / "manifest.json").write_text('{"name": "my app", "files": {"notes.txt": {}}}')  # not vidsite's
    before = _snapshot(out)
    refused = run("build", str(site), "-o", str(out))
    assert refused.exit_code == 1 and "--force" in refused.output and str(out) in refused.output, refused.output
    assert _snapshot(out) == before
    _build(site, "-o", str(out), "--force")
    assert (out / "notes.txt").read_text() == "an author's notes"
    (site / "content/gone.md").unlink()
    _build(site, "-o", str(out))  # vidsite's manifest is there now: no --force needed
    assert (out / "notes.txt").read_text() == "an author's notes" and not (out / "gone").exists()
    manifest = _assert_consistent(out)
    del manifest["generator"]  # as written before the mark: still vidsite's
    (out / "manifest.json").write_text(json.dumps(manifest))
    _build(site, "-o", str(out))


# ---- deleting only what vidsite wrote ----------------------------------------------------------------------------

def test_a_build_deletes_only_files_its_own_manifest_lists(site_factory) -> None:
    site = _site(site_factory, "p", "q")
    _build(site)
    out = site / "output"
    for rel in ("p/notes.txt", "q/notes.txt", "extra.txt"):  # an author's files in the output folder
        (out / rel).write_text("keep me")
    site_manifest = json.loads((out / "manifest.json").read_text())
    for hostile in ("../config.toml", "p/../../config.toml", "/etc/hostname", ".hidden"):
        site_manifest["files"][hostile] = {"size": 1, "sha256": "0" * 64}
    (out / "manifest.json").write_text(json.dumps(site_manifest))
    config = (site / "config.toml").read_bytes()
    (site / "content/p.md").write_text(_page("P changed"))  # p is rebuilt: its old assets are cleaned
    (site / "content/q.md").unlink()  # q is removed: its files go
    _build(site)
    assert all((out / rel).read_text() == "keep me" for rel in ("p/notes.txt", "q/notes.txt", "extra.txt"))
    assert sorted(p.name for p in (out / "q").iterdir()) == ["notes.txt"]
    assert (site / "config.toml").read_bytes() == config
    _build(site, "--hashed-names")  # plain-named assets of the previous build go, named by its manifest
    assert {p.name for p in (out / "p").iterdir()} == {"index.html", "manifest.json", "notes.txt",
                                                       *json.loads((out / "p/manifest.json").read_text())["files"]}
    _assert_consistent(out)


# ---- pages and sections nesting both ways ------------------------------------------------------------------------

def test_a_page_beside_its_section_folder_can_be_removed_and_turned_into_a_section(site_factory) -> None:
    site = _site(site_factory, "guide", "guide/first-steps", "tour")
    out = site / "output"
    _build(site)
    assert (out / "guide/video.mp4").is_file() and (out / "guide/first-steps/video.mp4").is_file()
    (site / "content/guide.md").unlink()  # the page goes, its section stays
    _build(site)
    assert not (out / "guide/index.html").exists() and not (out / "guide/video.mp4").exists()
    assert (out / "guide/first-steps/video.mp4").is_file()
    _assert_consistent(out)
    (site / "content/tour.md").unlink()  # a page becomes a section
    (site / "content/tour").mkdir()
    (site / "content/tour/_index.md").write_text("---\ntitle: The tour\n---\n")
    (site / "content/tour/stop.md").write_text(_page("Stop"))
    _build(site)
    assert not (out / "tour/video.mp4").exists() and (out / "tour/stop/video.mp4").is_file()
    _assert_consistent(out)
    for name in ("stop.md", "_index.md"):  # and back into a page
        (site / "content/tour" / name).unlink()
    (site / "content/tour.md").write_text(_page("Tour"))
    _build(site)
    assert (out / "tour/video.mp4").is_file() and not (out / "tour/stop").exists()
    assert _assert_consistent(out)["pages"] == ["guide/first-steps", "tour"]


# ---- an output folder that cannot be renamed ---------------------------------------------------------------------

def test_when_the_folder_swap_is_busy_each_entry_is_swapped(site_factory, monkeypatch) -> None:
    from vidsite import safety

    site = _site(site_factory, "p", "q")
    out = site / "output"
    _build(site)
    real = safety.exchange

    def busy(a: Path, b: Path) -> None:  # what renameat2 answers for a mount point
        if Path(b) == out.resolve():
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(b))
        real(a, b)

    monkeypatch.setattr(safety, "exchange", busy)
    (site / "content/p.md").write_text(_page("P changed"))
    (site / "content/q.md").unlink()
    (site / "content/r.md").write_text(_page("R"))
    _build(site)
    assert _assert_consistent(out)["pages"] == ["p", "r"] and not (out / "q").exists()


def test_a_mount_point_output_is_staged_inside_it_and_swapped_entry_by_entry(site_factory, monkeypatch) -> None:
    from vidsite import safety

    site = _site(site_factory, "p", "q")
    out = (site / "output").resolve()
    out.mkdir()
    real, swapped = safety.exchange, []

    def exchange(a: Path, b: Path) -> None:
        if Path(b) == out:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(b))
        swapped.append(Path(a).parent)
        real(a, b)

    monkeypatch.setattr(safety, "is_mount_point", lambda path: Path(path).resolve() == out)
    monkeypatch.setattr(safety, "exchange", exchange)
    _build(site)
    (site / "content/q.md").write_text(_page("Q changed"))
    _build(site)
    assert set(swapped) == {out / ".vidsite-staging"}  # the clone lived inside output/, never beside it
    assert _assert_consistent(out)["pages"] == ["p", "q"]


@pytest.mark.parametrize("kind", ["tmpfs", "bind"])
def test_an_output_folder_that_is_a_mount_point_is_built_inside_it(site_factory, tmp_path: Path, kind: str) -> None:
    site = _site(site_factory, "p", "q")
    out = site / "output"
    out.mkdir()
    source = tmp_path / "volume"
    source.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting needs root; test_when_the_folder_swap_is_busy_each_entry_is_swapped covers the logic")
    command = ["mount", "--bind", str(source)] if kind == "bind" else ["mount", "-t", "tmpfs", "tmpfs"]
    mounted = subprocess.run([*command, str(out)], capture_output=True)
    if mounted.returncode != 0:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"cannot mount: {mounted.stderr!r}")
    try:
        _build(site)
        (site / "content/p.md").write_text(_page("P changed"))
        (site / "content/q.md").unlink()
        _build(site)
        assert _assert_consistent(out)["pages"] == ["p"] and not (out / "q").exists()
        assert not list(site.glob(".output.staging*"))
    finally:
        subprocess.run(["umount", str(out)], check=True)


def test_the_configured_content_dir_is_protected_too(tmp_path: Path) -> None:
    site = tmp_path / "repo"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# Home\n\nWelcome.\n")
    (site / "config.toml").write_text('title = "t"\ncontent_dir = "docs"\n[video]\nwidth = 160\nheight = 90\n')
    result = run("build", str(site), "-o", str(site / "docs"))
    assert result.exit_code == 1 and "docs/" in result.output
    assert (site / "docs" / "index.md").read_text() == "# Home\n\nWelcome.\n"
