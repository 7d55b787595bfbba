"""`vidsite deploy TARGET`: publish output/ to a bucket or folder, sending only what changed.

The remote `manifest.json` says what is there. Uploads go in an order a visitor can never
notice: media first, then other assets, then HTML, then manifests and feeds, and the new
manifest last. A deploy that fails midway leaves the old manifest, so the next one compares
against what was really there before and sends again whatever it could not confirm.

Nothing a cached page may still ask for is deleted by the deploy that replaces it. Pages are
cached for a minute and a viewer may be minutes into a video that the new pages no longer
name, so a file that leaves the site is *retired*: it stays, listed in the remote manifest's
`retired` with the time it left, and a later deploy deletes it once it has been retired for
`keep` seconds (at least one deploy later, whatever `keep` says). Deletions run before the new
manifest is written, so a file is always listed in the remote manifest or about to be by a
deploy in progress: a deploy killed at any moment is completed by deploying again.

On a `file://` target every file (the manifest too) is written to a temp name and renamed, so
a kill leaves each file old or whole.
"""

from __future__ import annotations

import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from glob import escape as glob_escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vidsite.errors import VidsiteError
from vidsite.fsutil import atomic_write
from vidsite.site.writer import content_type

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
KEEP = 3600.0  # seconds a retired file stays: HTML cache (60 s) plus a long video watched to its end
ENDPOINT_ENV = "AWS_ENDPOINT_URL"  # boto3's own variable for S3-compatible stores (MinIO, R2, Ceph)


class DeployError(VidsiteError):
    """The deploy was refused or failed; the remote site is as it was before the failing step."""


@dataclass
class Plan:
    upload: list[str]
    delete: list[str]  # retired long enough ago: deleted by this deploy
    unchanged: int
    retire: list[str] = field(default_factory=list)  # leave the site now; deleted by a later deploy
    retired: dict[str, dict[str, Any]] = field(default_factory=dict)  # what the new remote manifest lists as retired
    replaced_in_place: list[str] = field(default_factory=list)  # media whose URL now serves other bytes
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


