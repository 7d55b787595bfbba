"""A bounded HTTP load on loopback: many concurrent Range and page requests, every body kept."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass


@dataclass
class Hit:
    path: str
    start: int | None
    end: int | None
    status: int
    body: bytes
    seconds: float


def plan(paths: dict[str, int], count: int, seed: int = 7) -> list[tuple[str, int | None, int | None]]:
    """`count` requests over `paths` ({path: size}): videos by random byte ranges, the rest whole."""
    rng = random.Random(seed)
    out = []
    names = sorted(paths)
    for _ in range(count):
        path = rng.choice(names)
        if path.endswith(".mp4"):
            a = rng.randrange(paths[path])
            out.append((path, a, min(paths[path] - 1, a + rng.randrange(1, 256 * 1024))))
        else:
            out.append((path, None, None))
    return out


async def _run(base: str, requests: list[tuple[str, int | None, int | None]], concurrency: int) -> list[Hit]:
    import aiohttp

    hits: list[Hit] = []
    queue: asyncio.Queue = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            path, a, b = queue.get_nowait()
            headers = {"Range": f"bytes={a}-{b}"} if a is not None else {}
            t = time.perf_counter()
            async with session.get(base + path, headers=headers) as resp:
                body = await resp.read()
                hits.append(Hit(path, a, b, resp.status, body, time.perf_counter() - t))

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return hits


def load(base: str, requests: list[tuple[str, int | None, int | None]], concurrency: int = 16) -> tuple[list[Hit], float]:
    started = time.perf_counter()
    hits = asyncio.run(_run(base, requests, concurrency))
    return hits, time.perf_counter() - started


def summary(hits: list[Hit], wall: float) -> str:
    times = sorted(h.seconds for h in hits)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return (f"{len(hits)} requests in {wall:.2f}s: {len(hits) / wall:.0f} requests/s, "
            f"p50 {times[len(times) // 2] * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"5xx {sum(h.status >= 500 for h in hits)}")
