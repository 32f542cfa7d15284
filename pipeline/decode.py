"""Turning input bytes into text: encoding detection and cleaning."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

from charset_normalizer import from_bytes

from .constants import INVISIBLE_CHARS
from .textnorm import ARABIC_SCRIPT

_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
# Runs of blanks fold to one space; thin and narrow no-break spaces (digit group separators) stay.
_SPACES = re.compile(r"[^\S\n\u2009\u202f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
# Plausibility and script checks look at this many leading characters (a 50 MB file is judged by its head).
SAMPLE_CHARS = 200_000


class Undecodable(ValueError):
    """The bytes are not text in any supported encoding."""


def _plausible(text: str) -> bool:
    """Text, not binary noise: few control characters or replacement marks."""
    sample = text[:SAMPLE_CHARS]
    if not sample:
        return True
    return len(_CONTROL.findall(sample)) / len(sample) < 0.01


def _mostly_arabic(text: str) -> bool:
    sample = text[:SAMPLE_CHARS]
    letters = sum(ch.isalpha() for ch in sample)
    return bool(letters) and len(ARABIC_SCRIPT.findall(sample)) / letters > 0.5


def _utf8_cut_short(data: bytes) -> str | None:
    """UTF-8 whose only fault is a multi-byte character cut off at the very end (a truncated download)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8")
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mixed_lines(data: bytes) -> tuple[str, str] | None:
    """A file glued from parts in different encodings: each line that is UTF-8 stays UTF-8, the others
    are windows-1256 (Arabic) or windows-1252. Only when some non-ASCII lines really are UTF-8."""
    lines = data.split(b"\n")
    if not any(not line.isascii() and _is_utf8(line) for line in lines):
        return None
    used: set[str] = set()
    out = []
    for line in lines:
        if _is_utf8(line):
            text, enc = line.decode("utf-8"), "utf-8"
        else:
            text, enc = line.decode("cp1256", errors="replace"), "windows-1256"
            if not _mostly_arabic(text):
                text, enc = line.decode("cp1252", errors="replace"), "windows-1252"
        used.add(enc)
        out.append(text)
    return "\n".join(out), "mixed (" + " + ".join(sorted(used)) + ")"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: one byte of each pair (the high byte) takes very few values."""
    if len(data) < 8 or len(data) % 2:
        return None
    even, odd = Counter(data[0::2]), Counter(data[1::2])
    half = len(data) // 2
    for high, low, enc in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        top = sum(n for _, n in high.most_common(2))
        if top >= 0.9 * half and len(high) < len(low) and 0 in high:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding name).

    Order: BOMs, strict UTF-8, UTF-8 cut short at the end, UTF-16 without BOM, lines in
    mixed encodings, windows-1256 when the result is Arabic, then charset-normalizer's best
    guess. Raises Undecodable for binary data.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            if _plausible(text):
                return text, enc
            raise Undecodable(f"{enc} byte-order mark but undecodable content")
    try:
        text = data.decode("utf-8")
        if _plausible(text.replace("\x00", "")):
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    text = _utf8_cut_short(data)
    if text is not None and _plausible(text):
        return text, "utf-8 (cut short)"
    text16 = _utf16_without_bom(data)
    if text16 is not None and _plausible(text16):
        return text16, "utf-16"
    mixed = _mixed_lines(data)
    if mixed is not None and _plausible(mixed[0]):
        return mixed
    try:
        text = data.decode("cp1256")
        if _mostly_arabic(text) and _plausible(text):
            return text, "windows-1256"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _plausible(text):
            return text, best.encoding
    text = data.decode("utf-8", errors="replace")
    if _plausible(text.replace("\ufffd", "", 3)):  # a truncated multi-byte tail is tolerated
        return text, "utf-8 (with replacements)"
    raise Undecodable("binary or undecodable content (no supported encoding fits)")


def clean_text(text: str) -> str:
    """NFC, no invisible controls or NULs, Unix newlines, no trailing spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text).replace("\x00", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROL.sub(" ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
