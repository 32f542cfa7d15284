"""Speech frames in English and French paragraphs, from a spaCy dependency parse.

A cue verb's subject is the speaker (a pronoun is resolved later); its complement clause
is the reported content; a participle cue without a subject ("..., adding that ...")
continues the speaker before it; "according to X" / "selon X" names a source.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .lexicon import Lexicon, load_lexicon
from .model import Frame, Mention, Paragraph, Quote, Spans
from .speakers import EntityIndex

# Scraped link text glued to the previous word ("saidOpens in a new tab"): parsed as two words.
GLUE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")
SUBJECT_DEPS = ("nsubj",)
PASSIVE_DEPS = ("nsubjpass", "nsubj:pass")
CLAUSE_SUBJECTS = ("nsubj", "nsubjpass", "nsubj:pass", "expl", "expl:subj", "csubj")
PERSON_LABELS = ("PERSON", "PER")
MAX_SPEAKER_TOKENS = 12
MAX_CLIMB = 3
MAX_THAT_DISTANCE = 8
EDGE_CHARS = " ,;:“”\"«»‘’'—–-"
# A dateline opening a sentence ("BAGHDAD —", "ADEN, Yemen —") is not part of what was said.
DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+(?:,[^—–]{1,40})?\s*[—–]\s*")


def glue_split(text: str) -> tuple[str, list[int]]:
    """The text with a space inserted at glued words, and a map from its offsets back to the original."""
    parts, index, last = [], [], 0
    for m in GLUE.finditer(text):
        parts += [text[last : m.start()], " "]
        index += [*range(last, m.start()), m.start()]
        last = m.start()
    parts.append(text[last:])
    index += [*range(last, len(text)), len(text)]
    return "".join(parts), index


class ParsedParagraph:
    """Finds the speech frames of one English or French paragraph."""

    def __init__(self, text: str, para: Paragraph, quotes: list[Quote], entities: EntityIndex, nlp):
        self.text = text
        self.para = para
        self.lex: Lexicon = load_lexicon(para.lang)
        parse_text, self.index = glue_split(text[para.start : para.end])
        self.doc: Doc = nlp(parse_text)
        self.quoted = Spans([q.outer for q in quotes if q.status != "name"])
        self.entities = entities
        self.frames: list[Frame] = []

    # ---- offsets ------------------------------------------------------------------------

    def _off(self, i: int) -> int:
        """Document offset of a character offset in the parsed text."""
        return self.para.start + self.index[i]

    def _span(self, toks: list[Token]) -> tuple[int, int]:
        """Document offsets from the first to the last token."""
        first, last = toks[0], toks[-1]
        return self._off(first.idx), self._off(last.idx + len(last.text) - 1) + 1

    def _in_quote(self, tok: Token) -> bool:
        """The token is inside a quotation."""
        pos = self._off(tok.idx)
        return self.quoted.covering(pos) is not None

    # ---- speakers -----------------------------------------------------------------------

    def _person_span(self, head: Token) -> tuple[int, int] | None:
        """The PERSON name containing `head` (from the NER stage, else from the parser's entities)."""
        pos = self._off(head.idx)
        found = self.entities.person_in(pos - 60, pos + 60)
        if found and found[0] <= pos < found[1]:
            return found
        for ent in self.doc.ents:
            if ent.label_ in PERSON_LABELS and ent.start <= head.i < ent.end:
                return self._span(list(ent))
        return None

    def _phrase(self, head: Token) -> list[Token]:
        """The tokens of a subject phrase, without long relative clauses, a dateline and edge punctuation."""
        toks = list(head.subtree)
        if len(toks) > MAX_SPEAKER_TOKENS:
            drop = {t.i for c in head.children if c.dep_ in ("relcl", "acl", "acl:relcl", "appos") for t in c.subtree}
            toks = [t for t in toks if t.i not in drop]
        return self._trim(toks)[:MAX_SPEAKER_TOKENS]

    def _trim(self, toks: list[Token]) -> list[Token]:
        """Tokens without punctuation, spaces and dangling prepositions at the edges."""
        while toks and (toks[0].is_punct or toks[0].is_space):
            toks = toks[1:]
        while toks and (toks[-1].is_punct or toks[-1].is_space or toks[-1].dep_ == "case"):
            toks = toks[:-1]
        return toks

    def _text(self, start: int, end: int) -> str:
        """Document text of a span, without edge punctuation and quotation marks."""
        return self.text[start:end].strip(EDGE_CHARS)

    def _title(self, toks: list[Token], person: tuple[int, int]) -> str | None:
        """The role of a named speaker: what the phrase says besides the name and any clause about it."""
        title = []
        inside = {t.i for t in toks if person[0] <= self._off(t.idx) < person[1]}
        for t in toks:
            if t.i in inside or t.dep_ in ("relcl", "acl:relcl") or t.head.dep_ in ("relcl", "acl:relcl") and t.head.i not in inside:
                continue
            if any(a.dep_ in ("relcl", "acl:relcl") for a in t.ancestors if a.i not in inside and a in toks):
                continue
            title.append(t)
        return self._join(self._trim([t for n, t in enumerate(title) if t.dep_ != "det" or n > 0])) or None

    def _join(self, toks: list[Token]) -> str:
        """The text of tokens, contiguous runs joined with commas."""
        runs: list[list[Token]] = []
        for t in toks:
            if runs and t.i == runs[-1][-1].i + 1:
                runs[-1].append(t)
            else:
                runs.append([t])
        parts = [self._text(*self._span(self._trim(r))) for r in runs if self._trim(r)]
        return ", ".join(p for p in parts if p)

    def mention(self, head: Token, toks: list[Token] | None = None) -> Mention | None:
        """The speaker named by a subject head: name (a person's), title (role or apposition) and kind."""
        if head.text.isupper() and head.i + 1 < len(head.doc) and head.doc[head.i + 1].text in "—–":
            head = next((c for c in head.children if c.dep_ == "appos"), head)  # a dateline parsed as the subject
            toks = None
        toks = self._phrase(head) if toks is None else toks
        if not toks:
            return None
        start, end = self._span(toks)
        person = self._person_span(head)
        for c in head.children if person is None else ():
            if c.dep_ in ("appos", "flat:name", "compound") and c in toks:
                person = self._person_span(c)
                if person:
                    break
        number = "pl" if "Plur" in head.morph.get("Number") else "sg"
        if person is not None:
            return Mention(self._text(*person), start, end, self._title(toks, person), self.entities.entity_id(*person), "person", number)
        lemma = head.lemma_.lower()
        det = next((c.lower_ for c in head.children if c.dep_ in ("det", "poss")), None)
        kind = "body"
        if self.lex.has("anonymous", lemma) and det not in ("the", "le", "la", "les", "l'"):
            kind = "anon"
        elif self.lex.has("titles", lemma) and det is not None:
            kind = "description"
        return Mention(self._text(start, end), start, end, None, self.entities.entity_id(start, end), kind, number)

    def _inverted(self, tok: Token) -> Mention | None:
        """A subject after the cue that the parser did not attach ("», a précisé Andrea Tenenti, porte-parole ...")."""
        toks: list[Token] = []
        for t in tok.doc[tok.i + 1 :]:
            if t.is_punct and t.text not in "-’'" and (toks or t.text != ","):
                if t.text == "," and toks and not any(x.text == "," for x in toks):
                    toks.append(t)
                    continue
                break
            toks.append(t)
        toks = self._trim(toks)
        if not toks or toks[0].pos_ not in ("PROPN", "NOUN", "DET"):
            return None
        head = next((t for t in toks if t.head not in toks or t.head is t), toks[0])
        return self.mention(head, toks)

    # ---- cues ---------------------------------------------------------------------------

    def _negated(self, tok: Token) -> bool:
        """The verb has a negation (not, never, ne ... pas)."""
        return any(c.dep_ == "neg" or self.lex.has("negators", c.lower_) for c in tok.children)

    def _subject(self, tok: Token) -> Token | None:
        """The verb's subject, or the agent of a passive ("was told by X")."""
        for c in tok.children:
            if c.dep_ in SUBJECT_DEPS:
                return c
        for c in tok.children:
            if c.dep_ == "agent":
                return next((g for g in c.children if g.dep_ in ("pobj", "obj")), None)
        return None

    def _climb(self, tok: Token) -> Token | None:
        """The subject of a governing verb, for a cue that has none of its own (never one inside a quotation)."""
        cur = tok
        for _ in range(MAX_CLIMB):
            if cur.head is cur:
                return None
            cur = cur.head
            subj = self._subject(cur)
            if subj is not None:
                return None if self._in_quote(subj) else subj
        return None

    def _complement(self, tok: Token) -> Token | None:
        """The complement clause of a cue: its ccomp, or the clause of a "that" soon after it (a parse repair)."""
        comp = next((c for c in tok.children if c.dep_ == "ccomp"), None)
        if comp is not None:
            return comp if comp.i > tok.i or tok.dep_ == "ROOT" else None
        for t in tok.doc[tok.i + 1 : tok.i + 1 + MAX_THAT_DISTANCE]:
            if t.is_sent_start or t.is_punct:
                return None
            if t.lower_ in ("that", "que", "qu'") and t.dep_ == "mark" and t.head.i > t.i:
                return t.head
        return None

    @staticmethod
    def _leading_time(comp: Token) -> set[int]:
        """A time phrase before the clause's subject ("said on Monday it had ..."): it belongs to the saying."""
        subj = next((c for c in comp.children if c.dep_ in CLAUSE_SUBJECTS), None)
        drop: set[int] = set()
        for c in comp.children:
            if subj is not None and c.i < subj.i and c.dep_ in ("prep", "npadvmod", "obl:mod") and any(
                    t.ent_type_ in ("DATE", "TIME") for t in c.subtree):
                drop |= {t.i for t in c.subtree}
        return drop

    def _content(self, tok: Token) -> tuple[int, int] | None:
        """The reported clause of a cue: its complement clause, cut before a following cue or source."""
        comp = self._complement(tok)
        if comp is None or not any(c.dep_ in CLAUSE_SUBJECTS for c in comp.children):
            return None
        toks = sorted(comp.subtree, key=lambda t: t.i)
        toks = [t for t in toks if t.i > tok.i] if comp.i > tok.i else toks
        toks = [t for t in toks if t.i not in self._leading_time(comp)]
        for n, t in enumerate(toks):
            nested = self._cue_word(t) and t.pos_ == "VERB" and t.dep_ in ("conj", "advcl") and t.head.i != tok.i
            if n > 0 and (nested or t.lower_ in ("according", "selon")):
                toks = toks[:n]
                break
        while toks and (toks[0].dep_ == "mark" or toks[0].is_punct):
            toks = toks[1:]
        while toks and (toks[-1].is_punct or toks[-1].dep_ in ("cc", "mark")):
            toks = toks[:-1]
        if not toks or self.lex.has("question_words", toks[0].lower_):
            return None
        start, end = self._span(toks)
        dateline = DATELINE.match(self.text[start:end])
        return (start + dateline.end(), end) if dateline else (start, end)

    def _after_quote(self, tok: Token) -> bool:
        """The cue follows a closing quotation mark, with at most a comma and an auxiliary between."""
        for t in reversed(tok.doc[max(0, tok.i - 3) : tok.i]):
            pos = self._off(t.idx)
            inside = self.quoted.covering(pos)
            if inside is not None and pos == inside[1] - 1:
                return True
            if not (t.is_punct or t.pos_ == "AUX"):
                return False
        return False

    def _cue_word(self, tok: Token) -> bool:
        """A speech verb of the lexicon, by surface form or lemma."""
        return bool(self.lex.cue(tok.lower_) or self.lex.cue(tok.lemma_.lower()))

    def _frame(self, tok: Token, sent: Span) -> Frame | None:
        """The frame of a cue verb, or None when it is negated, impersonal or not asserting."""
        if tok.pos_ not in ("VERB", "AUX") or self._negated(tok) or self._in_quote(tok):
            return None
        if tok.dep_ == "xcomp" and self.lex.has("not_asserting", tok.head.lemma_.lower()):
            return None
        if any(c.dep_ in PASSIVE_DEPS for c in tok.children) and self._subject(tok) is None:
            return None
        sense = (self.lex.cue(tok.lower_) or self.lex.cue(tok.lemma_.lower()))[0]
        start, end = self._span([tok])
        frame = Frame(self.para.lang, self.text[start:end], start, end, self.para.seg_id, self._span(list(sent)))
        frame.reports = "that" in sense.takes
        subj = self._subject(tok)
        if subj is not None and self._in_quote(subj):
            subj = None
        if subj is None:
            frame.speaker = self._inverted(tok) if self._after_quote(tok) else None
        if subj is None and frame.speaker is None:
            same = [f for f in self.frames if f.sent == frame.sent]
            if same:
                frame.antecedent = same[-1]
            else:
                subj = self._climb(tok)
        if subj is not None:
            self._set_speaker(frame, subj)
        frame.content = self._content(tok) if frame.reports else None
        frame.intro = "clause" if frame.content else "mark"
        return frame

    def _set_speaker(self, frame: Frame, subj: Token) -> None:
        """A pronoun subject is left for resolution (with what it may refer to); a noun phrase is the speaker."""
        pron = self.lex.pronouns.get(subj.lower_)
        if pron is not None or subj.pos_ == "PRON":
            frame.pronoun = subj.lower_
            frame.person = (pron or {}).get("person")
            frame.number = (pron or {}).get("number")
        else:
            frame.speaker = self.mention(subj)

    def _according_phrase(self, tok: Token) -> list[Token] | None:
        """The tokens of an "according to" phrase of the lexicon starting at `tok` ("according to", "selon", "d'après")."""
        for phrase in self.lex.lists.get("according", ()):
            n = len(phrase.split())
            toks = list(tok.doc[tok.i : tok.i + n + 1])
            for k in (n, n + 1):
                if "".join(t.lower_ for t in toks[:k]) == phrase.replace(" ", ""):
                    return toks[:k]
        return None

    def _according(self, tok: Token, sent: Span) -> Frame | None:
        """'according to X' / 'selon X': X (the object of the phrase, or the noun it marks) is the source of the clause."""
        words = self._according_phrase(tok)
        if words is None:
            return None
        last = words[-1]
        source = next((c for c in last.children if c.dep_ in ("pobj", "obj")), None)
        if source is None and last.dep_ == "case" and last.head.i > last.i:
            source = last.head
        if source is None:
            return None
        phrase = [*words, *source.subtree]
        start, end = self._span([tok])
        frame = Frame(self.para.lang, self.text[start:end], start, end, self.para.seg_id, self._span(list(sent)), intro="according")
        self._set_speaker(frame, source)
        first, last = min(t.i for t in phrase), max(t.i for t in phrase)
        before = self._trim([t for t in sent if t.i < first])
        after = self._trim([t for t in sent if t.i > last])
        rest = after if len(after) >= len(before) else before
        frame.content = self._span(rest) if rest else None
        return frame

    def find(self) -> list[Frame]:
        """All frames of the paragraph, in order."""
        for sent in self.doc.sents:
            for tok in sent:
                frame = self._according(tok, sent)
                if frame is None and self._cue_word(tok):
                    frame = self._frame(tok, sent)
                if frame is not None:
                    self.frames.append(frame)
        return self.frames


def parsed_frames(text: str, para: Paragraph, quotes: list[Quote], entities: EntityIndex, nlp) -> list[Frame]:
    """Speech frames of an English or French paragraph."""
    return ParsedParagraph(text, para, quotes, entities, nlp).find()
