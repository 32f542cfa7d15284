"""Merging the mentions of stacked backends into one non-overlapping set.

Policy (documented in the README):
1. Longest span wins an overlap; among equal spans the backend listed first in
   params wins, and the sources of identical spans are joined ("spacy+catalog").
2. The catalog overrides the label of a mention whose span it matches exactly.
3. Arabic proclitics (و ف ب ل ك before ال, or before a catalog alias) are cut
   from the start of the span.
4. Mentions that are source credits, bare demonyms, or a single token glued to an
   opening quotation mark are dropped.
"""

from __future__ import annotations

import re

from ..textnorm import norm_key
from .backends import Mention
from .catalog import Catalog
from .rules import never_entities

OPEN_QUOTES = "“«\"„'‘"


def strip_proclitic(text: str, start: int, end: int, catalog: Catalog) -> int:
    """New start offset of an Arabic mention without its attached proclitic."""
    word = text[start:end]
    m = re.match(r"^(?:[وف]?[بلك]|[وف])(?=ال)", word)
    if m and len(word.split()[0]) - m.end() >= 5:  # وكالة is not و+ك+الة
        return start + m.end()
    for n in (2, 1):
        head = word[:n]
        if len(word) - n >= 3 and re.fullmatch(r"[وف]?[بلك]|[وف]", head) and catalog.link(word[n:], clitics=False) and not catalog.link(word, clitics=False):
            return start + n
    return start


MAX_WORDS = 8
_EDGE = " \t.,;:!?()[]{}\"'“”«»‘’،؛؟-–—"
_INNER_PUNCT = re.compile(r"[،,:؛;\"“”«»()!?؟]|\.\s")
_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut surrounding punctuation, and a leading English article, from a span."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE and not (text[end - 1] == "." and end - start <= 4):
        end -= 1
    article = _ARTICLE.match(text[start:end])
    if article and end - start > article.end():
        start += article.end()
    return start, end


def _droppable(text: str, m: Mention, catalog: Catalog) -> bool:
    surface = text[m.start : m.end]
    if m.source != "catalog" and (len(surface.split()) > MAX_WORDS or _INNER_PUNCT.search(surface)):
        return True  # a run-on span across a clause or a quotation
    key = norm_key(surface.strip("()[] "))
    if not key or key in never_entities() or key.isdigit() or len(key) < 2:
        return True
    if catalog.demonym(surface) and not catalog.link(surface):
        return True
    glued_quote = m.start > 0 and text[m.start - 1] in OPEN_QUOTES and " " not in surface.strip()
    return glued_quote and m.source != "catalog" and catalog.link(surface) is None


def merge(text: str, per_backend: list[list[Mention]], catalog: Catalog, arabic: bool) -> list[Mention]:
    """One non-overlapping, sorted list of mentions for a sentence."""
    catalog_spans = {(m.start, m.end): m.label for ms in per_backend for m in ms if m.source == "catalog"}
    ranked = []
    for priority, mentions in enumerate(per_backend):
        for m in mentions:
            start, end = trim(text, m.start, m.end)
            if norm_key(text[start:end]) in never_entities():
                continue
            if arabic:
                start = strip_proclitic(text, start, end, catalog)
            if end > start:
                ranked.append((-(end - start), priority, Mention(start, end, m.label, m.source_label, m.score, m.source)))
    ranked.sort(key=lambda r: (r[0], r[1], r[2].start))
    accepted: list[Mention] = []
    for _, _, m in ranked:
        same = next((a for a in accepted if (a.start, a.end) == (m.start, m.end)), None)
        if same is not None:
            if m.source not in same.source.split("+"):
                accepted[accepted.index(same)] = Mention(same.start, same.end, same.label, same.source_label, same.score, f"{same.source}+{m.source}")
            continue
        if any(a.start < m.end and m.start < a.end for a in accepted):
            continue
        accepted.append(m)
    out = []
    for m in sorted(accepted, key=lambda a: a.start):
        label = catalog_spans.get((m.start, m.end), m.label)
        if not _droppable(text, m, catalog):
            out.append(Mention(m.start, m.end, label, m.source_label, m.score, m.source))
    return out
