"""find_quotes: direct quotes and reported speech of one document, with resolved speakers."""

from __future__ import annotations

import hashlib
import logging
from bisect import bisect_left
from dataclasses import dataclass
from functools import partial

from ..constants import SPACY_MODELS
from ..models import ModelNotFound, Parses
from ..textnorm import script_of
from .arabic import arabic_frames
from .attribution import attach
from .marks import find_marked, words
from .model import Frame, Paragraph, Quote, Spans
from .parsed import glue_split, parsed_frames
from .speakers import EntityIndex, Resolver, Speaker

log = logging.getLogger(__name__)

ARABIC_SCRIPT = ("ar", "fa")
MIN_REPORTED_WORDS = 2
# A quotation this much covered by one named entity is a name.
NAME_SHARE = 0.8


@dataclass
class Item:
    """One output row before speaker resolution."""

    kind: str
    start: int
    end: int
    para: Paragraph
    frame: Frame | None = None
    follows: Item | None = None
    group: Item | None = None
    speaker: Speaker | None = None

    @property
    def source_frame(self) -> Frame | None:
        """The frame that attributes the item, directly or through the quotation it continues."""
        return self.frame or (self.follows.source_frame if self.follows else None)


def quote_id(doc_id: str, start: int, end: int) -> str:
    """A stable id from the document and the offsets."""
    return hashlib.blake2b(f"{doc_id}:{start}:{end}".encode(), digest_size=6).hexdigest()


def paragraphs(sentences: list[dict]) -> list[Paragraph]:
    """Paragraphs (segments) from the sentence rows, in order, with the language of their first sentence."""
    by_seg: dict[int, list[dict]] = {}
    for s in sorted(sentences, key=lambda r: int(r["start"])):
        by_seg.setdefault(int(s["seg_id"]), []).append(s)
    out = []
    for seg, rows in sorted(by_seg.items()):
        sents = [(int(r["start"]), int(r["end"]), str(r["sent_id"])) for r in rows]
        lang = rows[0].get("lang")
        out.append(Paragraph(seg, sents[0][0], max(e for _, e, _ in sents), lang if isinstance(lang, str) and lang else "und", sents))
    return out


def parsed_paragraph(para: Paragraph, parse: Parses) -> bool:
    """The paragraph's speech is found on a dependency parse (English, French), not by the Arabic rules."""
    return para.lang not in ARABIC_SCRIPT and para.lang in parse.models


def parse_requests(text: str, sentences: list[dict], parse: Parses) -> list[tuple[str, str]]:
    """The (lang, text) pairs `find_quotes` will parse for this document (to parse a batch at once)."""
    return [(p.lang, glue_split(text[p.start : p.end])[0]) for p in paragraphs(sentences) if parsed_paragraph(p, parse)]


def paragraph_frames(text: str, para: Paragraph, quotes: list[Quote], index: EntityIndex, parse: Parses) -> list[Frame]:
    """Speech frames of one paragraph, by the rules of its language (Arabic script when undetermined)."""
    if para.lang in ARABIC_SCRIPT or (para.lang not in parse.models and script_of(text[para.start : para.end]) == "arabic"):
        return arabic_frames(text, para, quotes, index)
    if parsed_paragraph(para, parse):
        try:
            return parsed_frames(text, para, quotes, index, partial(parse, para.lang))
        except ModelNotFound as exc:
            log.warning("quotes: no parser for %s (%s); its paragraphs get no quotes", para.lang, exc)
    return []


def direct_items(quotes: list[Quote], paras: dict[int, Paragraph]) -> list[Item]:
    """Items for attributed quotations (parts of one quotation share a group)."""
    items: dict[int, Item] = {}
    for q in quotes:
        if q.status == "name" or (q.frame is None and q.follows is None):
            continue
        item = Item("direct", q.start, q.end, paras[q.seg_id], q.frame)
        if q.follows is not None:
            item.follows = items.get(id(q.follows))
            if item.follows is None and q.frame is None:
                continue
        items[id(q)] = item
    for q in quotes:
        if id(q) in items and q.group is not None and id(q.group) in items:
            items[id(q)].group = items[id(q.group)]
    return list(items.values())


def _reported(frame: Frame) -> bool:
    """Whether a frame's content is reported speech worth a row ("according to" a source: only a person by pronoun,
    or a source its language's rules accept)."""
    if frame.content is None or not frame.reports or frame.intro not in ("that", "np", "colon", "clause", "according"):
        return False
    return frame.intro != "according" or frame.speaker is not None or frame.person is True


def _report_spans(frame: Frame, quoted: Spans) -> list[tuple[int, int]]:
    """What a frame reports: its coordinated clauses one by one (each without a quoted modifier closing it)
    when its language reports them apart or a quotation is in the content ("said X was “…” and that Y":
    Y is still reported speech), else its whole content."""
    if frame.parts and (frame.apart or quoted.overlaps(*frame.content)):
        return frame.parts
    return [frame.content]


