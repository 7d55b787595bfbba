"""static/ is untrusted: a symlink never publishes what lies outside static/ or behind a hidden name."""

from __future__ import annotations

import json
import os

from conftest import run

PAGE = {"content/p.md": "```scene title\ntitle: Hello\nnarration: Hi.\n```\n"}


def test_static_symlinks_never_publish_secrets(site_factory, caplog) -> None:
    site = site_factory(PAGE)
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("[http] extraheader = AUTHORIZATION: basic c2VjcmV0\n")
    (site / ".env").write_text("TOKEN=secret\n")
    (site / "assets").mkdir()
    (site / "assets" / "logo.txt").write_text("outside static\n")
    static = site / "static"
    (static / ".private").mkdir(parents=True)
    (static / ".private" / "key.txt").write_text("hidden\n")
    (static / "real.txt").write_text("published\n")
    os.symlink("../.git/config", static / "notes.txt")
    os.symlink("../.env", static / "env.txt")
    os.symlink("../assets/logo.txt", static / "logo.txt")
    os.symlink(".private/key.txt", static / "key.txt")
    os.symlink("real.txt", static / "alias.txt")  # inside static/, not hidden: published

    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    out = site / "output"
    files = json.loads((out / "manifest.json").read_text())["files"]
    for name in ("notes.txt", "env.txt", "logo.txt", "key.txt"):
        assert not (out / name).exists() and name not in files, name
        assert f"static/{name}" in caplog.text  # a warning names what was left out
    assert (out / "real.txt").read_text() == "published\n" and (out / "alias.txt").read_text() == "published\n"
    every = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert b"c2VjcmV0" not in every and b"TOKEN=secret" not in every
