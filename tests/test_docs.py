"""The docs are tested: every command has help and appears in the README; the README's commands are real."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from vidsite.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "vidsite") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((f"{prefix} {name}", cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, f"{prefix} {name}"))
    return out


def test_every_command_has_help_and_is_in_the_readme() -> None:
    for full, cmd in _commands(main):
        assert cmd.help, f"{full} has no help"
        result = CliRunner().invoke(main, full.split()[1:] + ["--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
        assert full in README, f"{full} is not in the README"


def test_readme_starts_with_install_build_and_test_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert "pip install -e ." in blocks[0] and "vidsite build" in blocks[0]
    assert "pip install -e '.[test]'" in blocks[1] and "pytest" in blocks[1]
    ci = (Path(__file__).parent.parent / ".ci/run").read_text()
    assert blocks[1].split("&& ", 2)[-1] in ci, "CI must run the README's test command"


def test_the_readme_lists_every_field_of_every_scene_type_and_config_table() -> None:
    from vidsite.config import SiteConfig
    from vidsite.scenes import TYPES

    rows = dict(re.findall(r"^\| (\w+) \| (.*) \|$", README, re.M))
    set_for_you = {"narration", "voice", "min_duration", "max_duration", "part", "parts", "start"}  # paging sets these
    for name, kind in TYPES.items():
        assert name in rows, f"scene type {name} is not in the README's table"
        missing = [f for f in kind.fields.model_fields if f not in set_for_you and f"`{f}`" not in rows[name]]
        assert not missing, f"{name}: {missing} not in the README"
    for key, field in SiteConfig.model_fields.items():
        table = getattr(field.annotation, "model_fields", None)
        assert (f"[{key}]" if table else key) in README, f"config key {key} is not in the README"
        for sub in table or ():
            assert re.search(rf"\b{sub}\b", README), f"config key [{key}] {sub} is not in the README"


def test_the_readme_synopsis_shows_every_option_of_every_command() -> None:
    synopsis = README[README.index("## CLI"):].split("```")[1]
    lines: dict[str, str] = {}
    for line in synopsis.splitlines():
        if line.startswith("vidsite "):
            name = " ".join(w for w in line.split()[:3] if w.isalpha() and w.islower())
            lines[name] = line
        elif line.strip():
            lines[name] += line  # a continued line
    for full, cmd in _commands(main):
        if isinstance(cmd, click.Group):
            continue
        line = lines.get(full, "")
        assert line, f"{full} is not in the README's synopsis"
        for option in (p for p in cmd.params if isinstance(p, click.Option) and "--help" not in p.opts):
            assert any(o in line for o in option.opts + option.secondary_opts), f"{full}: {option.opts[-1]} missing"
