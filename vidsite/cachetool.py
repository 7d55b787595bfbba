"""`vidsite cache stats|prune`: what the cache holds, and dropping what no page uses."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from vidsite.config import load_config
from vidsite.content.discover import discover


def _cache_dir(root: Path) -> Path:
    return (root / load_config(root).cache.dir).resolve()


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def stats(root: Path) -> list[str]:
    cache = _cache_dir(root)
    clips = sorted((cache / "clips").glob("*.json")) if (cache / "clips").is_dir() else []
    engines: Counter[str] = Counter()
    seconds = 0.0
    for meta in clips:
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            engines[data["engine"]] += 1
            seconds += data["samples"] / data["sample_rate"]
        except (OSError, ValueError, KeyError, ZeroDivisionError):
            engines["damaged"] += 1
    wavs = [m.with_suffix(".wav") for m in clips]
    segments = sorted((cache / "segments").glob("*.mp4")) if (cache / "segments").is_dir() else []
    ai = sorted((cache / "ai").glob("*.json")) if (cache / "ai").is_dir() else []
    audio = sorted((cache / "audio").glob("*.m4a")) if (cache / "audio").is_dir() else []
    by_engine = ", ".join(f"{n} {e}" for e, n in sorted(engines.items())) or "none"
    return [
        f"cache: {cache}",
        f"  clips     {len(clips):6d}  {(_size(clips) + _size(wavs)) / 1e6:8.1f} MB  {seconds:.0f}s of speech ({by_engine})",
        f"  segments  {len(segments):6d}  {_size(segments) / 1e6:8.1f} MB",
        f"  audio     {len(audio):6d}  {_size(audio) / 1e6:8.1f} MB",
        f"  ai text   {len(ai):6d}  {_size(ai) / 1e6:8.1f} MB",
    ]


def used_keys(root: Path) -> tuple[set[str], set[str], set[str], set[str]]:
    """Clip, segment, AI and audio keys the current pages need (drafts included)."""
    from vidsite.build import load_pronunciations, voice_for
    from vidsite.narrate import Narrator
    from vidsite.narrate.ai import ai_key, wants_ai
    from vidsite.speech.cache import ClipCache
    from vidsite.speech.speak import Speaker, rewrite, units

    config = load_config(root)
    cache = _cache_dir(root)
    pages, _ = discover(root, config, drafts=True)
    speaker = Speaker(config.tts, ClipCache(cache), load_pronunciations(root))
    narrator = Narrator(config.narration, cache)
    clips, segments, ai, audio = set(), set(), set(), set()
    out = root / "output"
    for page in pages:
        for scene in page.scenes:
            if wants_ai(scene, config.narration):
                ai.add(ai_key(scene, page, config.narration))
            for unit in units(narrator(scene, page)):
                if isinstance(unit, str):
                    spoken, _ = rewrite(unit, speaker.pronunciations)
                    for name in speaker.chain:
                        clips.add(speaker._key(name, spoken, voice_for(scene, page, config), page.language)[0])
        try:
            manifest = json.loads((out / page.url / "manifest.json").read_text(encoding="utf-8"))
            segments.update(s["segment"] for s in manifest["scenes"])
            audio.add(manifest["audio"])
        except (OSError, ValueError, KeyError):
            pass
    return clips, segments, ai, audio


def prune(root: Path, dry_run: bool = False) -> tuple[int, int]:
    """Remove unused entries; returns (entries, bytes). Segments and audio count as used when a built page
    lists them."""
    cache = _cache_dir(root)
    clips, segments, ai, audio = used_keys(root)
    doomed: list[list[Path]] = []
    for meta in (cache / "clips").glob("*.json") if (cache / "clips").is_dir() else []:
        if meta.stem.rsplit("-", 1)[-1] not in clips:
            doomed.append([meta, meta.with_suffix(".wav")])
    for wav in (cache / "clips").glob("*.wav") if (cache / "clips").is_dir() else []:
        if not wav.with_suffix(".json").exists():  # orphan of an interrupted write
            doomed.append([wav])
    for seg in (cache / "segments").glob("*.mp4") if (cache / "segments").is_dir() else []:
        if seg.stem.rsplit("-", 1)[-1] not in segments:
            doomed.append([seg, seg.with_suffix(".jpg"), seg.with_name(seg.name + ".sha256")])  # poster, checksum
    for track in (cache / "audio").glob("*.m4a") if (cache / "audio").is_dir() else []:
        if track.stem.rsplit("-", 1)[-1] not in audio:
            doomed.append([track, track.with_name(track.name + ".sha256")])
    for entry in (cache / "ai").glob("*.json") if (cache / "ai").is_dir() else []:
        if entry.stem.rsplit("-", 1)[-1] not in ai:
            doomed.append([entry])
    for leftover in cache.rglob(".*"):  # temp files of writes that were interrupted
        if leftover.is_file():
            doomed.append([leftover])
    freed = sum(_size(group) for group in doomed)
    if not dry_run:
        for group in doomed:
            for p in group:
                p.unlink(missing_ok=True)
    return len(doomed), freed
