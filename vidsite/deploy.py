"""`vidsite deploy TARGET`: publish output/ to a bucket or folder, sending only what changed.

The remote `manifest.json` says what is there. Uploads go in an order a visitor can never
notice: media first, then other assets, then HTML, then manifests and feeds, then deletions
(bounded by --max-deletes, checked before anything is sent), and the new manifest last. A
deploy that fails midway leaves the old manifest, so the next one compares against what was
really there before and sends again whatever it could not confirm.

Each step can be redone: a file already deleted counts as deleted, and on a `file://` target
every file (the manifest too) is written to a temp name and renamed, so a deploy killed at any
moment leaves each file old or whole, and deploying again completes it.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidsite.errors import VidsiteError
from vidsite.fsutil import atomic_write
from vidsite.site.writer import content_type

MANIFEST = "manifest.json"


class DeployError(VidsiteError):
    """The deploy was refused or failed; the remote site is as it was before the failing step."""


@dataclass
class Plan:
    upload: list[str]
    delete: list[str]
    unchanged: int
    log: list[str] = field(default_factory=list)


def _phase(name: str) -> int:
    """Upload order: media, other assets, HTML, manifests/feeds/sitemap."""
    if name.endswith((".mp4", ".jpg", ".vtt", ".srt", ".png")):
        return 0
    if name.endswith(".html"):
        return 2
    if name.endswith((".json", ".xml")):
        return 3
    return 1


def plan(local: dict[str, Any], remote: dict[str, Any]) -> Plan:
    have = remote.get("files", {})
    upload = sorted((n for n, e in local.items() if have.get(n, {}).get("sha256") != e["sha256"]),
                    key=lambda n: (_phase(n), n))
    delete = sorted(n for n in have if n not in local and n != MANIFEST)
    return Plan(upload, delete, len(local) - len(upload))


def _filesystem(target: str) -> tuple[Any, str, str]:
    try:
        import fsspec
    except ImportError:
        raise DeployError("deploy needs fsspec: pip install fsspec") from None
    protocol = target.split("://", 1)[0] if "://" in target else "file"
    try:
        options = {"auto_mkdir": True} if protocol in ("file", "local") else {}
        fs, root = fsspec.core.url_to_fs(target, skip_instance_cache=True, **options)
    except ImportError as exc:
        extra = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs"}.get(protocol, protocol)
        raise DeployError(f"deploying to {protocol}:// needs its fsspec backend: pip install 'vidsite[{extra}]' "
                          f"({exc})") from None
    return fs, root.rstrip("/"), protocol


def _put_kwargs(protocol: str, name: str, cache_control: str) -> dict[str, Any]:
    kind = content_type(name)
    if protocol in ("s3", "s3a"):
        return {"ContentType": kind, "CacheControl": cache_control}
    if protocol in ("gs", "gcs"):
        return {"content_type": kind, "fixed_key_metadata": {"cache_control": cache_control}}
    return {}


def deploy(out: Path, target: str, *, dry_run: bool = False, max_deletes: int = 256, workers: int = 8) -> Plan:
    try:
        local_manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DeployError(f"no built site in {out}: run `vidsite build` first") from None
    local = local_manifest["files"]
    fs, root, protocol = _filesystem(target)
    try:
        remote = json.loads(fs.cat_file(f"{root}/{MANIFEST}"))
    except FileNotFoundError:
        remote = {}
    except Exception as exc:  # noqa: BLE001 - credentials, network, permissions: say which, stop
        raise DeployError(f"cannot read {target}/{MANIFEST}: {type(exc).__name__}: {exc}") from None
    todo = plan(local, remote)
    if len(todo.delete) > max_deletes:
        raise DeployError(f"{len(todo.delete)} files would be deleted from {target} (limit {max_deletes}); nothing "
                          f"was changed. Check the build, or pass --max-deletes {len(todo.delete)}")
    if dry_run:
        return todo

    def write(name: str, data: bytes, cache_control: str) -> None:
        if protocol in ("file", "local"):  # a kill mid-write must not leave a torn file (or manifest) behind
            atomic_write(Path(f"{root}/{name}"), data)
        else:  # object stores replace an object whole
            fs.pipe_file(f"{root}/{name}", data, **_put_kwargs(protocol, name, cache_control))

    def put(name: str) -> None:
        write(name, (out / name).read_bytes(), local[name]["cache_control"])

    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for phase in range(4):
                batch = [n for n in todo.upload if _phase(n) == phase]
                list(pool.map(put, batch))  # a phase completes before the next starts
                todo.log += batch
        for name in todo.delete:
            try:
                fs.rm_file(f"{root}/{name}")
            except FileNotFoundError:
                pass  # deleted by an earlier deploy that was stopped before it wrote the manifest
            todo.log.append(f"deleted {name}")
        write(MANIFEST, (json.dumps(dict(local_manifest), indent=2, ensure_ascii=False) + "\n").encode(), "no-cache")
    except DeployError:
        raise
    except Exception as exc:  # noqa: BLE001 - stop; the remote manifest still describes the old site
        raise DeployError(f"deploy to {target} stopped after {len(todo.log)} of {len(todo.upload)} uploads: "
                          f"{type(exc).__name__}: {exc}. The remote manifest was not replaced; deploy again.") from None
    return todo