def indirect_items(text: str, frames: list[Frame], quotes: list[Quote], paras: dict[int, Paragraph]) -> list[Item]:
    """Items for reported speech: frame contents that hold no attributed quotation and no other report."""
    quoted = Spans([q.outer for q in quotes if q.status != "name" and (q.frame or q.follows)])
    reporting = sorted(f.cue_start for f in frames if _reported(f))
    out = []
    for f in frames:
        if not _reported(f):
            continue
        for a, b in _report_spans(f, quoted):
            if quoted.overlaps(a, b) or len(words(text[a:b])) < MIN_REPORTED_WORDS:
                continue
            inner = reporting[bisect_left(reporting, a) : bisect_left(reporting, b)]
            if any(c != f.cue_start for c in inner):
                continue
            out.append(Item("indirect", a, b, paras[f.seg_id], f))
    return out


def _without_overlaps(items: list[Item]) -> list[Item]:
    """Drop items overlapping an earlier kept one (direct quotes first)."""
    kept: list[Item] = []
    taken = Spans([])
    for it in sorted(items, key=lambda i: (i.kind != "direct", i.start)):
        if not taken.overlaps(it.start, it.end):
            taken.add(it.start, it.end)
            kept.append(it)
    return sorted(kept, key=lambda i: i.start)


def _position(it: Item | Frame) -> int:
    """Where an item (its cue, if that comes first) or a frame stands in the document."""
    if isinstance(it, Frame):
        return it.start
    return min(it.start, it.frame.cue_start) if it.frame else it.start


def resolve(items: list[Item], frames: list[Frame]) -> list[Item]:
    """Speakers in document order; items whose speaker cannot be resolved are dropped.

    A cue that gives no row still names who is speaking ("Saree claimed the attack. He said ..."):
    its speaker is remembered for the pronouns after it.
    """
    resolver = Resolver()
    used = {id(it.frame) for it in items}
    silent = [f for f in frames if id(f) not in used and (f.intro != "according" or _reported(f))]
    done = []
    for it in sorted([*items, *silent], key=_position):
        if isinstance(it, Frame):
            speaker = resolver.resolve(it) if it.speaker is not None else None
            if speaker is not None:
                resolver.remember(speaker)
            continue
        if it.frame is not None:
            it.speaker = resolver.resolve(it.frame)
        elif it.follows is not None:
            it.speaker = it.follows.speaker
        if it.speaker is not None:
            resolver.remember(it.speaker)
            done.append(it)
    return sorted(done, key=lambda i: i.start)


def _name_quotes(quotes: list[Quote], index: EntityIndex) -> None:
    """A quotation that is mostly a recognised name ("المقاومة الإسلامية في العراق") is a name, not said words."""
    for q in quotes:
        if q.status != "name" and index.share(q.start, q.end) >= NAME_SHARE:
            q.status = "name"


def to_row(doc_id: str, text: str, it: Item) -> dict:
    """One row of the quotes table."""
    qid = quote_id(doc_id, it.start, it.end)
    group = quote_id(doc_id, it.group.start, it.group.end) if it.group is not None else qid
    frame = it.source_frame
    sp = it.speaker
    return {
        "doc_id": doc_id, "quote_id": qid, "quote_group": group, "sent_id": it.para.sentence_at(it.start)[2],
        "kind": it.kind, "quote": text[it.start : it.end], "start": it.start, "end": it.end,
        "speaker": sp.name if sp else None, "speaker_entity_id": sp.entity_id if sp else None,
        "speaker_title": sp.title if sp else None, "cue": frame.cue if frame else None, "lang": it.para.lang,
    }


def find_quotes(doc_id: str, text: str, sentences: list[dict], entities: list[dict], parse: Parses | None = None) -> list[dict]:
    """Direct quotes and reported speech of one document, with resolved speakers (rows of the `quotes` table).

    `parse` gives the English and French dependency parses (default: the models of `SPACY_MODELS`).
    """
    paras = paragraphs(sentences)
    if not paras:
        return []
    parse = Parses(SPACY_MODELS) if parse is None else parse
    index = EntityIndex(entities)
    quotes = find_marked(text, paras)
    _name_quotes(quotes, index)
    frames: list[Frame] = []
    for para in paras:
        frames += paragraph_frames(text, para, [q for q in quotes if q.seg_id == para.seg_id], index, parse)
    attach(text, quotes, frames)
    by_seg = {p.seg_id: p for p in paras}
    items = _without_overlaps(direct_items(quotes, by_seg) + indirect_items(text, frames, quotes, by_seg))
    return [to_row(doc_id, text, it) for it in resolve(items, frames) if it.end > it.start]
