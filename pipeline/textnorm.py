"""Normalisation of text for matching, with an offset map back to the original.

Output tables always quote the original text; this module only produces a
matching key (`Normalized.text`) and maps spans found on it back to exact
character offsets in the original string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Arabic harakat, Quranic marks, superscript alef, and tatweel: dropped for matching.
_DROP = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")

_CHAR_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian yeh
        "ې": "ي",
        "ک": "ك",  # Persian keheh
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
        "ہ": "ه",
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Eastern Arabic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        "٫": ".",  # Arabic decimal separator
        "٬": ",",  # Arabic thousands separator
        "’": "'",
        "‘": "'",
    }
)

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN_SCRIPT = re.compile(r"[A-Za-z\u00C0-\u024F]")


@lru_cache(maxsize=8192)
def _norm_char(ch: str) -> str:
    if _DROP.match(ch):
        return ""
    if "\uFB50" <= ch <= "\uFEFF":  # Arabic presentation forms
        ch = unicodedata.normalize("NFKC", ch)
    return ch.translate(_CHAR_MAP).lower()


class _Table(dict):
    """`str.translate` table filled on demand by `_norm_char`; remembers the characters that do not map
    to exactly one character (dropped marks, expanded ligatures), which need the offset map."""

    def __init__(self):
        super().__init__()
        self.irregular: set[str] = set()

    def __missing__(self, code: int) -> str:
        mapped = self[code] = _norm_char(chr(code))
        if len(mapped) != 1:
            self.irregular.add(chr(code))
        return mapped


_TABLE = _Table()


@dataclass(frozen=True)
class Normalized:
    """A normalised matching key and, per key character, its span in the original."""

    original: str
    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the key back to the original string."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}-{end} outside normalised text of length {len(self.text)}")
        return self.starts[start], self.ends[end - 1]


def normalize(text: str) -> Normalized:
    """Normalise Arabic-script and Latin text for lexicon matching.

    Strips diacritics and tatweel, unifies alef forms, ى/ي, Persian ی/ک with
    Arabic ي/ك, teh marbuta with heh, Eastern Arabic and Persian digits, and
    lower-cases Latin letters. Every key character remembers its original span.
    """
    key = text.translate(_TABLE)
    if _TABLE.irregular.isdisjoint(text):  # one key character per original character: the identity map
        return Normalized(text, key, range(len(text)), range(1, len(text) + 1))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        mapped = _norm_char(ch)
        if not mapped:
            if ends:  # a dropped mark belongs to the preceding letter
                ends[-1] = i + 1
            continue
        for m in mapped:
            out.append(m)
            starts.append(i)
            ends.append(i + 1)
    return Normalized(text, "".join(out), tuple(starts), tuple(ends))


@lru_cache(maxsize=65536)
def norm_key(text: str) -> str:
    """The normalised matching key alone, with runs of whitespace folded (`normalize(text).text`, without the offsets)."""
    return " ".join(text.translate(_TABLE).split())


def script_of(text: str) -> str:
    """'arabic', 'latin' or 'other', by the majority of letters."""
    ar = len(ARABIC_SCRIPT.findall(text))
    la = len(LATIN_SCRIPT.findall(text))
    if ar == la == 0:
        return "other"
    return "arabic" if ar >= la else "latin"
