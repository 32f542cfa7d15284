"""Sentence segmentation: rules for Arabic script, the spaCy senter for English and French."""

from __future__ import annotations

import hashlib
import re

from .models import chunks, load_spacy
from .parsing import sentence_spans

TERMINALS = ".!?؟؛…"
OPEN_QUOTES = "“«„‹"
CLOSE_QUOTES = "”»“›"
CLOSERS = "”»\"'’)]›"
# Inside an open quotation a sentence does not end, up to this many characters.
MAX_QUOTED_SENTENCE = 400
# One-letter abbreviations (أ. د. م.) and common Arabic ones.
_ABBREV = re.compile(r"(?:^|[\s(])(?:[\u0621-\u064A]|هـ|ق\.م|[A-Z])$")
_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06F0-\u06F9]")


def sentence_id(doc_id: str, start: int, end: int) -> str:
    """A stable id from the document and the offsets."""
    return hashlib.blake2b(f"{doc_id}:{start}:{end}".encode(), digest_size=6).hexdigest()


def split_arabic(text: str) -> list[tuple[int, int]]:
    """Sentence spans of an Arabic-script paragraph.

    Ends at . ! ؟ ؛ … (and a following closing quote), never inside a quotation
    (up to MAX_QUOTED_SENTENCE characters), at a one-letter abbreviation, or
    between digits ("3.5", "07/01/2020").
    """
    spans = []
    start = 0
    quote_open_at: int | None = None
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in OPEN_QUOTES and not (ch == "“" and quote_open_at is not None):
            quote_open_at = i
        elif ch in "”»›" or (ch == "“" and quote_open_at is not None) or (ch == '"' and quote_open_at is not None):
            quote_open_at = None
            if i > 0 and text[i - 1] in TERMINALS and (i + 1 >= n or text[i + 1].isspace()):
                spans.append((start, i + 1))  # a quotation closing a sentence: .” or ."
                start = i + 1
                while start < n and text[start].isspace():
                    start += 1
                i = start
                continue
        elif ch == '"':
            quote_open_at = i
        elif ch in TERMINALS:
            quoted = quote_open_at is not None and i - quote_open_at < MAX_QUOTED_SENTENCE
            decimal = ch == "." and 0 < i < n - 1 and _DIGIT.match(text[i - 1]) and _DIGIT.match(text[i + 1])
            abbrev = ch == "." and _ABBREV.search(text[max(0, i - 4) : i])
            if not (quoted or decimal or abbrev):
                end = i + 1
                while end < n and (text[end] in TERMINALS or text[end] in CLOSERS):
                    end += 1
                if end >= n or text[end].isspace():
                    spans.append((start, end))
                    quote_open_at = None
                    start = end
                    while start < n and text[start].isspace():
                        start += 1
                    i = start
                    continue
        i += 1
    if start < n and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def split_spacy(text: str, model: str) -> list[tuple[int, int]]:
    """Sentence spans from a spaCy pipeline's senter (or parser), for text `detect_language` did not parse."""
    nlp = load_spacy(model, "senter")
    return [(offset + s, offset + e) for offset, piece in chunks(text) for s, e in sentence_spans(nlp(piece))]


def split_sentences(text: str, lang: str, spacy_models: dict[str, str]) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph in its language."""
    if lang in spacy_models:
        return split_spacy(text, spacy_models[lang])
    if lang in ("ar", "fa"):
        return split_arabic(text)
    stripped = text.strip()
    return [(0, len(stripped))] if stripped else []
