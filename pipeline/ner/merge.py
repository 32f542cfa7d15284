"""Merging the mentions of stacked backends into one non-overlapping set.

Policy (documented in the README):
1. A PERSON/ORG/LOC span beats other labels (DATE, NORP…) in an overlap; then the
   longest span wins; among equal spans the backend listed first in params wins, and
   the sources of identical spans are joined ("spacy+catalog").
2. The catalog overrides the label of a mention whose span it matches exactly.
3. Arabic proclitics (و ف ب ل ك before ال, the preposition of لل, or before a catalog
   alias) are cut from the start of the span, and so are descriptors the name does not
   include: media heads (قناة، صحيفة…), compass words before a place, تنظيم before a
   known organisation.
4. Mentions that are source credits, bare demonyms, or a single token glued to an
   opening quotation mark are dropped.
"""

from __future__ import annotations

import re

from ..constants import ENTITY_LABELS
from ..textnorm import norm_key
from .backends import Mention
from .catalog import Catalog
from .rules import never_entities, rules_heads

OPEN_QUOTES = "“«\"„'‘"


def strip_proclitic(text: str, start: int, end: int, catalog: Catalog) -> int:
    """New start offset of an Arabic mention without its attached proclitic.

    Before the article (وال، بال، فال، كال) the proclitic goes; in the contracted لل
    (ل + ال) the preposition's ل goes, leaving the article's ل (للحشد → لحشد); before
    other words only when the rest is a catalog alias and the whole word is not.
    """
    word = text[start:end]
    first = word.split()[0] if word.strip() else ""
    m = re.match(r"^(?:[وف]?[بك]|[وف])(?=ال)|^[وف]?ل(?=ل)", first)
    if m and len(first) - m.end() >= 4:  # وكالة is not و+ك+الة
        return start + m.end()
    for n in (2, 1):
        head = word[:n]
        if len(word) - n >= 3 and re.fullmatch(r"[وف]?[بلك]|[وف]", head) and catalog.link(word[n:], clitics=False) and not catalog.link(word, clitics=False):
            return start + n
    return start


def strip_heads(text: str, start: int, end: int, label: str, catalog: Catalog) -> int:
    """New start offset without a leading descriptor the name does not include.

    Media descriptors (قناة، صحيفة…) before an outlet's name, a compass word before a
    place (شمال كردستان), and تنظيم before a known organisation (تنظيم داعش → داعش).
    """
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) < 2:
        return start
    head, rest = norm_key(words[0].group()), text[start + words[1].start() : end]
    heads = rules_heads()
    if (head in heads["descriptor"] or (label == "LOC" and head in heads["compass"])
            or (head in heads["known_only"] and catalog.link(rest, clitics=False))):
        return start + words[1].start()
    return start


def refine_arabic(text: str, start: int, end: int, label: str, catalog: Catalog) -> int:
    """Cut the proclitic once, then leading descriptors until the start no longer moves."""
    start = strip_proclitic(text, start, end, catalog)
    while (new := strip_heads(text, start, end, label, catalog)) != start:
        start = new
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
                start = refine_arabic(text, start, end, m.label, catalog)
            if end > start:
                core = m.label in ENTITY_LABELS
                ranked.append((not core, -(end - start), priority, Mention(start, end, m.label, m.source_label, m.score, m.source)))
    ranked.sort(key=lambda r: (r[0], r[1], r[2], r[3].start))
    accepted: list[Mention] = []
    for *_, m in ranked:
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
