"""vidsite: Hugo for narrated videos.

The Python API (`Site`, `Page`, `Scene`) loads on first use, so `import vidsite` stays instant.
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["Site", "Page", "Scene", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Site", "Page", "Scene"):
        from vidsite import api

        return getattr(api, name)
    raise AttributeError(f"module 'vidsite' has no attribute {name!r}")
