"""Speech frames in English and French paragraphs, from a spaCy dependency parse.

A cue verb's subject is the speaker (a pronoun is resolved later); its complement clause
is the reported content; a participle cue without a subject ("..., adding that ...")
continues the speaker before it; "according to X" / "selon X" names a source.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from ..parsing import glue_split
from .lexicon import Lexicon, load_lexicon
from .marks import ALL_MARKS
from .model import Frame, Mention, Paragraph, Quote, Spans
from .speakers import EntityIndex

SUBJECT_DEPS = ("nsubj",)
PASSIVE_DEPS = ("nsubjpass", "nsubj:pass")
CLAUSE_SUBJECTS = ("nsubj", "nsubjpass", "nsubj:pass", "expl", "expl:subj", "csubj")
PERSON_LABELS = ("PERSON", "PER")
# Parser entity types that can name a source of "according to X".
SOURCE_ENTS = ("PERSON", "PER", "ORG", "GPE", "NORP", "LOC")
MODIFIER_DEPS = ("advcl", "prep", "obl", "obl:mod", "advmod", "npadvmod")
CLAUSE_DEPS = ("ccomp", "advcl", "parataxis")
MAX_SPEAKER_TOKENS = 12
MAX_CLIMB = 3
MAX_THAT_DISTANCE = 8
EDGE_CHARS = " ,;:“”\"«»‘’'—–-"
# A dateline opening a sentence ("BAGHDAD —", "ADEN, Yemen —") is not part of what was said.
DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+(?:,[^—–]{1,40})?\s*[—–]\s*")


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
        """The tokens of a subject phrase, without long relative clauses, a dateline, edge punctuation and a
        preposition marking it ("selon le ministère": the ministry)."""
        toks = [t for t in head.subtree if not (t.dep_ == "case" and t.head is head and t.i < head.i)]
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
        """The complement clause of a cue: its ccomp, the clause of a "that" soon after it (a parse repair),
        or for a cue with its subject after it, the clause before it (« ..., a annoncé la mission »)."""
        comp = next((c for c in tok.children if c.dep_ == "ccomp"), None)
        if comp is not None:
            return comp if comp.i > tok.i or tok.dep_ == "ROOT" else None
        for t in tok.doc[tok.i + 1 : tok.i + 1 + MAX_THAT_DISTANCE]:
            if t.is_sent_start or t.is_punct:
                break
            if t.lower_ in ("that", "que", "qu'") and t.dep_ == "mark" and t.head.i > t.i:
                return t.head
        return self._fronted(tok) if self._subject(tok) is None else None

    def _fronted(self, tok: Token) -> Token | None:
        """A clause before the cue and set off from it by a comma ("Deux soldats ont été blessés, a annoncé ...")."""
        k = tok.i - 1
        while k >= 0 and tok.doc[k].pos_ == "AUX":
            k -= 1
        if k < 0 or tok.doc[k].text != ",":
            return None
        return next((c for c in tok.children if c.dep_ in CLAUSE_DEPS and c.i < k and max(t.i for t in c.subtree) < k), None)

    def _interrupted(self, tok: Token) -> list[Token] | None:
        """The clause a parenthetical cue belongs to ("X happened, the army said, hours after ...": what comes
        before it; "a building that, the army said, stored weapons": what comes after it when only a relative
        word or a conjunction precedes it, else the whole clause)."""
        head = tok.head
        if tok.dep_ != "parataxis" or head.pos_ not in ("VERB", "AUX") or self._subject(tok) is None:
            return None
        inner = {t.i for t in tok.subtree}
        toks = [t for t in head.subtree if t.i not in inner]
        if head.i < tok.i:
            return self._clean([t for t in toks if t.i < tok.i])
        before = [t for t in toks if t.i < tok.i and not t.is_punct]
        if all(t.tag_ in ("WDT", "WP", "IN", "CC") or t.dep_ == "mark" for t in before):
            toks = [t for t in toks if t.i > tok.i]
        return self._clean(toks)

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

    def _content(self, tok: Token) -> list[Token] | None:
        """The reported clause of a cue: its complement clause (or the clause it interrupts), cut before a
        following cue or source and without a time phrase that belongs to the saying."""
        comp = self._complement(tok)
        if comp is None:
            return self._interrupted(tok)
        # A clause before the cue may be parsed loosely ("Deux soldats ont été blessés jeudi ..., a annoncé ..."):
        # a subject anywhere in it will do.
        near = comp.subtree if comp.i < tok.i else comp.children
        if not any(c.dep_ in CLAUSE_SUBJECTS for c in near):
            return self._interrupted(tok)
        toks = sorted(comp.subtree, key=lambda t: t.i)
        toks = [t for t in toks if t.i > tok.i] if comp.i > tok.i else toks
        drop = self._leading_time(comp) | self._trailing_time(comp)
        toks = [t for t in toks if t.i not in drop]
        for n, t in enumerate(toks):
            passive = any(c.dep_ in PASSIVE_DEPS for c in t.children)
            nested = self._cue_word(t) and t.pos_ == "VERB" and t.dep_ in ("conj", "advcl") and t.head.i != tok.i and not passive
            if n > 0 and (nested or t.lower_ in ("according", "selon")):
                toks = toks[:n]
                break
        that = next((n for n, t in enumerate(toks[:3]) if t.dep_ == "mark"), None)
        toks = self._clean(toks[that + 1 :] if that is not None else toks)
        return toks if toks and not self.lex.has("question_words", toks[0].lower_) else None

    @staticmethod
    def _clean(toks: list[Token]) -> list[Token]:
        """Tokens without a leading that-word and edge punctuation (quotation marks too) or conjunctions."""
        while toks and (toks[0].dep_ in ("cc", "mark") or toks[0].is_punct or toks[0].text in ALL_MARKS):
            toks = toks[1:]
        while toks and (toks[-1].is_punct or toks[-1].text in ALL_MARKS or toks[-1].dep_ in ("cc", "mark")):
            toks = toks[:-1]
        return toks

    def _content_span(self, toks: list[Token]) -> tuple[int, int]:
        """Document offsets of content tokens, without a dateline opening them."""
        start, end = self._span(toks)
        dateline = DATELINE.match(self.text[start:end])
        return (start + dateline.end(), end) if dateline else (start, end)

    @staticmethod
    def _trailing_time(comp: Token) -> set[int]:
        """A time phrase closing the clause after a comma ("..., two days after a strike killed ..."): it dates the saying."""
        drop: set[int] = set()
        for c in comp.children:
            sub = sorted(c.subtree, key=lambda t: t.i)
            if c.i > comp.i and c.dep_ in MODIFIER_DEPS and sub[0].i > 0 and sub[0].nbor(-1).text == ",":
                if sub[0].ent_type_ in ("DATE", "TIME"):
                    drop |= {t.i for t in sub}
        return drop

    def _parts(self, toks: list[Token]) -> list[tuple[int, int]]:
        """The content's coordinated clauses ("X and that Y": cut where the second one starts), each without a
        quoted modifier closing it ("said the troops were ready “should the attacks continue”": the rest is reported)."""
        kept = {t.i for t in toks}
        heads = [t for t in toks if t.dep_ == "conj" and any(c.dep_ == "mark" for c in t.children) and t.head.i in kept]
        cuts = sorted({min(t.i for t in h.subtree) for h in heads} - {toks[0].i})
        bounds = list(zip([toks[0].i, *cuts], [*cuts, toks[-1].i + 1]))
        groups = [[t for t in toks if lo <= t.i < hi] for lo, hi in bounds]
        spans = []
        for g in groups:
            g = self._clean(self._without_quoted_tail(g))
            if g:
                spans.append(self._content_span(g))
        return spans

    def _without_quoted_tail(self, toks: list[Token]) -> list[Token]:
        """Tokens without a closing modifier that is a quotation (an adverbial phrase or clause in quotes)."""
        inside = [t for t in toks if self._in_quote(t) and not (t.is_punct or t.text in ALL_MARKS)]
        if not inside:
            return toks
        top = [t for t in inside if not self._in_quote(t.head) or t.head is t]
        first = min(t.i for t in inside)
        rest = [t for t in toks if t.i < first and not self._in_quote(t)]
        tail = all(t.i < first or self._in_quote(t) or t.is_punct for t in toks)
        if len(top) == 1 and top[0].dep_ in MODIFIER_DEPS and tail and any(t.pos_ == "VERB" for t in rest):
            return rest  # what is left must still say something ("it was “in line with ...”" does not)
        return toks

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
            frame.speaker = self._inverted(tok) if self._after_quote(tok) or self._fronted(tok) is not None else None
        if subj is None and frame.speaker is None:
            same = [f for f in self.frames if f.sent == frame.sent]
            if same:
                frame.antecedent = same[-1]
            else:
                subj = self._climb(tok)
        if subj is not None:
            self._set_speaker(frame, subj)
            if frame.pronoun is not None:
                frame.speaker = self._binder(subj, frame)
        toks = self._content(tok) if frame.reports else None
        if toks:
            frame.content, frame.parts = self._content_span(toks), self._parts(toks)
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

    def _binder(self, pronoun: Token, frame: Frame) -> Mention | None:
        """The nearest subject above a pronoun subject's clause in its sentence, when it agrees with the pronoun
        ("Mikati condemned what he called ...": Mikati)."""
        for verb in pronoun.head.ancestors:
            subj = self._subject(verb)
            if subj is None or subj.i == pronoun.i or subj.pos_ == "PRON" or self._in_quote(subj):
                continue
            m = self.mention(subj)
            if m is None:
                return None
            human = m.kind in ("person", "description", "anon")
            if frame.person is not None and frame.person != human:
                return None
            return m if (frame.number == "pl") == (m.number == "pl") or m.kind == "body" else None
        return None

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
        frame.reports = self._source(source)
        first, last = min(t.i for t in phrase), max(t.i for t in phrase)
        clause = self._governing_clause(phrase)
        before = self._trim([t for t in clause if t.i < first])
        after = self._trim([t for t in clause if t.i > last])
        rest = after if len(after) >= len(before) else before
        frame.content = self._content_span(rest) if rest else None
        return frame

    @staticmethod
    def _governing_clause(phrase: list[Token]) -> list[Token]:
        """The clause an "according to" phrase belongs to: the subtree of the nearest finite verb above it (one
        with a subject or an auxiliary), without a clause coordinated after the phrase; none for a phrase that
        qualifies no clause ("militias backed by Iran, according to ...")."""
        inside = {t.i for t in phrase}
        for a in phrase[-1].ancestors:
            finite = any(c.dep_ in CLAUSE_SUBJECTS or c.dep_.startswith("aux") for c in a.children)
            if a.i not in inside and a.pos_ in ("VERB", "AUX") and finite:
                after = [c for c in a.children if c.dep_ == "conj" and min(t.i for t in c.subtree) > phrase[-1].i]
                other = {t.i for c in after for t in c.subtree}
                return sorted((t for t in a.subtree if t.i not in other), key=lambda t: t.i)
        return []

    def _source(self, source: Token) -> bool:
        """Whether the object of "according to" names a source that speaks (a person, a body, a medium, a statement),
        not a document, a count or a plan ("according to the latest count by ...", "according to the schedule")."""
        if source.pos_ == "PRON" or self.lex.pronouns.get(source.lower_) is not None:
            return True
        if source.ent_type_ in SOURCE_ENTS or self.entities.label_at(self._off(source.idx)) is not None:
            return True
        keys = (source.lemma_.lower(), source.lower_)
        if any(self.lex.has("document_nouns", key) for key in keys):
            return False
        return any(self.lex.has(name, key) for key in keys for name in ("titles", "anonymous", "source_nouns"))

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
