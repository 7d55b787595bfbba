"""The one Claude client set-up both AI features share (narration, translation): the key comes
from the environment only, and nothing about a failed request that could carry it is repeated."""

from __future__ import annotations

import os
from typing import Any

from vidsite.config import NarrationConfig


class ClaudeUnavailable(RuntimeError):
    """No key, or no SDK: the caller falls back or says what to install or set."""


def client(cfg: NarrationConfig) -> Any:
    """An Anthropic client for [narration]'s endpoint and timeout; ClaudeUnavailable without a key or SDK."""
    if not os.environ.get("ANTHROPIC_API_KEY"):
        raise ClaudeUnavailable("ANTHROPIC_API_KEY is not set")
    try:
        import anthropic
    except ImportError:
        raise ClaudeUnavailable("the anthropic package is missing: pip install 'vidsite[ai]'") from None
    return anthropic.Anthropic(base_url=cfg.base_url or None, timeout=cfg.timeout, max_retries=2)


def reply_text(reply: Any) -> str:
    """The text blocks of a Messages API reply, joined."""
    return "".join(block.text for block in reply.content if getattr(block, "type", "") == "text").strip()


def describe(exc: Exception) -> str:
    """A one-line reason that never includes request headers (where the key lives)."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if status:
        return f"{name} (HTTP {status})"
    msg = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"{name}: {msg}" if msg else name
