"""Quotation marks: pairing them per paragraph, repairing unbalanced ones, telling quotes from names."""

from __future__ import annotations

import re

from .lexicon import Lexicon, key_of, load_lexicon
from .model import Paragraph, Quote

OPEN_ONLY = "«„‹"
CLOSE_ONLY = "»›"
DOUBLE = "“”\"„«»‹›"
SINGLE = "‘’'"
ALL_MARKS = DOUBLE + SINGLE
# Marks of one family pair with each other; guillemets and curly/straight doubles are separate families.
FAMILY = {"«": "guillemet", "»": "guillemet", "‹": "guillemet", "›": "guillemet", "‘": "single", "’": "single", "'": "single"}
LEFT_CONTEXT = "([{—–-/\u00a0"
TRAIL_PUNCT = " \t,،;؛:."
WORD = re.compile(r"[^\W_](?:[\w\u0610-\u061A\u064B-\u065F\u0670\u0640’'-]|\.(?=\w))*")
SMALL_WORDS = {"of", "the", "and", "in", "on", "for", "to", "a", "an", "at", "de", "la", "le", "du", "des", "et", "al"}
MIN_QUOTE_WORDS = 5
MAX_NAME_WORDS = 8
TANWEEN_FATH = "\u064b"
MIN_JUDGEMENT_LETTERS = 4


def words(text: str) -> list[str]:
    """The words of a text."""
    return WORD.findall(text)


def mark_role(text: str, i: int) -> str | None:
    """'open', 'close', 'either' or None (an apostrophe) for the mark at `i`, from its flanking."""
    ch = text[i]
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    left = not nxt.isspace() and (prev.isspace() or prev in LEFT_CONTEXT or prev in ALL_MARKS)
    right = not prev.isspace() and (nxt.isspace() or not nxt.isalnum())
    if ch in OPEN_ONLY:
        return "open"
    if ch in CLOSE_ONLY:
        return "close"
    if ch == "“":
        return "close" if right and not left else "open"
    if ch == "”":
        return "open" if left and not right else "close"
    if ch == '"':
        return "open" if left and not right else "close" if right and not left else "either"
    if ch == "‘":
        return "open" if left else None
    if ch == "’":
        return "close" if right and not (prev.isalpha() and nxt.isalpha()) else None
    if ch == "'":  # a straight single quote only where it cannot be an apostrophe ("officials' plan", "don't")
        if left and nxt.isalpha():
            return "open"
        possessive = prev == "s" and nxt == " " and text[i + 2 : i + 3].islower()
        return "close" if right and not possessive and not nxt.isalnum() else None
    return None


def pair_marks(text: str, start: int, end: int, family: str) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pairs (open, close), unclosed openings and orphan closings of one mark family in text[start:end]."""
    pairs, unclosed, orphans = [], [], []
    open_at: int | None = None
    for i in range(start, end):
        ch = text[i]
        if ch not in ALL_MARKS or FAMILY.get(ch, "double") != family:
            continue
        role = mark_role(text, i)
        if role == "either":
            role = "close" if open_at is not None else "open"
        if role == "open":
            if open_at is not None:
                unclosed.append(open_at)
            open_at = i
        elif role == "close":
            if open_at is not None:
                pairs.append((open_at, i))
                open_at = None
            else:
                orphans.append(i)
    if open_at is not None:
        unclosed.append(open_at)
    return pairs, unclosed, orphans


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces and trailing clause punctuation from a span."""
    while start < end and (text[start].isspace() or text[start] in TRAIL_PUNCT):
        start += 1
    while end > start and text[end - 1] in TRAIL_PUNCT:
        end -= 1
    return start, end


def cue_stop(text: str, start: int, end: int, lex: Lexicon) -> int:
    """Where an unclosed quotation ends at a speech cue after a comma (", he said"), else `end`."""
    for m in re.finditer(r"[,،]", text[start:end]):
        after = words(text[start + m.end() : end])[: 1 if lex.lang == "ar" else 6]
        for word in after:
            senses = lex.cue(key_of(word, lex.lang))
            if any(s.slot in ("past", "present", "verb") for s in senses):
                return start + m.start()
    return end


def has_verb(text: str, lex: Lexicon) -> bool:
    """A rough check that a short quotation contains a verb (so it is said words, not a name)."""
    for word in words(text):
        key = key_of(word, lex.lang)
        if lex.has("verb_words", key) or lex.cue(key):
            return True
        if lex.lang == "ar" and len(key) >= 4 and not key.startswith("ال"):
            if any(key.startswith(p) for p in lex.lists.get("verb_prefixes", ())):
                return True
        if lex.lang != "ar" and len(key) > 4 and key.endswith(("ed", "ing")):
            return True
    return False