def _since(entry: dict[str, Any]) -> float:
    try:
        return datetime.fromisoformat(entry["since"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return 0.0  # an unreadable date: old enough


def plan(local: dict[str, Any], remote: dict[str, Any], *, keep: float = KEEP, now: float | None = None) -> Plan:
    """What to send, retire and delete. Pure: the remote manifest in, the steps out."""
    now = time.time() if now is None else now
    stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    have = remote.get("files", {})
    retired_before = remote.get("retired", {})
    there = retired_before | have  # a retired file is still there: coming back costs no upload

    upload = sorted((n for n, e in local.items() if there.get(n, {}).get("sha256") != e["sha256"]),
                    key=lambda n: (_phase(n), n))
    replaced = [n for n in upload if n in have and _phase(n) == 0]  # hashed names never come back changed
    retire = sorted(n for n in have if n not in local and n != MANIFEST)
    delete, retired = [], {}
    for name, entry in sorted(retired_before.items()):
        if name in local or name == MANIFEST:
            continue
        if now - _since(entry) >= keep:
            delete.append(name)
        else:
            retired[name] = entry
    for name in retire:
        retired[name] = {"sha256": have[name].get("sha256"), "since": stamp}
    return Plan(upload, delete, len(local) - len(upload), retire, dict(sorted(retired.items())), replaced)


def _page_quality(path: Path) -> str:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("quality", "final")
    except (OSError, ValueError, AttributeError):
        return "final"  # not ours to judge: the upload itself will say if it is missing


def check_publishable(out: Path, manifest: dict[str, Any]) -> None:
    """Refuse output a visitor must never get: a draft-quality preview, or pages whose canonical,
    og: and sitemap URLs point at localhost or are relative."""
    try:
        quality = json.loads((out / "build.json").read_text(encoding="utf-8")).get("quality", "final")
    except (OSError, ValueError):
        quality = "final"  # an older build without build.json: nothing says it is a draft
    drafts = [name for name in manifest.get("files", {}) if name.endswith("/manifest.json")
              and _page_quality(out / name) != "final"]
    if quality != "final" or drafts:
        what = f" ({drafts[0].removesuffix('/manifest.json')}/ among {len(drafts)})" if drafts else ""
        raise DeployError(f"{out} holds a draft-quality build{what}: half-size preview video, as `vidsite serve "
                          "--quality draft` makes. Run `vidsite build` for final quality, then deploy; or pass "
                          "--force to publish it anyway")
    base_url = manifest.get("base_url", "")
    host = (urlsplit(base_url).hostname or "") if base_url.startswith(("http://", "https://")) else ""
    if not host:
        raise DeployError(f"base_url is {base_url!r}, not an absolute URL: canonical, og: and sitemap URLs of the "
                          "deployed site would be wrong. Set base_url in config.toml to the site's public address "
                          "(base_url = \"https://docs.example.com/\"), rebuild, and deploy; or pass --force")
    if host in ("localhost", "0.0.0.0", "::1") or host.endswith(".localhost") or host.startswith("127."):
        raise DeployError(f"base_url is {base_url!r}, a local address: canonical, og: and sitemap URLs of the "
                          "deployed site would point at a developer's machine. Set base_url in config.toml to the "
                          "site's public address, rebuild, and deploy; or pass --force")


def _filesystem(target: str, endpoint_url: str | None = None) -> tuple[Any, str, str]:
    try:
        import fsspec
    except ImportError:
        raise DeployError("deploy needs fsspec: pip install fsspec") from None
    protocol = target.split("://", 1)[0] if "://" in target else "file"
    options: dict[str, Any] = {"auto_mkdir": True} if protocol in ("file", "local") else {}
    if endpoint_url and protocol not in ("s3", "s3a"):
        raise DeployError(f"--endpoint-url is for s3:// targets (S3-compatible stores), not {protocol}://")
    if protocol in ("s3", "s3a"):  # the variable is read for s3:// only: it may be set for other tools
        endpoint_url = endpoint_url or os.environ.get(ENDPOINT_ENV)
    if endpoint_url:
        options["client_kwargs"] = {"endpoint_url": endpoint_url}
    try:
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


def _remove_torn(root: Path, names: list[str]) -> None:
    """Temp files a killed deploy left beside the files it was writing (`.NAME.xxxx.tmp`): only
    those, never an author's files, since each is named after a file the site lists."""
    by_folder: dict[Path, set[str]] = {}
    for name in names:
        path = root / name
        by_folder.setdefault(path.parent, set()).add(path.name)
    for folder, leaves in by_folder.items():
        for leaf in leaves:
            for torn in folder.glob(f".{glob_escape(leaf)}.*.tmp"):
                torn.unlink(missing_ok=True)


def deploy(out: Path, target: str, *, dry_run: bool = False, max_deletes: int = 256, workers: int = 8,
           keep: float = KEEP, force: bool = False, endpoint_url: str | None = None) -> Plan:
    """Publish `out` to `target`; returns what was (or, with `dry_run`, would be) done.

    `keep`: seconds a file that left the site stays for cached pages. `force`: publish a draft or
    a site without a public base_url. `endpoint_url`: an S3-compatible store for s3:// targets (else $AWS_ENDPOINT_URL)."""
    try:
        local_manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DeployError(f"no built site in {out}: run `vidsite build` first") from None
    if not force:
        check_publishable(out, local_manifest)
    local = local_manifest["files"]
    fs, root, protocol = _filesystem(target, endpoint_url)
    try:
        remote = json.loads(fs.cat_file(f"{root}/{MANIFEST}"))
    except FileNotFoundError:
        remote = {}
    except Exception as exc:  # noqa: BLE001 - credentials, network, permissions: say which, stop
        raise DeployError(f"cannot read {target}/{MANIFEST}: {type(exc).__name__}: {exc}") from None
    todo = plan(local, remote, keep=keep)
    if len(todo.retire) > max_deletes:
        raise DeployError(f"{len(todo.retire)} files would be deleted from {target} (limit {max_deletes}); nothing "
                          f"was changed. Check the build, or pass --max-deletes {len(todo.retire)}")
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
        for name in todo.delete:  # before the manifest: until it is replaced, it still lists them as retired
            try:
                fs.rm_file(f"{root}/{name}")
            except FileNotFoundError:
                pass  # deleted by an earlier deploy that was stopped before it wrote the manifest
            todo.log.append(f"deleted {name}")
        deployed = dict(local_manifest) | {"retired": todo.retired}
        write(MANIFEST, (json.dumps(deployed, indent=2, ensure_ascii=False) + "\n").encode(), "no-cache")
        if protocol in ("file", "local"):
            _remove_torn(Path(root), [*local, *todo.retired, MANIFEST])
    except DeployError:
        raise
    except Exception as exc:  # noqa: BLE001 - stop; the remote manifest still describes the old site
        raise DeployError(f"deploy to {target} stopped after {len(todo.log)} of {len(todo.upload)} uploads: "
                          f"{type(exc).__name__}: {exc}. The remote manifest was not replaced; deploy again.") from None
    return todo
