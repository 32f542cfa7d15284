"""Arabic-script paragraphs as tokens: word classes, adverbials, noun phrases and speaker phrases.

The frame rules in `arabic.py` build on this: where a subject noun phrase ends, what is an
adverbial ("في بيان"، "أمس"، "مخاطباً للصحفيين"), and how a speaker phrase splits into a name
and a title ("وزير الدفاع الأمريكي، لويد أوستن،" -> name لويد أوستن, title وزير الدفاع الأمريكي).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..textnorm import norm_key
from .lexicon import Lexicon, Sense, load_lexicon
from .marks import ALL_MARKS
from .model import Mention, Paragraph, Quote, Spans
from .speakers import EntityIndex

TOKEN = re.compile(r"[^\W_][\w\u0610-\u061A\u064B-\u065F\u0670\u0640]*|[^\w\s]")
TERMINALS = ".!?؟…"
SOFT_ENDS = "؛;"
COMMAS = "،,٬"
MAX_APPOSITION = 8
MAX_NAME_SEGMENT = 4
MAX_TRAILING_NAME = 3
# Verbal-noun shapes: strong (تفعيل، إفعال، افتعال، انفعال، استفعال) and weak (مفعل، فعول، فعل).
STRONG_MASDAR = re.compile(r"^(?:ت\w\wي\w|ا\w\wا\w|ا\wت\wا\w|ان\w\wا\w|است\w\wا\w)$")
WEAK_MASDAR = re.compile(r"^(?:م\w\w\w|\w\wو\w|\w\w\w)$")
PRONOUN_SUFFIX = re.compile(r"(?:ها|هم|هما|ه)$")
TANWEEN_FATH = ("اً", "ًا", "ً")
DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640"
DASHES = "-–—"
PRONOUN_SUFFIXES = ("هما", "هم", "ها", "ه")
# Word lists whose words can head the name of a source (a body, a medium, a statement, a person's role).
SOURCE_LISTS = ("source_nouns", "statement_nouns", "titles", "ranks", "anonymous", "plural_heads")
# A dateline or an opening adverbial ends within this many tokens of the sentence start.
MAX_OPENING = 6


@dataclass
class Tok:
    """A word, punctuation or quotation-mark token with document offsets and its matching key."""

    start: int
    end: int
    text: str
    key: str
    kind: str  # word | punct | mark


def stems(tok: Tok) -> tuple[str, ...]:
    """A word's key, then without a pronoun suffix, with the teh marbuta restored ("كلمته" -> "كلمه").

    A word written with a final ة has no suffix (its normalised ه is the teh marbuta).
    """
    key = tok.key
    bare = PRONOUN_SUFFIX.sub("", key) if len(key) > 4 and not tok.text.rstrip(DIACRITICS).endswith("ة") else key
    if bare == key:
        return (key,)
    return (key, bare, bare[:-1] + "ه") if bare.endswith("ت") else (key, bare)


def tokenize(text: str, start: int, end: int) -> list[Tok]:
    """Tokens of text[start:end] with document offsets."""
    out = []
    for m in TOKEN.finditer(text, start, end):
        s = m.group()
        kind = "mark" if s in ALL_MARKS else "word" if s[0].isalnum() else "punct"
        out.append(Tok(m.start(), m.end(), s, norm_key(s) if kind == "word" else s, kind))
    return out


class ArabicText:
    """Tokens of one Arabic-script paragraph with the word-class and phrase helpers the frame rules use."""

    def __init__(self, text: str, para: Paragraph, quotes: list[Quote], entities: EntityIndex):
        self.text = text
        self.para = para
        self.lex: Lexicon = load_lexicon("ar")
        self.toks = tokenize(text, para.start, para.end)
        self.opens = {q.open_at: q for q in quotes if q.open_at is not None and q.status != "name"}
        self.closes = {q.close_at for q in quotes if q.close_at is not None and q.status != "name"}
        self.quoted = Spans([q.outer for q in quotes if q.status != "name"])
        self.entities = entities

    # ---- token predicates -------------------------------------------------------------

    def _word(self, k: int) -> bool:
        """Token k exists and is a word."""
        return 0 <= k < len(self.toks) and self.toks[k].kind == "word"

    def _key(self, k: int) -> str:
        """The matching key of token k, or "" for no word."""
        return self.toks[k].key if self._word(k) else ""

    def _is(self, name: str, k: int) -> bool:
        """Token k is in the word list `name` (also with a و/ف prefix)."""
        if not self._word(k):
            return False
        key = self.toks[k].key
        return self.lex.has(name, key) or (len(key) > 2 and key[0] in "وف" and self.lex.has(name, key[1:]))

    def _punct(self, k: int, chars: str) -> bool:
        """Token k is one of the punctuation `chars`."""
        return 0 <= k < len(self.toks) and self.toks[k].kind == "punct" and self.toks[k].text in chars

    def _in_quote(self, pos: int) -> bool:
        """Offset `pos` is inside a quotation."""
        return self.quoted.covering(pos) is not None

    def _opens_quote(self, k: int) -> bool:
        """Token k is the opening mark of a quotation."""
        return 0 <= k < len(self.toks) and self.toks[k].kind == "mark" and self.toks[k].start in self.opens

    def _senses(self, k: int) -> tuple[Sense, ...]:
        """The cue readings of token k."""
        return self.lex.cue(self.toks[k].key) if self._word(k) else ()

    def _prefixed(self, k: int) -> bool:
        """True when the cue word carries a و/ف prefix (so it opens its clause)."""
        return self._word(k) and self.toks[k].key not in self.lex.senses

    def _says(self, k: int) -> bool:
        """Token k is a speech verb, also with an object pronoun ("ما أعلنته الوزارة")."""
        return self._word(k) and any(s.slot in ("past", "present") for f in stems(self.toks[k]) for s in self.lex.cue(f))

    def _is_cue(self, k: int) -> bool:
        """Token k is a speech verb or participle."""
        return any(s.slot in ("past", "present", "participle") for s in self._senses(k))

    def _clause_cue(self, k: int) -> bool:
        """A cue that starts a clause of its own (not a verb inside a relative clause)."""
        if not self._is_cue(k):
            return False
        if self._prefixed(k) or any(s.slot == "participle" for s in self._senses(k)):
            return True
        return k == 0 or self.toks[k - 1].kind == "punct"

    def _pronoun_opener(self, k: int) -> bool:
        """Token k is a clause opener carrying a pronoun, the subject of the verb after it ("لكنه"، "إلا أنها")."""
        return self._word(k) and self._pronoun_opener_key(self.toks[k].key)

    def _pronoun_opener_key(self, key: str) -> bool:
        """See `_pronoun_opener`, for a normalised word."""
        for suffix in PRONOUN_SUFFIXES:
            stem = key[: -len(suffix)]
            if key.endswith(suffix) and len(stem) >= 2 and (self.lex.has("clause_openers", stem) or self.lex.has("that", stem)):
                return True
        return False

    def _source_word(self, k: int, lists: tuple[str, ...] = SOURCE_LISTS) -> bool:
        """Token k is in one of `lists` (by default: it can head the name of a source), also after و, لـ or ال."""
        if not self._word(k):
            return False
        key = self.toks[k].key
        keys = {key, key[1:]} if key[0] in "ول" else {key}
        keys |= {"ال" + x[2:] for x in keys if x.startswith("لل")}
        keys |= {x[2:] for x in keys if x.startswith("ال")}
        return any(self.lex.has(name, x) for x in keys for name in lists)

    def _source_phrase(self, a: int, b: int) -> bool:
        """Tokens a..b name a source that speaks: their first word heads one, or a name that is not a place starts
        there; a document, data or a count is not one ("وفقاً لبيانات ..."، "بحسب حصيلة ...")."""
        first = next((k for k in range(a, b) if self._word(k)), None)
        if first is None or self._source_word(first, ("document_nouns",)):
            return False
        start = self.toks[first].start
        label = self.entities.label_at(start) or self.entities.label_at(start + 1)
        return self._source_word(first) or label not in (None, "LOC")

    def _clause_start(self, lo: int) -> int:
        """The first token of a sentence's main clause: after a dateline ("دمشق -") and an opening adverbial ("وفي المقابل،")."""
        k = lo
        window = range(lo, min(lo + MAX_OPENING, len(self.toks)))
        dash = next((m for m in window if self._punct(m, DASHES)), None)
        if dash is not None and all(self._word(m) for m in range(lo, dash)):
            k = dash + 1
        if any(self._is(name, k) for name in ("prepositions", "time_words", "adverbials")):
            stop = next((m for m in range(k, min(k + MAX_OPENING, len(self.toks))) if self.toks[m].kind == "punct"), None)
            if stop is not None and self._punct(stop, COMMAS):
                k = stop + 1
        return k

    def _tanween(self, k: int) -> bool:
        """An accusative with tanween (مراراً، مخاطباً): after a verb, never its subject."""
        return self._word(k) and self.toks[k].text.endswith(TANWEEN_FATH)

    def _masdar_like(self, k: int, strong: bool = False) -> bool:
        """A plausible verbal noun opening a reported object (`strong`: by list or an unambiguous shape)."""
        return self._word(k) and self._masdar_word(self.toks[k], strong)

    def _masdar_word(self, tok: Tok, strong: bool = False) -> bool:
        """See `_masdar_like`, for a token that may be a part of a word (after an attached بـ)."""
        if tok.key.startswith("ال") or self.entities.covering(tok.start):
            return False
        forms = stems(tok)
        if self.lex.has("object_starters", tok.key) or any(self.lex.has("masdar_words", f) or STRONG_MASDAR.match(f) for f in forms):
            return True
        if strong or any(self.lex.has(n, tok.key) for n in ("anonymous", "titles", "ranks", "statement_nouns", "prepositions")):
            return False
        return any(WEAK_MASDAR.match(f) for f in forms[1:] or forms)

    def _np_start_ok(self, k: int, post: bool = True) -> bool:
        """Whether token k can open a noun phrase (not a particle, preposition, adverb or cue; `post`: after a verb,
        where an adverbial participle or addressee may stand)."""
        if not self._word(k):
            return False
        lists = ("prepositions", "that", "negators", "time_words", "clause_openers", "verb_particles") + (("adverbials",) if post else ())
        return not any(self._is(n, k) for n in lists) and not self.toks[k].key.startswith("لل") and not self._is_cue(k)

    def _negated(self, k: int) -> bool:
        """A negation right before the verb (لم يؤكد، لا تشير)."""
        return self._is("negators", k - 1) or (self._is("negators", k - 2) and self._is("verb_particles", k - 1))

    def _sentence_bounds(self, k: int) -> tuple[int, int]:
        """Token range of the stretch around k between hard sentence ends (؛ does not end it)."""
        lo = k
        while lo > 0 and not self._punct(lo - 1, TERMINALS):
            lo -= 1
        hi = k
        while hi < len(self.toks) and not self._punct(hi, TERMINALS):
            hi += 1
        return lo, hi

    def _person_word(self, k: int) -> bool:
        """A word that describes someone (title, rank, anonymous source): it ends an adverbial."""
        return any(self._is(n, k) for n in ("titles", "ranks", "anonymous"))

    # ---- adverbials ---------------------------------------------------------------------

    def _adverbial_end(self, k: int, post: bool = True) -> int | None:
        """End of an adverbial starting at k ("أمس", "في بيان أصدره", "مخاطباً للصحفيين"), else None.

        `post`: k follows a verb, where an accusative with tanween is an adverbial too.
        """
        if not self._word(k):
            return None
        owned_event = len(stems(self.toks[k])) > 1 and self._event(k)  # "حديثه", "كلمته": the speech itself
        if self._is("time_words", k) or (post and (self._is("adverbials", k) or self._tanween(k) or owned_event)):
            e = k + 1
            while any(self._is(n, e) for n in ("time_words", "time_modifiers")) or self._key(e).isdigit() or self._key(e) == "من":
                e += 1
            return e
        if self._is("prepositions", k) and (self._event(k + 1) or self._is("time_words", k + 1)):
            e = k + 2
        elif self._is("adverbial_preps", k) and self._word(k + 1):
            e = k + 1
        else:
            return None
        while self._word(e) and not (self._is("that", e) or self._is_cue(e) or self._masdar_like(e, True) or self._person_word(e)):
            e += 1
        return e

    def _event(self, k: int) -> bool:
        """A speech-event noun, also with a pronoun suffix ("في بيان", "في كلمته")."""
        return self._is("event_nouns", k) or (self._word(k) and any(self.lex.has("event_nouns", b) for b in stems(self.toks[k])))

    def _skip_adverbials(self, k: int) -> int:
        """The first token from k that does not start an adverbial."""
        while True:
            e = self._adverbial_end(k)
            if e is None:
                return k
            k = e

    # ---- noun phrases -------------------------------------------------------------------

    def _np_extent(self, j: int) -> tuple[int, int]:
        """A post-verbal subject from j: (end of the speaker phrase, first token after its appositions)."""
        k = j
        while k < len(self.toks) and self.toks[k].kind == "mark":
            k += 1
        if not self._np_start_ok(k) or self._adverbial_end(k) is not None:
            return j, j
        head = k
        k += 1
        if self._is("determiners", head) and self._word(k):
            k += 1
        while True:
            ent = self.entities.covering(self.toks[k - 1].start)
            if ent is not None:
                while k < len(self.toks) and self.toks[k].start < ent[1]:
                    k += 1
            person = self.entities.person_at(self.toks[k].start) if k < len(self.toks) else None
            if person is not None:
                while k < len(self.toks) and self.toks[k].start < person[1]:
                    k += 1
                continue
            named = k < len(self.toks) and self.entities.covering(self.toks[k].start) is not None
            if self._genitive_head(k - 1) and self._np_start_ok(k) and (named or not self._masdar_like(k, True)):
                k += 1
                continue
            if self._is("ranks", k - 1):
                n = 0
                while n < MAX_TRAILING_NAME and self._np_start_ok(k) and not self._key(k).startswith("ال") and not self._masdar_like(k):
                    k, n = k + 1, n + 1
            if self._word(k) and self._key(k).startswith("ال") and not self._is("time_words", k):
                if self._key(k - 1).startswith("ال") and not self._adjectival(k):
                    break  # a second definite noun after a definite one is the verb's object, not part of the subject
                k += 1
                continue
            if self._word(k) and self._key(k).startswith("ل") and len(self._key(k)) > 3 and not self._is("adverbials", k) and self._word(k + 1):
                k += 1
                continue
            if self._is("np_internal", k) and self._word(k + 1):
                k += 2
                continue
            if k < len(self.toks) and self.toks[k].kind == "mark" and self.toks[k].start not in self.opens:
                k += 1
                continue
            break
        return k, self._after_appositions(k)

    def _adjectival(self, k: int) -> bool:
        """A definite word that reads as an adjective (nisba, participle, أفعل), not a second noun (an object)."""
        key = self._key(k)
        if self._is("np_adjectives", k) or key.endswith(("ي", "يه", "يين", "يون", "يات")):
            return True
        return len(key) > 4 and (key[2] == "م" or (key[2] == "ا" and len(key) == 6))

    def _genitive_head(self, k: int) -> bool:
        """An indefinite title or a لـ-genitive, which the next word completes ("وزير الدفاع", "لقوة دفاع")."""
        if not self._word(k):
            return False
        key = self.toks[k].key
        if key.startswith("ال"):
            return False
        return self._is("titles", k) or self._is("name_nouns", k) or (key.startswith("ل") and not key.startswith("لل") and len(key) > 3)

    def _after_appositions(self, k: int) -> int:
        """Skip ", apposition," and ", adverbial," segments after a speaker phrase."""
        while self._punct(k, COMMAS):
            nxt = k + 1
            while nxt < len(self.toks) and not self._punct(nxt, COMMAS + TERMINALS + SOFT_ENDS + ":") and nxt - k <= MAX_APPOSITION:
                nxt += 1
            inner = range(k + 1, nxt)
            if not self._punct(nxt, COMMAS) or any(self._is("that", m) or self._opens_quote(m) for m in inner):
                return k + 1
            if self._adverbial_end(k + 1) is None and (len(inner) > MAX_NAME_SEGMENT or self._masdar_like(k + 1, strong=True)):
                return k + 1
            k = nxt
        return k

    def _definite(self, a: int, b: int) -> bool:
        """Whether tokens a..b can be a subject: definite, a name, or headed by a title, source or body word."""
        words = [k for k in range(a, b) if self._word(k)]
        if not words:
            return False
        if any(self._key(k).startswith("ال") or self.entities.covering(self.toks[k].start) for k in words):
            return True
        return any(self._is(n, words[0]) for n in ("titles", "ranks", "anonymous", "determiners", "statement_nouns", "name_nouns"))

    # ---- speaker phrases ----------------------------------------------------------------

    def _segments(self, a: int, b: int) -> list[list[int]]:
        """Word-token indices of a region, split at commas (quotation marks of names are see-through)."""
        segs: list[list[int]] = [[]]
        depth = 0
        for k in range(a, b):
            if self._punct(k, "("):
                depth += 1
            elif self._punct(k, ")"):
                depth = max(0, depth - 1)
            elif self._punct(k, COMMAS):
                segs.append([])
            elif self.toks[k].kind == "word" and depth == 0:
                segs[-1].append(k)
        return [s for s in segs if s]

    def _cut_adverbial(self, seg: list[int], post: bool) -> list[int]:
        """The part of a segment before its first adverbial or addressee."""
        for n, k in enumerate(seg):
            if n > 0 and (self._adverbial_end(k, post) is not None or self._is("that", k)):
                return seg[:n]
        return seg

    def _strip_statement(self, seg: list[int]) -> tuple[list[int], int]:
        """'بيان صادر عن X' / 'تصريحات X' stand for X; returns the tokens and a char offset for an attached ل."""
        if len(seg) < 2 or not self._is("statement_nouns", seg[0]):
            return seg, 0
        if self._is("issued_by", seg[1]) and len(seg) > 3 and self._key(seg[2]) in ("عن", "من"):
            return seg[3:], 0
        nxt = self.toks[seg[1]].key
        if self.entities.covering(self.toks[seg[1]].start) is not None:
            return seg[1:], 0
        if nxt.startswith("لل") or (nxt.startswith("ل") and self.entities.covering(self.toks[seg[1]].start + 1)):
            return seg[1:], 1
        if self.lex.has("statement_adjectives", nxt) or self._is("prepositions", seg[1]) or nxt.endswith(("ي", "يه")):
            return seg, 0
        return seg[1:], 0

    def _plain(self, toks: list[int]) -> bool:
        """Tokens that can be a bare name: no title, rank, function word or genitive link."""
        lists = ("titles", "ranks", "np_internal", "prepositions", "time_words", "that")
        return bool(toks) and not any(self._is(n, k) for k in toks for n in lists)

    def _name_in(self, seg: list[int]) -> tuple[list[int], list[int]] | None:
        """(name tokens, title tokens) of a segment when it names a person, else None."""
        person = self.entities.person_in(self.toks[seg[0]].start, self.toks[seg[-1]].end)
        if person is not None:
            name = [k for k in seg if person[0] <= self.toks[k].start < person[1]]
            before = [k for k in seg if k < name[0]]
            after = [k for k in seg if k > name[-1]]
            return name, before + (after if after and self._is("titles", after[0]) else [])
        for n, k in enumerate(seg):
            if self._is("ranks", k) and n + 1 < len(seg):
                rest = seg[n + 1 :]
                lead = 0
                while lead < len(rest) and self._key(rest[lead]).startswith("ال"):
                    lead += 1
                cut = next((m for m in range(lead, len(rest)) if self._is("titles", rest[m])), len(rest))
                if cut > lead and self._plain(rest[lead:cut]):
                    return rest[lead:cut], seg[: n + 1] + rest[:lead] + rest[cut:]
        for n, k in enumerate(seg):
            if n > 0 and self._is("titles", k) and self._plain(seg[:n]):
                return seg[:n], seg[n:]
        if self._is("titles", seg[0]) and any(self._linked(k) for k in seg):
            tail = len(seg)
            while tail > 1 and not self._linked(seg[tail - 1]) and len(seg) - tail < MAX_TRAILING_NAME:
                tail -= 1
            if tail < len(seg) and self._linked(seg[tail - 1]) and self._plain(seg[tail:]):
                return seg[tail:], seg[:tail]
        return None

    def _linked(self, k: int) -> bool:
        """A definite word or a genitive link (باسم): what a title ends with before the name after it."""
        return self._key(k).startswith("ال") or self._is("np_internal", k)

    def _titled(self, seg: list[int]) -> bool:
        """The segment holds a title or a rank word."""
        return any(self._is("titles", k) or self._is("ranks", k) for k in seg)

    def _apposition(self, seg: list[int]) -> bool:
        """A segment after a comma that still describes the speaker (a name, a title, a rank)."""
        if len(seg) > MAX_APPOSITION:
            return False
        return self._titled(seg) or len(seg) < MAX_NAME_SEGMENT or self.entities.covering(self.toks[seg[0]].start) is not None

    def _name_and_titles(self, segs: list[list[int]]) -> tuple[list[int] | None, list[list[int]]]:
        """The person's name among speaker segments (if any) and the title segments."""
        name: list[int] | None = None
        titles: list[list[int]] = []
        for seg in segs:
            found = self._name_in(seg) if name is None else None
            if found and found[0]:
                name = found[0]
                titles += [found[1]] if found[1] else []
            elif self._titled(seg):
                titles.append(seg)
            elif name is None and seg is not segs[0] and self._titled(segs[0]) and self._plain(seg):
                name = seg
        if name is None and len(segs) > 1 and self._plain(segs[0]) and any(self._titled(s) for s in segs[1:]):
            name = segs[0]
        return name, titles

    def _text(self, toks: list[int], offset: int = 0) -> tuple[str, int, int]:
        """Text and offsets from the first to the last of `toks` (skipping `offset` characters)."""
        a, b = self.toks[toks[0]].start + offset, self.toks[toks[-1]].end
        return self.text[a:b], a, b

    def mention(self, a: int, b: int, post: bool = True) -> Mention | None:
        """The speaker named by tokens a..b: name, title and kind, adverbials and appositions sorted out."""
        segs = self._segments(a, b)
        if not segs:
            return None
        first = self._cut_adverbial(segs[0], post)
        if not first or self._adverbial_end(first[0], post) is not None or not self._np_start_ok(first[0], post):
            return None
        first, offset = self._strip_statement(first)
        kept = [first]
        for seg in segs[1:]:
            if self._adverbial_end(seg[0]) is not None or self._is("prepositions", seg[0]):
                continue
            if not self._apposition(seg):
                break
            kept.append(seg)
        name, titles = self._name_and_titles(kept)
        kind = "person" if name else "body"
        if name is None:
            name = first
            if self._is("anonymous", first[0]):
                kind = "anon"
            elif self._is("titles", first[0]) or self._is("ranks", first[0]):
                kind = "description"
        text, start, end = self._text(name, offset if name is first else 0)
        title = "، ".join(self._text(t)[0] for t in titles if t and t != name) or None
        # The head decides the number (a plural noun, or a nisba plural on it or on its adjective): "مسؤولين
        # عسكريين" is plural, "الناطق باسم قوات ..." is not, and no named person is.
        plural = kind != "person" and (self._is("plural_heads", first[0]) or any(self._key(k).endswith(("يين", "يون")) for k in first[:2]))
        return Mention(text, start, end, title, self.entities.entity_id(start, end), kind, "pl" if plural else None)
