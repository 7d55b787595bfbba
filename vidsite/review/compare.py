"""What a change did to the videos, from two builds' page manifests: pages added, removed, renamed
or changed, and within a changed page the scenes that changed, aligned by content.

Pure functions over manifest dicts (the JSON `finish_page` writes), so the comparison is tested
without building anything. Scenes are aligned on what they show and say, never on their time: a
scene that only moved because an earlier one grew is not a change.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

log = logging.getLogger(__name__)

RENAME_SIMILARITY = 0.6  # share of scenes two pages must have in common to be one page renamed


@dataclass
class SceneChange:
    """One scene of a page that is not the same in both builds (`old`/`new`: its manifest entry)."""

    kind: str  # "changed", "added" or "removed"
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    words: list[tuple[str, str]] = field(default_factory=list)  # ("=" | "-" | "+", text): narration, word by word
    fields: list[str] = field(default_factory=list)  # the on-screen fields whose value changed
    before: str = ""  # the scene's final frame in BASE / HEAD, relative to the review folder
    after: str = ""

    @property
    def index(self) -> int:
        return (self.new or self.old or {}).get("index", 0)

    @property
    def title(self) -> str:
        return str((self.new or self.old or {}).get("title", ""))


@dataclass
class PageChange:
    """A page whose video differs between the builds (`old`/`new`: its manifest, None when absent)."""

    kind: str  # "added", "removed", "renamed" or "changed"
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    scenes: list[SceneChange] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str((self.new or self.old or {}).get("url", ""))

    @property
    def old_url(self) -> str:
        return str((self.old or {}).get("url", ""))

    @property
    def durations(self) -> tuple[float | None, float | None]:
        return (self.old or {}).get("duration"), (self.new or {}).get("duration")


def signature(scene: dict[str, Any]) -> str:
    """What a scene shows and says, without where it sits in time (its alignment key)."""
    return json.dumps([scene.get("type"), scene.get("fields"), scene.get("narration"), scene.get("voice")],
                      sort_keys=True, ensure_ascii=False)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The narration's change word by word: runs of kept ("="), removed ("-") and added ("+") words."""
    a, b = old.split(), new.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def compare_scenes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[SceneChange]:
    """Scenes of one page that changed, aligned by content. Inside a replaced run, scenes pair up in
    order (the n-th old with the n-th new); what is left over was added or removed."""
    changes: list[SceneChange] = []
    matcher = SequenceMatcher(None, [signature(s) for s in old], [signature(s) for s in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = old[i1:i2], new[j1:j2]
        for a, b in zip(olds, news):
            changes.append(scene_change(a, b))
        changes += [SceneChange("removed", a, None) for a in olds[len(news):]]
        changes += [SceneChange("added", None, b) for b in news[len(olds):]]
    return changes


def scene_change(a: dict[str, Any], b: dict[str, Any]) -> SceneChange:
    fa, fb = a.get("fields") or {}, b.get("fields") or {}
    fields = sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))
    if a.get("type") != b.get("type"):
        fields.insert(0, "type")
    words = word_diff(str(a.get("narration", "")), str(b.get("narration", "")))
    return SceneChange("changed", a, b, words, fields)


def similarity(a: dict[str, Any], b: dict[str, Any]) -> float:
    sa, sb = [signature(s) for s in a.get("scenes", [])], [signature(s) for s in b.get("scenes", [])]
    return SequenceMatcher(None, sa, sb, autojunk=False).ratio() if sa or sb else 0.0


def compare_sites(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> tuple[list[PageChange], list[str]]:
    """Page manifests by url, before and after → the pages that changed, and the urls that did not.
    A page gone from one url and come at another with mostly the same scenes was renamed (moved)."""
    removed = [u for u in old if u not in new]
    added = [u for u in new if u not in old]
    renames: dict[str, str] = {}  # old url -> new url
    for url in removed:
        scored = [(similarity(old[url], new[a]), a) for a in added if a not in renames.values()]
        best = max(scored, default=(0.0, ""))
        if best[0] >= RENAME_SIMILARITY:
            renames[url] = best[1]
    changes: list[PageChange] = []
    unchanged: list[str] = []
    for url in sorted(old.keys() & new.keys()):
        a, b = old[url], new[url]
        scenes = compare_scenes(a.get("scenes", []), b.get("scenes", []))
        if scenes or a.get("video_key") != b.get("video_key"):  # e.g. the voice or theme changed
            changes.append(PageChange("changed", a, b, scenes))
        else:
            unchanged.append(url)
    for url, to in sorted(renames.items()):
        changes.append(PageChange("renamed", old[url], new[to],
                                  compare_scenes(old[url].get("scenes", []), new[to].get("scenes", []))))
    changes += [PageChange("removed", old[u], None) for u in sorted(removed) if u not in renames]
    changes += [PageChange("added", None, new[u]) for u in sorted(added) if u not in renames.values()]
    log.debug("review: %d page(s) changed, %d unchanged", len(changes), len(unchanged))
    return changes, unchanged
