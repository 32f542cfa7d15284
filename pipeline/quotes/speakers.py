"""Speakers: entity lookup for speaker spans, and resolving pronouns, dropped subjects and descriptions."""

from __future__ import annotations

from dataclasses import dataclass

from ..textnorm import norm_key
from .model import Frame, Mention

NAME_LABELS = ("PERSON", "ORG", "LOC")
MIN_TITLE_OVERLAP = 0.6
MIN_ENTITY_SHARE = 0.6
DETERMINERS = {"the", "a", "an", "this", "that", "le", "la", "les", "l", "un", "une", "هذا", "هذه"}


@dataclass(frozen=True)
class Entity:
    """One NER mention: offsets, label and linked id."""

    start: int
    end: int
    label: str
    entity_id: str | None


class EntityIndex:
    """NER mentions of one document, for finding name boundaries and ids of speaker spans."""

    def __init__(self, rows: list[dict]):
        items = []
        for r in rows:
            eid = r.get("entity_id")
            try:
                items.append(Entity(int(r["start"]), int(r["end"]), str(r.get("label") or ""), eid if isinstance(eid, str) and eid else None))
            except (KeyError, TypeError, ValueError):
                continue
        self.items = sorted(items, key=lambda e: (e.start, -e.end))

    def covering(self, pos: int) -> tuple[int, int] | None:
        """The span of a named entity containing character `pos`."""
        for e in self.items:
            if e.start <= pos < e.end and e.label in NAME_LABELS:
                return e.start, e.end
        return None

    def label_at(self, pos: int) -> str | None:
        """The label of a named entity containing character `pos`."""
        return next((e.label for e in self.items if e.start <= pos < e.end and e.label in NAME_LABELS), None)

    def person_at(self, pos: int) -> tuple[int, int] | None:
        """The span of a PERSON mention starting at character `pos`."""
        return next(((e.start, e.end) for e in self.items if e.label == "PERSON" and e.start == pos), None)

    def person_in(self, start: int, end: int) -> tuple[int, int] | None:
        """The first PERSON mention inside [start, end)."""
        for e in self.items:
            if e.label == "PERSON" and start <= e.start and e.end <= end:
                return e.start, e.end
        return None

    def _best(self, start: int, end: int) -> tuple[Entity | None, float]:
        """The named entity that best fills [start, end), and how much of the longer of the two they share."""
        best, score = None, 0.0
        for e in self.items:
            overlap = min(end, e.end) - max(start, e.start)
            if overlap <= 0 or e.label not in NAME_LABELS:
                continue
            ratio = overlap / max(end - start, e.end - e.start)
            if ratio > score:
                best, score = e, ratio
        return best, score

    def share(self, start: int, end: int) -> float:
        """How much of [start, end) one named entity makes up (0 to 1)."""
        return self._best(start, end)[1]

    def entity_id(self, start: int, end: int) -> str | None:
        """The id of the entity that makes up most of [start, end) (the speaker is that entity, not just mentions it)."""
        best, score = self._best(start, end)
        return best.entity_id if best is not None and score >= MIN_ENTITY_SHARE else None


@dataclass
class Speaker:
    """A resolved speaker: what the quote table reports."""

    name: str
    title: str | None
    entity_id: str | None
    kind: str
    number: str | None


def _tokens(text: str | None) -> set[str]:
    """Content tokens for matching names and titles (Arabic article and Latin determiners dropped)."""
    out = set()
    for t in norm_key(text or "").replace("،", " ").replace(",", " ").split():
        t = t.strip(".’'()\"")
        t = t[2:] if t.startswith("ال") and len(t) > 4 else t
        if len(t) >= 3 and t not in DETERMINERS:
            out.add(t)
    return out


class Resolver:
    """Resolves frames to speakers in document order, remembering who has spoken."""

    def __init__(self) -> None:
        self.history: list[Speaker] = []
        self.cache: dict[int, Speaker | None] = {}

    def resolve(self, frame: Frame) -> Speaker | None:
        """The speaker of a frame: named, through its antecedent, or the last compatible speaker."""
        key = id(frame)
        if key not in self.cache:
            if frame.reporter is not None:
                self.remember(self._named(frame.reporter))
            found = None
            if frame.speaker is not None:
                found = self._named(frame.speaker)
            elif frame.antecedent is not None:
                found = self.resolve(frame.antecedent)
            if found is None or (frame.speaker is None and not self._compatible(frame, found)):
                found = self._last_compatible(frame)
            self.cache[key] = found
        return self.cache[key]

    def remember(self, speaker: Speaker) -> None:
        """Record that `speaker` has just spoken (most recent last)."""
        self.history = [s for s in self.history if s is not speaker] + [speaker]

    def _named(self, m: Mention) -> Speaker:
        """A named mention, merged with an earlier speaker it refers to (same entity, surname, or title)."""
        own = _tokens(m.text)
        for s in reversed(self.history):
            if m.kind != "description" and s.kind == "person" and own and own <= _tokens(s.name):
                return s
            if m.entity_id and s.entity_id == m.entity_id:
                return Speaker(m.text, m.title or s.title, s.entity_id, s.kind, s.number)
            if m.kind == "description" and own and self._describes(own, s):
                return s
        return Speaker(m.text, m.title, m.entity_id, m.kind, m.number)

    @staticmethod
    def _describes(own: set[str], s: Speaker) -> bool:
        """'the spokesman' for a person titled spokesman; 'the official' for 'a senior official'."""
        if s.kind == "person" and s.title:
            return len(own & _tokens(s.title)) / len(own) >= MIN_TITLE_OVERLAP
        return s.kind == "anon" and own <= _tokens(s.name)

    @staticmethod
    def _compatible(frame: Frame, s: Speaker) -> bool:
        """Whether a pronoun or a verb's agreement allows `s` (person / body, singular / plural)."""
        if (frame.person is True and s.kind == "body") or (frame.person is False and s.kind == "person"):
            return False
        if frame.number == "pl" and s.number != "pl" and s.kind != "body":
            return False
        return not (frame.number == "sg" and s.number == "pl")

    def _last_compatible(self, frame: Frame) -> Speaker | None:
        """The most recent speaker a pronoun or a dropped subject can refer to."""
        return next((s for s in reversed(self.history) if self._compatible(frame, s)), None)
