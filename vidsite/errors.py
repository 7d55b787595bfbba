"""One exception tree, rooted in click's, so the CLI prints a message and exits 1."""

from __future__ import annotations

from pathlib import Path

import click


class VidsiteError(click.ClickException):
    """Any failure a user can act on. `str()` is the whole message."""

    exit_code = 1

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(where + message)

    def format_message(self) -> str:
        return self.message


class ConfigError(VidsiteError):
    """config.toml or layouts/theme.toml is wrong."""


class ContentError(VidsiteError):
    """A page under content/ is wrong."""


class SpeechError(VidsiteError):
    """No engine could speak a clip."""


class EncodeError(VidsiteError):
    """The encoder could not be opened or failed."""
