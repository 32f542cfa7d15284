"""The objects the quote finder passes between its steps."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass
class Mention:
    """A speaker as named in the text: the name, its role, and what kind of speaker it is."""

    text: str
    start: int
    end: int
    title: str | None = None
    entity_id: str | None = None
    kind: str = "body"  # person | body | anon | description
    number: str | None = None


@dataclass
class Frame:
    """A speech cue with its speaker and where its content starts.

    `intro` says how the content is introduced: colon, mark (a quotation), that (a
    content clause), np (a verbal-noun object), after (the cue follows a quotation),
    clause (a parsed complement clause) or according ("according to X"). `parts` are the
    coordinated clauses of the content ("that A and that B"); `apart` says they are reported
    one by one even when no quotation takes one of them.
    """

    lang: str
    cue: str
    cue_start: int
    cue_end: int
    seg_id: int
    sent: tuple[int, int]
    speaker: Mention | None = None
    pronoun: str | None = None
    number: str | None = None
    person: bool | None = None
    antecedent: Frame | None = None
    reporter: Mention | None = None
    intro: str = ""
    content: tuple[int, int] | None = None
    reports: bool = True
    parts: list[tuple[int, int]] = field(default_factory=list)
    apart: bool = False

    @property
    def start(self) -> int:
        """Where the cue and its speaker begin."""
        return min(self.cue_start, self.speaker.start) if self.speaker else self.cue_start

    @property
    def end(self) -> int:
        """Where the cue and its speaker end."""
        return max(self.cue_end, self.speaker.end) if self.speaker else self.cue_end


@dataclass
class Quote:
    """A quotation between marks: the words' offsets (marks excluded) and where the marks are."""

    start: int
    end: int
    open_at: int | None
    close_at: int | None
    seg_id: int
    chain: int | None = None
    continues: bool = False
    status: str = "quote"  # quote | short | name
    frame: Frame | None = None
    follows: Quote | None = None
    group: str | None = None

    @property
    def outer(self) -> tuple[int, int]:
        """The span including the marks that exist."""
        return (self.open_at if self.open_at is not None else self.start,
                self.close_at + 1 if self.close_at is not None else self.end)


@dataclass
class Paragraph:
    """One line of the document (a segment), with its sentences as (start, end, sent_id)."""

    seg_id: int
    start: int
    end: int
    lang: str
    sents: list[tuple[int, int, str]]

    def sentence_at(self, pos: int) -> tuple[int, int, str]:
        """The sentence containing `pos` (or the nearest one before it)."""
        best = self.sents[0]
        for sent in self.sents:
            if sent[0] <= pos:
                best = sent
        return best


class Spans:
    """Non-overlapping [start, end) spans, for fast "is this offset inside one of them" tests."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [a for a, _ in self.spans]

    def covering(self, pos: int) -> tuple[int, int] | None:
        """The span containing `pos`, if any."""
        i = bisect_right(self.starts, pos) - 1
        return self.spans[i] if i >= 0 and pos < self.spans[i][1] else None

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps one of the spans."""
        i = bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.spans[i][1] > start

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none of the others."""
        i = bisect_right(self.starts, start)
        self.spans.insert(i, (start, end))
        self.starts.insert(i, start)
