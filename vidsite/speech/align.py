"""When each revealed item is spoken: the items' text aligned, as one sequence, against the words.

Matching each item's first word on its own fails in ways a viewer sees (items shown up to 2 s
before they are said): "A" matches the "a" of the item before, "Titles" is not "title", espeak
says "SubRip" as "Sub" "Rip", Chinese has no spaces and Arabic attaches "و" to the next word.
So the items' tokens are aligned monotonically against the spoken tokens (a dynamic programme
that prefers the latest equally good match, so an item is never placed on an earlier mention),
with normalised tokens, stems, split and joined compounds and CJK by character. An item whose
text is not found is placed between its found neighbours, never before them.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from vidsite.models import Word

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+")
_ARABIC_CONJ, _ARABIC_PREP = "وف", "بلك"
ITEM_TOKENS = 8  # an item is found by its first words; more only costs time
COMPOUND = 3  # at most this many spoken tokens make one written token ("SubRip" → "Sub" "Rip"), and back


def tokens(text: str) -> list[str]:
    """Case-folded word tokens; each CJK character is a token of its own."""
    return [t.casefold() for t in _TOKEN.findall(unicodedata.normalize("NFKC", text))]


def stem(token: str) -> str:
    """A crude stem, enough to say two spellings are one word: Arabic clitics and article off,
    English plural and verb endings off."""
    if token and "\u0600" <= token[0] <= "\u06ff":
        if len(token) > 3 and token[0] in _ARABIC_CONJ:
            token = token[1:]
        if len(token) > 3 and token[0] in _ARABIC_PREP:
            token = token[1:]
        if len(token) > 3 and token.startswith("ال"):
            token = token[2:]
        return token
    if token.endswith("es") and not token.endswith(("ies", "ses", "xes", "zes", "ches", "shes")):
        token = token[:-1]  # "titles", "types": an e of the word's own, before the plural's s
    for end, keep in (("ies", "y"), ("ing", ""), ("es", ""), ("ed", ""), ("s", "")):
        if token.endswith(end) and len(token) - len(end) >= 3 and not token.endswith("ss"):
            return token[: len(token) - len(end)] + keep
    return token


def _same(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return 0.9 if stem(a) == stem(b) else 0.0


def _align(item: list[str], spoken: list[str]) -> list[int | None]:
    """For each item token, the spoken token it is matched to (None: not found). Moves: skip either,
    match one to one, one written to k spoken, k written to one spoken. Traced back from the end
    preferring a match, so each token takes the latest position an optimal alignment allows."""
    n, m = len(item), len(spoken)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    move: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, prev = score[i], score[i - 1]
        for j in range(1, m + 1):
            best, how = prev[j], (1, 0)
            if row[j - 1] > best:
                best, how = row[j - 1], (0, 1)
            s = _same(item[i - 1], spoken[j - 1])
            if s and prev[j - 1] + s >= best:
                best, how = prev[j - 1] + s, (1, 1)
            for k in range(2, COMPOUND + 1):
                if j >= k and _same(item[i - 1], "".join(spoken[j - k : j])) and prev[j - k] + 1 >= best:
                    best, how = prev[j - k] + 1, (1, k)
                if i >= k and _same("".join(item[i - k : i]), spoken[j - 1]) and score[i - k][j - 1] + 1 >= best:
                    best, how = score[i - k][j - 1] + 1, (k, 1)
            row[j], move[i][j] = best, how
    found: list[int | None] = [None] * n
    i, j = n, m
    while i and j:
        di, dj = move[i][j] or (1, 0)
        if di and dj:
            for t in range(i - di, i):
                found[t] = j - dj  # the first spoken token of the match
        i, j = i - di, j - dj
    return found


def reveal_times(items: list[str], words: tuple[Word, ...], speech: float) -> list[float]:
    """When each item appears: the start of the spoken word its first found token is matched to.

    Items not found go between their found neighbours (with the next one when none is found before
    them; spread towards the end of speech when none after). When no item is named at all the
    slide shows complete from the start: pacing items out would cue words that are never said."""
    spoken: list[str] = []
    owner: list[int] = []  # spoken token → index of its word
    for n, w in enumerate(words):
        for tok in tokens(w.text):
            spoken.append(tok)
            owner.append(n)
    item_tokens = [tokens(item)[:ITEM_TOKENS] for item in items]
    flat = [t for toks in item_tokens for t in toks]
    found = _align(flat, spoken)
    times: list[float | None] = []
    pos = 0
    for toks in item_tokens:
        hits = [f for f in found[pos : pos + len(toks)] if f is not None]
        times.append(words[owner[hits[0]]].start if hits else None)
        pos += len(toks)
    known = [k for k, t in enumerate(times) if t is not None]
    if not known:
        log.debug("no revealed item is named in the narration; all shown at once")
        return [0.0] * len(items)
    out: list[float] = []
    for k, t in enumerate(times):
        if t is not None:
            out.append(t)
            continue
        before = max((i for i in known if i < k), default=None)
        after = min((i for i in known if i > k), default=None)
        if before is None:
            out.append(times[after])  # type: ignore[arg-type,index]
            continue
        lo = times[before]
        hi = times[after] if after is not None else max(lo, speech)  # type: ignore[assignment]
        span = (after if after is not None else len(items)) - before
        out.append(lo + (hi - lo) * (k - before) / span)  # type: ignore[operator]
    return [max(0.0, t) for t in out]
