"""Near-duplicate detection (syndicated copies) with MinHash and banded LSH.

Streaming: `NearDuplicates` takes documents one at a time and keeps only a fixed-size MinHash
signature per document (never its text or shingles), so memory does not grow with text size.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

SHINGLE = 5
N_PERM = 256  # minima per signature: the Jaccard estimate's standard error at 0.7 is about 0.03
LSH_VALUES = 64  # the first minima, cut into bands, find the candidates
BANDS = 16
ROWS = LSH_VALUES // BANDS
MIN_SHINGLES = 3  # a text with fewer word 5-grams is too short to call a copy
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20240115)
_A = _rng.integers(1, _PRIME, N_PERM, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, N_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[int]:
    """Hashed word 5-grams of the lower-cased text."""
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))} if words else set()
    return {zlib.crc32(g.encode("utf-8")) for g in grams}  # 32 bits: a clash between two 5-grams barely moves a Jaccard


def _signature(sh: set[int]) -> np.ndarray:
    x = np.fromiter(sh, dtype=np.uint64, count=len(sh))
    with np.errstate(over="ignore"):
        hashed = (np.outer(x, _A) + _B) % np.uint64(_PRIME)
    return hashed.min(axis=0).astype(np.uint32)  # the low 32 bits: equal minima stay equal, 1 KB a document


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (N_PERM values) of a text, or None when it is too short to compare."""
    sh = shingles(text) if text else set()
    return _signature(sh) if len(sh) >= MIN_SHINGLES else None


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two texts estimated from their signatures (fraction of equal minima)."""
    return np.count_nonzero(a == b) / N_PERM


class NearDuplicates:
    """Find near-duplicates among documents fed one at a time, in order.

    `add(doc_id, text)` returns the doc_id of the first earlier document (in feeding order) whose
    estimated Jaccard similarity of word 5-grams is >= threshold, resolved to the document that
    one copies in turn, or None. Candidates come from LSH buckets (BANDS bands of ROWS values);
    memory holds one signature (1 KB) and BANDS bucket entries per document, whatever its length.
    """

    def __init__(self, threshold: float):
        self.threshold = float(threshold)
        self._buckets: list[dict[bytes, int | list[int]]] = [{} for _ in range(BANDS)]
        self._sigs: list[np.ndarray] = []
        self._ids: list[str] = []
        self._copy_of: dict[str, str] = {}  # only the documents found to be copies

    def __len__(self) -> int:
        """Documents indexed so far (those with a signature)."""
        return len(self._ids)

    def add(self, doc_id: str, text: str) -> str | None:
        """Index one document; the doc_id it is a near-copy of, or None."""
        return self.add_signature(doc_id, signature(text))

    def add_signature(self, doc_id: str, sig: np.ndarray | None) -> str | None:
        """`add` with a precomputed signature (None: the text was too short; nothing is indexed)."""
        if sig is None:
            return None
        i = len(self._sigs)
        candidates: set[int] = set()
        for band, bucket in enumerate(self._buckets):
            key = sig[band * ROWS : (band + 1) * ROWS].tobytes()
            members = bucket.get(key)
            if members is None:
                bucket[key] = i  # most buckets hold one document: an int, not a list
            elif isinstance(members, int):
                candidates.add(members)
                bucket[key] = [members, i]
            else:
                candidates.update(members)
                members.append(i)
        self._sigs.append(sig)
        self._ids.append(doc_id)
        for j in sorted(candidates):
            if estimated_jaccard(sig, self._sigs[j]) >= self.threshold:
                earlier = self._ids[j]
                self._copy_of[doc_id] = self._copy_of.get(earlier, earlier)
                return self._copy_of[doc_id]
        return None