def judgement_word(word: str, lex: Lexicon) -> bool:
    """A single quoted word that is a judgement the speaker voiced, not a name or a scare-quoted label:
    an Arabic accusative adjective with tanween ("حاسماً"), a lower-case adjective ("unacceptable", "inacceptables")."""
    if lex.lang == "ar":
        return TANWEEN_FATH in word and len(word.replace(TANWEEN_FATH, "")) > MIN_JUDGEMENT_LETTERS
    suffixes = tuple(lex.lists.get("judgement_suffixes", ()))
    return word.islower() and len(word) > MIN_JUDGEMENT_LETTERS and word.endswith(suffixes)


def classify(text: str, quote: Quote, lex: Lexicon) -> str:
    """The status of a quotation by its words and context.

    'quote' (five words or more), 'short' (a few words with a verb) and 'weak' (a few words with no
    verb, or one word voicing a judgement) need a cue that holds, introduces, follows or precedes them
    in their sentence; 'name' (any other single word, a name or title after a naming noun, a
    capitalised title) is never a quotation.
    """
    body = text[quote.start : quote.end]
    ws = words(body)
    before = words(text[max(0, quote.outer[0] - 40) : quote.outer[0]])
    if not ws:
        return "name"
    if len(ws) == 1:
        return "weak" if judgement_word(ws[0], lex) else "name"
    last = key_of(before[-1], lex.lang) if before else ""
    if lex.has("title_words", last) and len(ws) <= MAX_NAME_WORDS:
        return "name"
    if len(ws) < MIN_QUOTE_WORDS and lex.has("name_nouns", last):
        return "name"
    verb = has_verb(body, lex)
    if lex.lang != "ar" and len(ws) <= MAX_NAME_WORDS and not verb:
        if all(w[0].isupper() or w.lower() in SMALL_WORDS for w in ws):
            return "name"
    if len(ws) >= MIN_QUOTE_WORDS:
        return "quote"
    return "short" if verb else "weak"


def _starts_with_open(text: str, para: Paragraph, family: str) -> bool:
    """The paragraph opens with an opening mark of `family` (a multi-paragraph quotation goes on)."""
    i = para.start
    while i < para.end and text[i].isspace():
        i += 1
    return i < para.end and text[i] in ALL_MARKS and FAMILY.get(text[i], "double") == family and mark_role(text, i) == "open"


def _paragraph_quotes(text: str, para: Paragraph, nxt: Paragraph | None, family: str) -> list[Quote]:
    """Quotations of one family in one paragraph, with unbalanced marks repaired."""
    lex = load_lexicon(para.lang if para.lang in ("ar", "fa", "en", "fr") else "en")
    pairs, unclosed, orphans = pair_marks(text, para.start, para.end, family)
    if family == "single":  # apostrophes make lone single marks meaningless
        unclosed, orphans = [], []
    marks = sorted([p[0] for p in pairs] + [p[1] for p in pairs] + unclosed + orphans)
    out = [Quote(*trim(text, o + 1, c), o, c, para.seg_id) for o, c in pairs]
    for o in unclosed:
        later = [m for m in marks if m > o]
        stop = later[0] if later else para.end
        chained = not later and nxt is not None and _starts_with_open(text, nxt, family)
        if not chained:
            stop = cue_stop(text, o + 1, stop, lex)
        q = Quote(*trim(text, o + 1, stop), o, None, para.seg_id)
        q.continues = chained
        out.append(q)
    for c in orphans:
        earlier = [m for m in marks if m < c]
        q = Quote(*trim(text, (earlier[-1] + 1) if earlier else para.start, c), None, c, para.seg_id)
        out.append(q)
    for q in out:
        q.status = classify(text, q, lex)
        if (q.open_at is None or q.close_at is None) and not q.continues:
            q.status = "quote" if q.status == "quote" else "name"
    return [q for q in out if q.end > q.start]


def _drop_nested(quotes: list[Quote]) -> list[Quote]:
    """Keep the outermost of nested quotations (a ‘quote’ inside a “quote”)."""
    quotes = sorted(quotes, key=lambda q: (q.outer[0], -q.outer[1]))
    kept: list[Quote] = []
    for q in quotes:
        if kept and q.outer[0] < kept[-1].outer[1]:
            continue
        kept.append(q)
    return kept


def find_marked(text: str, paragraphs: list[Paragraph]) -> list[Quote]:
    """All quotations between marks in the document, in order, with multi-paragraph chains numbered."""
    found: list[Quote] = []
    for i, para in enumerate(paragraphs):
        nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        for family in ("double", "guillemet", "single"):
            found += _paragraph_quotes(text, para, nxt, family)
    quotes = _drop_nested(found)
    chains = 0
    for prev, q in zip(quotes, quotes[1:]):
        if prev.continues and q.seg_id != prev.seg_id and q.open_at is not None:
            if prev.chain is None:
                chains += 1
                prev.chain = chains
            q.chain = prev.chain
    return quotes
