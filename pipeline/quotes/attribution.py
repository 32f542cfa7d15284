"""Attribution of quotations: which speech frame (cue and speaker) each quotation belongs to.

In order of preference: a cue whose content holds the quotation, a cue right after it
("…," he said), the cue between the parts of a split quotation, a cue before it in its
sentence, any cue in its sentence, "according to X" right after it; failing all of these,
a quotation that is a sentence of its own continues the previous quotation's speaker.
A short quotation (a phrase the speaker used: "called it “a blatant violation”") takes only a
cue that holds it, introduces it, follows it, or comes before it in its sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ..textnorm import norm_key
from .lexicon import key_of, load_lexicon
from .marks import words
from .model import Frame, Quote

GAP_PUNCT = re.compile(r"^[\s,،:;؛—–\-]*$")
# Arabic pronoun suffixes ("إنها"، "أنه"), and how far back the that-word before a quotation is looked for.
PRONOUN_ENDINGS = ("ه", "ها", "هم", "هما")
MAX_THAT_CHARS = 12
TERMINAL = re.compile(r"[.!?؟]\s")
MAX_GAP_WORDS = 2
# Cues further than this from a quotation (in characters) are not looked at for it.
WINDOW = 3000


def _gap_ok(text: str, a: int, b: int, frame: Frame) -> bool:
    """Only punctuation between a and b, or a pronoun subject / auxiliary of the frame."""
    if a > b:
        return False
    gap = text[a:b]
    if GAP_PUNCT.match(gap):
        return True
    ws = words(gap)
    lex = load_lexicon(frame.lang)
    allowed = [w for w in ws if key_of(w, frame.lang) == frame.pronoun or lex.has("verb_words", key_of(w, frame.lang))]
    return len(ws) <= MAX_GAP_WORDS and len(allowed) == len(ws) and not TERMINAL.search(gap)


def _subject_name(text: str, q: Quote, f: Frame) -> bool:
    """A short quotation with no verb opening a reported clause that goes on is its subject, a quoted name
    ("قال إن “محور المقاومة” يواجه ..."), not words of the speaker - unless a pronoun on the that-word is
    the subject ("قالت إنها “قلقة للغاية” من ...")."""
    if q.status != "weak" or f.intro not in ("that", "np", "clause") or f.content[0] != q.outer[0] or f.content[1] <= q.outer[1]:
        return False
    before = words(text[max(0, q.outer[0] - MAX_THAT_CHARS) : q.outer[0]])
    return not (before and norm_key(before[-1]).endswith(PRONOUN_ENDINGS) and f.lang == "ar")


def _containing(text: str, q: Quote, frames: list[Frame]) -> Frame | None:
    """A cue whose content holds the quotation (X said that “…”)."""
    return next((f for f in frames if f.content and f.content[0] <= q.outer[0] < f.content[1] and f.intro != "according"
                 and not _subject_name(text, q, f)), None)


def _introduced(text: str, q: Quote, frames: list[Frame]) -> Frame | None:
    """A frame whose content starts with the quotation itself (a colon, the mark, or a that-word just before it)."""
    for f in frames:
        if f.content and f.content[0] == q.outer[0] and f.intro != "according":
            return None if _subject_name(text, q, f) else f
        if f.end <= q.outer[0] and f.intro != "according" and re.fullmatch(r"[\s:]*", text[f.end : q.outer[0]]):
            return f
    return None


def _after(text: str, q: Quote, frames: list[Frame], according: bool = False) -> Frame | None:
    """A frame right after the quotation ("…," he said); "according to X" only when asked for."""
    return next((f for f in frames if f.start >= q.outer[1] and (f.intro == "according") == according
                 and _gap_ok(text, q.outer[1], f.start, f)), None)


def _before(q: Quote, frames: list[Frame]) -> Frame | None:
    """The last cue before the quotation in its sentence that can introduce one (X said: “…”)."""
    cands = [f for f in frames if f.end <= q.outer[0] and f.sent[0] <= q.outer[0] < f.sent[1] + 2 and f.intro in ("mark", "colon", "clause")]
    return cands[-1] if cands else None


def _earlier(q: Quote, frames: list[Frame]) -> Frame | None:
    """The last cue before the quotation in its sentence ("X said ... and suffered “significant damage”"),
    unless its content holds the quotation: that cue has had its say in `_containing`."""
    cands = [f for f in frames if f.end <= q.outer[0] and f.sent[0] <= q.outer[0] < f.sent[1] and f.intro != "according"]
    last = cands[-1] if cands else None
    return None if last is None or (last.content and last.content[0] <= q.outer[0] < last.content[1]) else last


def _same_sentence(q: Quote, frames: list[Frame]) -> Frame | None:
    """The nearest cue in the quotation's sentence."""
    cands = [f for f in frames if f.sent[0] <= q.outer[0] < f.sent[1] and f.intro != "according"]
    return min(cands, key=lambda f: min(abs(f.start - q.outer[1]), abs(q.outer[0] - f.end)), default=None)


