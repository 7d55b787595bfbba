"""Scene field models by type name, for the modules that validate content.

The types themselves live in `vidsite.scenes` (one object per type); this is a view of their
field models, kept so callers that only validate need not know about drawing or narration.
"""

from __future__ import annotations

from vidsite.scenes import COMMON, MAX_ITEMS, TYPES, SceneFields

__all__ = ["COMMON", "MAX_ITEMS", "SCENE_TYPES", "SceneFields"]

SCENE_TYPES: dict[str, type[SceneFields]] = {name: kind.fields for name, kind in TYPES.items()}
