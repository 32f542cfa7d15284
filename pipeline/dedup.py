"""Near-duplicate detection (syndicated copies) with MinHash and banded LSH."""

from __future__ import annotations

import hashlib
import re

import numpy as np

SHINGLE = 5
N_PERM = 64
BANDS = 16
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20240115)
_A = _rng.integers(1, _PRIME, N_PERM, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, N_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[int]:
    """Hashed word 5-grams of the lower-cased text."""
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))} if words else set()
    return {int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=7).digest(), "little") for g in grams}


def _signature(sh: set[int]) -> np.ndarray:
    x = np.fromiter(sh, dtype=np.uint64, count=len(sh))
    with np.errstate(over="ignore"):
        hashed = (np.outer(x, _A) + _B) % np.uint64(_PRIME)
    return hashed.min(axis=0)


def near_duplicates(docs: list[tuple[str, str]], threshold: float) -> dict[str, str]:
    """Map each doc_id to an earlier doc_id whose text has Jaccard similarity >= threshold."""
    rows = N_PERM // BANDS
    buckets: dict[tuple[int, bytes], list[int]] = {}
    sets: list[set[int]] = []
    result: dict[str, str] = {}
    for i, (doc_id, text) in enumerate(docs):
        sh = shingles(text) if text else set()
        sets.append(sh)
        if len(sh) < 3:
            continue
        sig = _signature(sh)
        candidates: set[int] = set()
        for b in range(BANDS):
            key = (b, sig[b * rows : (b + 1) * rows].tobytes())
            candidates.update(buckets.setdefault(key, []))
            buckets[key].append(i)
        for j in sorted(candidates):
            inter = len(sh & sets[j])
            if inter / len(sh | sets[j]) >= threshold:
                result[doc_id] = result.get(docs[j][0], docs[j][0])
                break
    return result