def attach(text: str, quotes: list[Quote], frames: list[Frame]) -> None:
    """Give each quotation the frame that attributes it, or the earlier quotation it continues."""
    prev: Quote | None = None
    by_seg: dict[int, list[Frame]] = {}
    for f in sorted(frames, key=lambda f: f.start):
        by_seg.setdefault(f.seg_id, []).append(f)
    starts = {seg: [f.start for f in fs] for seg, fs in by_seg.items()}
    for q in quotes:
        if q.status == "name":
            continue
        seg = by_seg.get(q.seg_id, [])
        lo = bisect_left(starts.get(q.seg_id, []), q.outer[0] - WINDOW)
        hi = bisect_right(starts.get(q.seg_id, []), q.outer[1] + WINDOW)
        local = seg[lo:hi]
        q.frame = _containing(text, q, local) or _after(text, q, local)
        if q.frame is None and q.status == "quote":
            q.frame = _split_part(text, q, prev, local) or _before(q, local) or _same_sentence(q, local)
        if q.frame is None and q.status != "quote":
            q.frame = _introduced(text, q, local) or _earlier(q, local)
        if q.frame is None:
            q.frame = _after(text, q, local, according=True)
        alone = q.status == "quote" or (q.status == "short" and _opens_sentence(text, q))
        if q.frame is None and prev is not None and alone and _continues(text, q, prev, by_seg):
            q.follows = prev
        if q.frame is not None or q.follows is not None:
            prev = q
    _share_chains(quotes)


def _split_part(text: str, q: Quote, prev: Quote | None, frames: list[Frame]) -> Frame | None:
    """“A,” he said, “B.”: B shares A's frame when the frame stands between them in one sentence."""
    if prev is None or prev.frame is None or prev.seg_id != q.seg_id:
        return None
    f = prev.frame
    if prev.outer[1] <= f.start and f.end <= q.outer[0] and not TERMINAL.search(text[f.end : q.outer[0]]):
        if not any(g is not f and f.end <= g.start < q.outer[0] for g in frames):
            q.group = prev.group or prev
            return f
    return None


def _opens_line(text: str, q: Quote) -> bool:
    """The quotation opens its paragraph."""
    before = text[: q.outer[0]].rstrip(" \t")
    return not before or before[-1] == "\n"


def _opens_sentence(text: str, q: Quote) -> bool:
    """The quotation is a sentence of its own: nothing but a sentence end (or a line start) before it."""
    before = text[: q.outer[0]].rstrip(" \t")
    return _opens_line(text, q) or before[-1] in ".!?؟”\"»"


def _continues(text: str, q: Quote, prev: Quote, by_seg: dict[int, list[Frame]]) -> bool:
    """A quotation with no cue of its own continues the previous speaker in its paragraph, or after one."""
    near = by_seg.get(prev.seg_id, []) + (by_seg.get(q.seg_id, []) if q.seg_id != prev.seg_id else [])
    if any(prev.outer[1] <= f.start < q.outer[0] and f is not prev.frame for f in near):
        return False
    if prev.seg_id == q.seg_id:
        return True
    return not by_seg.get(q.seg_id) and q.seg_id - prev.seg_id == 1 and _opens_line(text, q)


def _share_chains(quotes: list[Quote]) -> None:
    """Parts of a multi-paragraph quotation share one frame and one group."""
    chains: dict[int, list[Quote]] = {}
    for q in quotes:
        if q.chain is not None:
            chains.setdefault(q.chain, []).append(q)
    for parts in chains.values():
        frame = next((p.frame for p in parts if p.frame), None)
        follows = next((p.follows for p in parts if p.follows), None)
        for p in parts:
            p.frame, p.follows = p.frame or frame, p.follows or (follows if frame is None else None)
            p.group = parts[0]
