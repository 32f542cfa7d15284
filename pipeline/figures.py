"""Troop counts and casualty figures: value, category, qualifier, actor and location.

Numbers come from `pipeline.numbers`. Each is categorised as troops, killed, injured or
other by the noun it counts and the words that govern it:

- English and French use the dependency parse (the noun a number modifies, the verb or
  casualty noun governing that noun phrase: "three soldiers were killed", "the deaths of
  three soldiers", "killing at least 12").
- Arabic and Persian (and any sentence without a parse) use windowed lexical rules: the
  noun after the number (or before an Arabic definite numeral), إضافة triggers before it
  ("مقتل ثلاثة جنود", "إصابة 34 آخرين") and predicates after it ("سه سرباز کشته شدند").

Money, dates, years, ages, percentages, ordinals, ids and counts of things (attacks,
drones, days) are never emitted. All word lists live in data/lexicons/figures.yaml.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from .numbers import Number, Token, find_numbers, key_of, load_lexicon_file, tokenize
from .textnorm import script_of

log = logging.getLogger(__name__)

KILLED, INJURED, TROOPS, OTHER = "killed", "injured", "troops", "other"
MIXED = "mixed"  # killed-or-injured together: reported as `other`
SAME = "same"  # "bringing the total to 25,000": the category of the sentence's previous figure
# Word classes of counted nouns, in the order that decides a word listed in several.
NOUN_CLASSES = ("killed", "injured", "mixed", "troop", "person", "distractor")
CLAUSE_PUNCT = frozenset(".;:!?؛،؟()[]{}«»\"“”—–")
LEX_LANGS = ("en", "fr", "ar", "fa")


@dataclass(frozen=True)
class Lexicon:
    """The figures lexicon of one language, as normalised keys and token-key phrases."""

    lang: str
    words: dict[str, frozenset[str]]  # list name -> keys of its entries
    phrases: dict[str, tuple[tuple[str, ...], ...]]  # list name -> its multi-word entries, longest first
    light_objects: dict[str, frozenset[str]]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    verb_final: bool  # casualty verbs close the clause (Persian): look further after the noun
    min_troops: float
    max_plain_digits: int
    year_range: tuple[int, int]
    before: int
    after: int
    after_verb_final: int
    count_reach: int
    location_chars: int

    def variants(self, key: str) -> frozenset[str]:
        """A token key and its forms without Arabic/Persian clitics ("والجنود" -> "جنود")."""
        return _variants(key, self.prefixes, self.suffixes)

    def has(self, name: str, key: str) -> bool:
        """Whether a token key (or a clitic-free form of it) is in list `name`."""
        words = self.words.get(name, frozenset())
        return any(v in words for v in self.variants(key))

    def word_class(self, key: str) -> str | None:
        """The class of a word as a counted noun or trigger (killed, injured, troop, ...)."""
        return next((name for name in NOUN_CLASSES if self.has(name, key)), None)

    def phrase_at(self, tokens: list[Token], i: int, name: str) -> int:
        """Length in tokens of the longest entry of list `name` starting at token i (0 if none)."""
        for phrase in self.phrases.get(name, ()):
            n = len(phrase)
            if i + n <= len(tokens) and all(self._same(tokens[i + k].key, w) for k, w in enumerate(phrase)):
                return n
        return 1 if i < len(tokens) and self.has(name, tokens[i].key) else 0

    def phrase_before(self, tokens: list[Token], i: int, name: str) -> int:
        """Length of the longest entry of list `name` ending just before token i (0 if none)."""
        for phrase in self.phrases.get(name, ()):
            n = len(phrase)
            if i - n >= 0 and all(self._same(tokens[i - n + k].key, w) for k, w in enumerate(phrase)):
                return n
        return 1 if i > 0 and self.has(name, tokens[i - 1].key) else 0

    def _same(self, key: str, word: str) -> bool:
        """A token matches a phrase word as it is or without its clitics ("والجرحى" ~ "وجرحى")."""
        forms = self.variants(key)
        return word in forms or any(word.startswith(p) and word[len(p):] in forms for p in self.prefixes)


@lru_cache(maxsize=65536)
def _variants(key: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> frozenset[str]:
    out = {key}
    stems = {key} | {key[len(p):] for p in prefixes if key.startswith(p) and len(key) - len(p) >= 2}
    for stem in stems:
        out.add(stem)
        out |= {stem[: -len(s)] for s in suffixes if stem.endswith(s) and len(stem) - len(s) >= 2}
    return frozenset(out)


def _phrase_keys(words: list[str], lang: str) -> tuple[tuple[str, ...], ...]:
    """Multi-word entries as token-key tuples, longest first (single words are matched by `has`)."""
    keyed = {tuple(t.key for t in tokenize(str(w), lang)) for w in words}
    return tuple(sorted((k for k in keyed if len(k) > 1), key=len, reverse=True))


@lru_cache(maxsize=8)
def lexicon(lang: str) -> Lexicon:
    """The figures lexicon of `lang` (one of en, fr, ar, fa)."""
    data = load_lexicon_file()
    spec = data["categories"][lang]
    clitics = data["clitics"].get(lang, {})
    lists = {name: value for name, value in spec.items() if isinstance(value, list)}
    lists["of"] = data["numbers"][lang].get("of", [])
    lists["joiner"] = data["numbers"][lang].get("joiner", [])
    window = data["window"]
    return Lexicon(
        lang=lang,
        words={name: frozenset(key_of(str(w)) for w in ws) for name, ws in lists.items()},
        phrases={name: _phrase_keys(ws, lang) for name, ws in lists.items()},
        light_objects={cat: frozenset(key_of(w) for w in ws) for cat, ws in (spec.get("light_objects") or {}).items()},
        prefixes=tuple(key_of(p) for p in clitics.get("prefixes", [])),
        suffixes=tuple(key_of(s) for s in clitics.get("suffixes", [])),
        verb_final=bool(spec.get("verb_final")),
        min_troops=float(data["min_troops"]),
        max_plain_digits=int(data["max_plain_digits"]),
        year_range=(int(data["year_range"][0]), int(data["year_range"][1])),
        before=int(window["before"]),
        after=int(window["after"]),
        after_verb_final=int(window["after_verb_final"]),
        count_reach=int(window["count_reach"]),
        location_chars=int(window["location_chars"]),
    )


def lexicon_lang(text: str, lang: str) -> str:
    """The lexicon to use: the sentence's language, else by script (Arabic script -> ar, else en)."""
    if lang in LEX_LANGS:
        return lang
    return "ar" if script_of(text) == "arabic" else "en"


# --------------------------------------------------------------------------------------------
# Entities and the catalog
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _catalog():
    """The entity catalog for demonyms, or None when it is not available."""
    from .ner.catalog import load_catalog

    try:
        return load_catalog()
    except FileNotFoundError as exc:
        log.warning("figures: no entity catalog, actors from demonyms are left empty (%s)", exc)
        return None


def _clean(value) -> str | None:
    """A string field of an entity row, None for missing values (None, NaN, empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return str(value)


@dataclass(frozen=True)
class Actor:
    name: str
    entity_id: str | None


def _entity_actor(ent: dict) -> Actor:
    return Actor(_clean(ent.get("canonical_name")) or str(ent["text"]), _clean(ent.get("entity_id")))


def _demonym(words: list[str]) -> Actor | None:
    """The country a nationality word refers to ("American", "أمريكيين"), via the catalog."""
    catalog = _catalog()
    if catalog is None:
        return None
    for word in words:
        ent = catalog.demonym(word)
        if ent is not None:
            return Actor(ent.canonical_name, ent.entity_id)
    return None


def _entity_over(entities: list[dict], start: int, end: int, labels: tuple[str, ...]) -> dict | None:
    """The first entity with one of `labels` overlapping [start, end)."""
    return next((e for e in entities if e["label"] in labels and e["start"] < end and e["end"] > start), None)


# --------------------------------------------------------------------------------------------
# The sentence being read
# --------------------------------------------------------------------------------------------


@dataclass
class Sentence:
    """One sentence with its tokens, numbers, lexicon, entities and (optional) parse."""

    text: str
    lex: Lexicon
    tokens: list[Token]
    numbers: list[Number]
    entities: list[dict]
    doc: object | None

    def is_number_token(self, i: int) -> bool:
        return any(n.first <= i <= n.last for n in self.numbers)

    def ends_clause(self, i: int) -> bool:
        tok = self.tokens[i]
        return tok.kind == "punct" and tok.key in CLAUSE_PUNCT


@dataclass(frozen=True)
class Reading:
    """What the rules found for one number."""

    category: str
    noun_end: int  # character offset where the figure's text ends
    actor: Actor | None = None
    inferred: bool = False  # the category comes from the counted noun alone (no casualty word)


# --------------------------------------------------------------------------------------------
# Numbers that are not figures
# --------------------------------------------------------------------------------------------


def _glued(text: str, start: int, end: int) -> bool:
    """Digits glued to Latin letters or ids ("F-16", "3rd", "7into", "+961", "10:30", "07/01")."""
    before = text[start - 1] if start else " "
    before2 = text[start - 2] if start > 1 else " "
    after = text[end] if end < len(text) else " "
    after2 = text[end + 1] if end + 1 < len(text) else " "
    if before.isascii() and before.isalpha() or after.isascii() and after.isalpha():
        return True
    if before == "-" and before2.isalpha() or before in "+#№":
        return True
    return before in "/:" and before2.isdigit() or after in "/:" and after2.isdigit()


def _is_excluded(num: Number, s: Sentence) -> bool:
    """Dates, money, percentages, ages, ids, times and ordinals."""
    lex, toks = s.lex, s.tokens
    digits = toks[num.first].key
    if num.bare_digits and (_glued(s.text, num.start, num.end) or digits.isdigit() and len(digits) >= lex.max_plain_digits):
        return True
    prev = toks[num.first - 1] if num.first else None
    nxt = toks[num.last + 1] if num.last + 1 < len(toks) else None
    if (prev and lex.has("month", prev.key)) or (nxt and lex.has("month", nxt.key)):
        return True
    if prev and (lex.has("money", prev.key) or lex.phrase_before(toks, num.first, "age_cue")):
        return True
    if nxt and any(lex.phrase_at(toks, num.last + 1, name) for name in ("percent", "money", "of_them")):
        return True  # "35 percent", "30 dollars", "two of them" (a part of a figure already given)
    if nxt and num.value == 1 and lex.has("of", nxt.key):
        return True  # "one of the injured", "one of the soldiers": a person, not a count
    return _is_age_apposition(num, s)


def _is_age_apposition(num: Number, s: Sentence) -> bool:
    """"Sgt. William Rivers, 46, of Carrollton": a bare number between commas after a name."""
    toks = s.tokens
    if not num.bare_digits or num.value > 120 or num.first < 2 or num.last + 1 >= len(toks):
        return False
    name = s.text[toks[num.first - 2].start:toks[num.first - 2].end]
    return toks[num.first - 1].key == "," and toks[num.last + 1].key == "," and name[:1].isupper()


def _is_year(num: Number, s: Sentence) -> bool:
    low, high = s.lex.year_range
    digits = s.tokens[num.first].key
    return num.bare_digits and len(digits) == 4 and digits.isdigit() and low <= num.value <= high


# --------------------------------------------------------------------------------------------
# Qualifiers
# --------------------------------------------------------------------------------------------


def _qualifier_before(num: Number, s: Sentence) -> tuple[str | None, int]:
    """The qualifier phrase right before a number ("at least", "ما لا يقل عن") and where it starts."""
    found = [(s.lex.phrase_before(s.tokens, num.first, name), name) for name in ("min", "max", "approx")]
    n, name = max(found)  # the longest phrase: "no more than" (max) over "more than" (min)
    return (name, num.first - n) if n else (None, num.first)


def _qualifier_after(num: Number, s: Sentence, end: int) -> str | None:
    """A qualifier after the number or its noun ("2,000 troops or more", "900 جندي تقريبا")."""
    after_noun = next((i for i, t in enumerate(s.tokens) if t.start >= end), len(s.tokens))
    for name, qual in (("after_min", "min"), ("after_approx", "approx")):
        if any(s.lex.phrase_at(s.tokens, pos, name) for pos in (num.last + 1, after_noun) if pos < len(s.tokens)):
            return qual
    return None


def _qualifier(num: Number, s: Sentence, before: str | None, end: int) -> str:
    """exact, approx, min or max: a phrase before, else after, else a range or vague count (min)."""
    if before:
        return before
    if after := _qualifier_after(num, s, end):
        return after
    if num.low != num.high:
        return "min"
    return num.hint or "exact"


# --------------------------------------------------------------------------------------------
# Windowed lexical rules (Arabic, Persian, and any sentence without a parse)
# --------------------------------------------------------------------------------------------


def _counted_noun(num: Number, s: Sentence) -> tuple[int, str] | None:
    """(token index, class) of the noun a number counts: "2000 جندي", "عشرات من الجنود", "three American soldiers".

    Skips the partitive word right after the number (من، of, de) and force adjectives; a
    person word that is also an adjective ("other") is kept only if nothing better follows.
    An Arabic definite numeral counts the word before it ("الجنود الثلاثة").
    """
    lex, toks = s.lex, s.tokens
    if num.definite and num.first:
        cls = lex.word_class(toks[num.first - 1].key)
        return (num.first - 1, cls) if cls else None
    fallback = None
    for i in range(num.last + 1, min(len(toks), num.last + 1 + lex.after)):
        tok = toks[i]
        if tok.kind == "punct" and tok.key != "-" or tok.kind == "digits" or s.is_number_token(i):
            break
        phrase = next(((name, n) for name in NOUN_CLASSES if (n := lex.phrase_at(toks, i, name)) > 1), None)
        if phrase:
            return i + phrase[1] - 1, phrase[0]  # "مشاة البحرية", "casques bleus": the phrase's last word
        cls = lex.word_class(tok.key)
        skippable = lex.has("skip", tok.key) or tok.key == "-" or (i == num.last + 1 and lex.has("of", tok.key))
        if cls and cls != "person" and not (cls == "distractor" and skippable):
            return i, cls
        if cls == "person" and not skippable:
            return _partitive_troop(s, i) or (i, cls)
        if cls == "person" and fallback is None:
            fallback = (i, cls)
        if not skippable:
            break
    return fallback


def _partitive_troop(s: Sentence, i: int) -> tuple[int, str] | None:
    """"۳ تن از نیروهای امنیتی", "five members of the security forces": the forces are counted."""
    toks, lex = s.tokens, s.lex
    if i + 1 >= len(toks) or not lex.has("of", toks[i + 1].key):
        return None
    for j in range(i + 2, min(len(toks), i + 4)):
        if lex.word_class(toks[j].key) == "troop":
            return j, "troop"
        if not (lex.has("skip", toks[j].key) or lex.has("determiner", toks[j].key)):
            return None
    return None


def _trigger_at(s: Sentence, i: int) -> str | None:
    """The casualty class of token i: killed, injured, mixed (a phrase or word), else None."""
    lex, toks = s.lex, s.tokens
    if lex.phrase_at(toks, i, "mixed"):
        return MIXED
    for name in (KILLED, INJURED):
        if lex.phrase_at(toks, i, name) or lex.has(name, toks[i].key):
            return name
    return None


def _scan(s: Sentence, start: int, step: int, reach: int, stop_at_nouns: bool) -> str | None:
    """The nearest trigger from token `start` in direction `step`, within `reach` tokens.

    Two different triggers side by side make `mixed`. A parenthetical aside after the figure
    (", بينهم مدنيون،", ", including civilians,") is skipped and not counted. With
    `stop_at_nouns` False, nouns do not end the search (words between a count word and its number).
    """
    found: list[tuple[int, str]] = []
    i, seen = start, 0
    while 0 <= i < len(s.tokens) and seen < reach:
        if s.ends_clause(i):
            aside_end = _aside_end(s, i) if step > 0 else -1
            if aside_end < 0:
                break
            i = aside_end + 1
            continue
        if s.is_number_token(i) or s.tokens[i].kind == "digits":
            break
        trig = _trigger_at(s, i)
        if trig:
            found.append((i, trig))
            if len(found) == 2:
                break
        elif found:
            break
        elif stop_at_nouns and s.lex.word_class(s.tokens[i].key) in ("troop", "person", "distractor") and not s.lex.has("skip", s.tokens[i].key):
            break
        i, seen = i + step, seen + 1
    if not found:
        return None
    if len(found) == 2 and found[0][1] != found[1][1] and abs(found[0][0] - found[1][0]) == 1:
        return MIXED
    return found[0][1]


def _aside_end(s: Sentence, comma: int) -> int:
    """The closing comma of an aside opened at `comma` (", بينهم مدنيون،"), else -1."""
    toks = s.tokens
    if toks[comma].key not in (",", "،") or comma + 1 >= len(toks) or not s.lex.phrase_at(toks, comma + 1, "aside"):
        return -1
    for j in range(comma + 2, min(len(toks), comma + 2 + s.lex.after)):
        if toks[j].key in (",", "،"):
            return j
        if s.ends_clause(j):
            return -1
    return -1


def _window_trigger(num: Number, s: Sentence, start_token: int, end_token: int) -> str | None:
    """A killed/injured trigger before the number (إضافة, verb) or after its noun (predicate)."""
    lex = s.lex
    reach = lex.after_verb_final if lex.verb_final else lex.after
    before = _scan(s, start_token - 1, -1, lex.before, stop_at_nouns=True)
    after = _scan(s, end_token + 1, 1, reach, stop_at_nouns=not lex.verb_final)
    first, second = (before, after) if lex.lang == "ar" else (after, before)
    return first or second


def _count_phrase(s: Sentence, start_token: int) -> str | None:
    """"ارتفع عدد القتلى إلى 45", "عدد المقاتلين الذين قتلوا ... إلى 140 مقاتلا", "عدد القوات ... 900".

    Looks back in the clause for a count word (عدد, number, toll); a casualty word between it
    and the number gives the category, else a troop noun right after the count word, else the
    category of the figure before ("ليرتفع العدد الإجمالي إلى 25 ألفا": SAME).
    """
    toks, lex = s.tokens, s.lex
    for i in range(start_token - 1, max(-1, start_token - 1 - lex.count_reach), -1):
        if s.ends_clause(i) or s.is_number_token(i):
            return None
        if lex.has("count", toks[i].key):
            between = _scan(s, i + 1, 1, start_token - i - 1, stop_at_nouns=False)
            if between:
                return between
            troop = any(lex.word_class(toks[j].key) == "troop" for j in range(i + 1, min(start_token, i + 3)))
            return "troop" if troop else SAME
    return None


def _windowed(num: Number, s: Sentence, q_start: int) -> Reading | None:
    """Categorise a number with windowed lexical rules."""
    noun = _counted_noun(num, s)
    cls = noun[1] if noun else None
    if cls == "distractor" or (_is_year(num, s) and cls not in ("troop", "person", KILLED, INJURED)):
        return None
    if num.definite and noun is None:
        return None  # "شيع الآلاف": a definite numeral without its noun is not a count of anything here
    end_token = max(num.last, noun[0]) if noun else num.last
    inferred = False
    if cls in (KILLED, INJURED, MIXED):
        category = cls
    else:
        category = _window_trigger(num, s, q_start, end_token)
        counted = _count_phrase(s, q_start) if category is None else None
        if counted is not None and (counted != SAME or cls is None):
            category = counted
        elif category is None and cls in ("troop", "person"):
            category, inferred = cls, True
    category = {MIXED: OTHER, "troop": TROOPS, "person": OTHER}.get(category or "", category)
    if category is None:
        return None
    end_token = _extend_adjectives(s, end_token) if noun and not num.definite else end_token
    actor = _window_actor(num, s, noun[0] if noun else None, end_token)
    return Reading(category, s.tokens[end_token].end, actor, inferred)


def _extend_adjectives(s: Sentence, end_token: int) -> int:
    """Include following adjectives in Arabic/Persian ("900 جندي أمريكي", "1500 جندي إضافي")."""
    if s.lex.lang not in ("ar", "fa"):
        return end_token
    for i in range(end_token + 1, min(len(s.tokens), end_token + 3)):
        tok = s.tokens[i]
        if tok.kind != "word" or not (s.lex.has("skip", tok.key) or _demonym([tok.key]) is not None):
            break
        end_token = i
    return end_token


def _window_actor(num: Number, s: Sentence, noun: int | None, end_token: int) -> Actor | None:
    """A nationality word or entity next to the counted noun, or the counted noun itself ("Palestinians")."""
    if noun is None:
        return None
    lo, hi = (num.last + 1, end_token) if noun > num.last else (noun, noun)
    indices = list(range(lo, hi + 1))
    words = [[s.text[s.tokens[i].start:s.tokens[i].end], *sorted(s.lex.variants(s.tokens[i].key), key=len, reverse=True)]
             for i in indices]
    return _actor_from(s, [(s.tokens[i].start, s.tokens[i].end) for i in indices if i != noun], words)


def _actor_from(s: Sentence, spans: list[tuple[int, int]], words: list[list[str]]) -> Actor | None:
    """The first nationality word (via the catalog), else a LOC, else an ORG entity over the spans
    (the modifiers of the counted noun: "U.S. troops", not the noun itself)."""
    for forms in words:
        if actor := _demonym(forms):
            return actor
    for labels in (("LOC",), ("ORG",)):
        for start, end in spans:
            if (ent := _entity_over(s.entities, start, end, labels)) is not None:
                return _entity_actor(ent)
    return None


# --------------------------------------------------------------------------------------------
# Dependency rules (English, French)
# --------------------------------------------------------------------------------------------


def _dep(tok) -> str:
    """The dependency label without UD subtypes, keeping the passive subject apart (nsubj:pass)."""
    return "nsubjpass" if tok.dep_ == "nsubj:pass" else tok.dep_.split(":")[0]


def _tok_class(tok, lex: Lexicon) -> str | None:
    """The class of a spaCy token by its form or lemma, with its compounds ("service members")."""
    compounds = " ".join(c.text for c in tok.children if _dep(c) == "compound" and c.i < tok.i)
    keys = [key_of(f"{compounds} {tok.text}")] if compounds else []
    doc = tok.doc
    if tok.i + 1 < len(doc):
        keys.append(key_of(f"{tok.text} {doc[tok.i + 1].text}"))
    if tok.i > 0:
        keys.append(key_of(f"{doc[tok.i - 1].text} {tok.text}"))
    for key in (*keys, key_of(tok.text), key_of(tok.lemma_)):
        cls = lex.word_class(key)
        if cls:
            return cls
    return None


def _casualty(tok, lex: Lexicon) -> str | None:
    """killed, injured or mixed for a casualty word; verbs by lemma ("has fallen" is not "fallen heroes")."""
    if tok.pos_ in ("VERB", "AUX") and _dep(tok) != "amod":
        cls = lex.word_class(key_of(tok.lemma_))
    else:
        cls = _tok_class(tok, lex)
    return cls if cls in (KILLED, INJURED, MIXED) else None


def _span_tokens(doc, start: int, end: int) -> list:
    return [t for t in doc if t.idx < end and t.idx + len(t.text) > start]


def _number_head(doc, num: Number):
    """The token of a number whose head lies outside the number ("2,000", "thousand")."""
    toks = _span_tokens(doc, num.start, num.end)
    if not toks:
        return None
    inside = {t.i for t in toks}
    return next((t for t in toks if t.head.i not in inside or t.head.i == t.i), toks[-1])


def _parsed_noun(head, s: Sentence, num: Number):
    """The noun a number counts: by the parse (nummod, "dozens of X"), else the lexical scan,
    else any common noun the number modifies (its class is then unknown: None)."""
    lex = s.lex
    modified = head.head if _dep(head) in ("nummod", "quantmod", "amod", "compound", "det") else None
    if modified is not None and modified.pos_ in ("NOUN", "PROPN") and _tok_class(modified, lex):
        return modified
    for prep in (c for c in head.children if _dep(c) in ("prep", "nmod") and lex.has("of", key_of(c.text)) or _dep(c) == "nmod"):
        obj = next((c for c in prep.children if _dep(c) == "pobj"), prep if _dep(prep) == "nmod" else None)
        if obj is not None and _tok_class(obj, lex):
            return obj
    noun = _counted_noun(num, s)
    if noun is not None:
        toks = _span_tokens(s.doc, s.tokens[noun[0]].start, s.tokens[noun[0]].end)
        return toks[-1] if toks else None
    return modified if modified is not None and modified.pos_ == "NOUN" else None


def _modifier_class(noun, lex: Lexicon) -> str | None:
    """"three fallen heroes", "soldiers killed in the attack", "soldiers who were wounded"."""
    for child in noun.children:
        if _dep(child) in ("amod", "acl", "relcl") and (cls := _casualty(child, lex)):
            return cls
        if _dep(child) == "acl" and child.pos_ in ("VERB", "AUX"):
            if cls := _verb_class(child, None, lex):
                return cls
    return None


def _verb_class(verb, via, lex: Lexicon) -> str | None:
    """The casualty class a verb gives its argument `via` (None: look only at its complements).

    The verb itself ("were killed", "died", "killing 12"; not the subject of an agent verb:
    "gunmen killed"), a conjoined verb ("killed or wounded" -> mixed), a light object or
    complement ("lost their lives", "suffered injuries", "were among the dead"), or a counted
    subject ("the death toll rose to 30", "the number of wounded reached 40").
    """
    rel = _dep(via) if via is not None else None
    own = _casualty(verb, lex)
    has_object = any(_dep(c) in ("dobj", "obj") for c in verb.children)
    agent = lex.has("agent_verbs", key_of(verb.lemma_)) and rel == "nsubj" and has_object
    if own and not agent:
        return MIXED if _shared_conj_classes(verb, lex) - {own} else own
    for child in verb.children:
        if child is via:
            continue
        dep = _dep(child)
        key = key_of(child.lemma_)
        if dep in ("dobj", "obj", "attr", "acomp", "oprd", "xcomp") or (dep == "advcl" and child.pos_ == "ADJ"):
            cls = _casualty(child, lex) or next((c for c, ws in lex.light_objects.items() if key in ws), None)
            if cls and not (dep == "xcomp" and rel is None):
                return cls
        if dep in ("prep", "obl") and lex.has("light_preps", key_of(child.text)):
            obj = next((c for c in child.children if _dep(c) == "pobj"), None)
            if obj is not None and (cls := _casualty(obj, lex)):
                return cls
        if dep in ("nsubj", "nsubjpass", "dobj", "obj") and rel in ("pobj", "obl", "attr", "prep", "npadvmod"):
            if cls := _subject_class(child, lex):
                return cls
    return None


def _shared_conj_classes(verb, lex: Lexicon) -> set[str]:
    """Casualty classes of verbs conjoined to `verb` that share its arguments ("killed or wounded")."""
    args = ("nsubj", "nsubjpass", "dobj", "obj")
    return {c for x in verb.children if _dep(x) == "conj" and not any(_dep(g) in args for g in x.children)
            for c in [_casualty(x, lex)] if c}


def _subject_class(subj, lex: Lexicon) -> str | None:
    """"the death toll" -> killed; "the number of wounded" -> injured; "the number of troops" -> troop;
    "the total" alone -> SAME (the category of the figure before)."""
    if lex.has("count", key_of(subj.lemma_)) or _casualty(subj, lex):
        inner = [t for t in subj.subtree if t is not subj]
        cls = next((c for c in (_casualty(t, lex) for t in inner) if c), None) or _casualty(subj, lex)
        return cls or next(("troop" for t in inner if _tok_class(t, lex) == "troop"), SAME)
    return None


def _governor_class(np_head, lex: Lexicon) -> tuple[str | None, bool]:
    """Climb from a noun phrase to the word that says what happened to it.

    Returns (class or None, whether a verb governs the phrase); a phrase no verb governs
    (a broken parse) may still be read by the window rules.
    """
    cur = np_head
    while _dep(cur) in ("amod", "compound", "det", "flat", "fixed", "nummod") and cur.head.pos_ in ("NOUN", "PROPN") and cur.head.i != cur.i:
        cur = cur.head  # a mis-tagged noun inside its phrase ("casques bleus")
    if cls := _modifier_class(cur, lex):
        return cls, True
    for _ in range(6):
        head = cur.head
        if head.i == cur.i:
            return None, False
        dep = _dep(cur)
        if head.pos_ in ("VERB", "AUX") or (head.pos_ == "ADJ" and _casualty(head, lex)):
            return _verb_class(head, cur, lex), True
        if head.pos_ in ("NOUN", "PROPN") and dep in ("prep", "nmod", "conj", "pobj") and (cls := _casualty(head, lex)):
            return cls, True  # "the deaths of three soldiers"
        if dep not in ("conj", "pobj", "prep", "nmod", "case", "appos") or head.pos_ == "PROPN" and not _tok_class(head, lex):
            return None, False
        cur = head
    return None, False


def _deployed(np_head, lex: Lexicon) -> bool:
    """A bare number that a deployment verb takes ("another 900 are deployed", "sent 500")."""
    return _dep(np_head) in ("nsubjpass", "dobj", "obj") and lex.has("deploy", key_of(np_head.head.lemma_))


def _parsed(num: Number, s: Sentence, q_start: int) -> Reading | None:
    """Categorise a number with the dependency parse, falling back to the window rules."""
    lex = s.lex
    head = _number_head(s.doc, num)
    if head is None:
        return _windowed(num, s, q_start)
    noun = _parsed_noun(head, s, num)
    cls = _tok_class(noun, lex) if noun is not None else None
    if cls == "distractor" or (cls not in ("troop", "person", KILLED, INJURED) and _is_year(num, s)):
        return None
    if noun is None and _dep(head) in ("nummod", "appos", "npadvmod", "amod") and head.head.pos_ == "PROPN":
        return None  # "Rivers, 46," or a number modifying a name
    inferred = False
    if cls in (KILLED, INJURED, MIXED):
        category = cls
    else:
        np_head = noun if noun is not None else head
        category, governed = _governor_class(np_head, lex)
        if category is None and not governed and cls in ("troop", "person"):  # a broken parse: try the window
            noun_end = next((i for i, t in enumerate(s.tokens) if t.end >= noun.idx + len(noun.text)), num.last)
            category = _window_trigger(num, s, q_start, max(num.last, noun_end))
        if category is None and cls in ("troop", "person"):
            category, inferred = cls, True
        elif category is None and noun is None and _deployed(np_head, lex):
            category = "troop"
    category = {MIXED: OTHER, "troop": TROOPS, "person": OTHER}.get(category or "", category)
    if category is None:
        return None
    end = max(num.end, noun.idx + len(noun.text)) if noun is not None else num.end
    return Reading(category, end, _parsed_actor(noun, num, s), inferred)


def _parsed_actor(noun, num: Number, s: Sentence) -> Actor | None:
    """Nationality adjective, compound or possessor of the counted noun, or the noun itself."""
    if noun is None:
        return None
    candidates = [c for c in noun.children if _dep(c) in ("amod", "compound", "poss", "nmod") and c.i < noun.i
                  and _tok_class(c, s.lex) is None]  # not a word of the counted phrase ("Casques bleus")
    spans = [(t.idx, t.idx + len(t.text)) for t in candidates]
    return _actor_from(s, spans, [[t.text, t.lemma_] for t in (*candidates, noun)])


# --------------------------------------------------------------------------------------------
# Location and output
# --------------------------------------------------------------------------------------------


def _location(s: Sentence, start: int, end: int) -> dict | None:
    """A LOC entity in the figure's clause introduced by a preposition (in Iraq, في سوريا, بالعراق)."""
    lex = s.lex
    best: tuple[int, dict] | None = None
    for ent in s.entities:
        if ent["label"] != "LOC" or (ent["start"] < end and ent["end"] > start):
            continue
        lo, hi = (end, ent["start"]) if ent["start"] >= end else (ent["end"], start)
        between = [i for i, t in enumerate(s.tokens) if lo <= t.start and t.end <= hi]
        if hi - lo > lex.location_chars or any(s.ends_clause(i) for i in between):
            continue
        if not _introduced(s, ent["start"]) or _modifies_noun(s, ent):
            continue
        distance = hi - lo + (0 if ent["start"] >= end else lex.location_chars)  # prefer places after the figure
        if best is None or distance < best[0]:
            best = (distance, ent)
    return best[1] if best else None


def _modifies_noun(s: Sentence, ent: dict) -> bool:
    """An entity used as a modifier ("in the U.S. strikes"), by the parse where there is one."""
    if s.doc is None:
        return False
    toks = _span_tokens(s.doc, ent["start"], ent["end"])
    return bool(toks) and _dep(toks[-1]) in ("compound", "amod") and toks[-1].head.i > toks[-1].i


def _introduced(s: Sentence, start: int) -> bool:
    """Whether an entity at `start` follows a location preposition (also attached: "بالعراق")."""
    before = [t for t in s.tokens if t.end <= start]
    attached = next((t for t in s.tokens if t.start < start < t.end), None)
    if attached is not None:
        clitic = s.text[attached.start:start]
        return key_of(clitic) in s.lex.words.get("location_clitic", frozenset())
    skip = 1 if before and s.lex.has("determiner", before[-1].key) else 0
    if len(before) <= skip:
        return False
    return s.lex.has("location_prep", before[-1 - skip].key)


def _row(num: Number, s: Sentence, reading: Reading, qualifier: str) -> dict:
    loc = _location(s, num.start, reading.noun_end)
    actor = reading.actor
    return {
        "start": num.start,
        "end": reading.noun_end,
        "text": s.text[num.start:reading.noun_end],
        "value": float(num.value),
        "low": float(num.low),
        "high": float(num.high),
        "category": reading.category,
        "qualifier": qualifier,
        "actor": actor.name if actor else None,
        "actor_entity_id": actor.entity_id if actor else None,
        "location": (_clean(loc.get("canonical_name")) or loc["text"]) if loc else None,
        "location_entity_id": _clean(loc.get("entity_id")) if loc else None,
    }


def find_figures(text: str, lang: str, entities: list[dict], parse: Callable[[str], object] | None = None) -> list[dict]:
    """Troop counts and casualty figures in one sentence (offsets relative to the sentence).

    `parse` (text -> spaCy Doc) gives the dependency parse the English and French rules read; it is
    called only for a sentence with numbers in it. Without it, the windowed rules apply.
    """
    lex = lexicon(lexicon_lang(text, lang))
    tokens = tokenize(text, lex.lang)
    numbers = find_numbers(text, lex.lang, tokens)
    if not numbers:
        return []
    s = Sentence(text, lex, tokens, numbers, entities, parse(text) if parse is not None else None)
    rows: list[dict] = []
    inferred: list[bool] = []  # per row: its category came from its noun alone
    for num in s.numbers:
        if _is_excluded(num, s):
            continue
        before, q_start = _qualifier_before(num, s)
        reading = _parsed(num, s, q_start) if s.doc is not None else _windowed(num, s, q_start)
        starts_at = num.start if q_start == num.first else s.tokens[q_start].start
        if reading is None and rows and _elliptic(s, rows[-1], num, starts_at):
            reading = Reading(SAME, num.end)
        if reading is None:
            continue
        linked = bool(rows) and _linked(s, rows[-1], starts_at)
        if reading.category == SAME or (linked and reading.inferred and rows[-1]["category"] in (KILLED, INJURED)):
            if not rows or rows[-1]["category"] == OTHER:
                continue
            reading = replace(reading, category=rows[-1]["category"], inferred=False)
        elif linked and inferred[-1] and reading.category in (KILLED, INJURED):
            rows[-1]["category"] = reading.category  # "۸ نفر از جمله سه کودک کشته شدند": the verb closes both
        if reading.category == TROOPS and num.value < lex.min_troops:
            continue
        rows.append(_row(num, s, reading, _qualifier(num, s, before, reading.noun_end)))
        inferred.append(reading.inferred)
    return rows


def _gap(s: Sentence, previous: dict, start: int) -> list[Token]:
    """Tokens between the previous figure's end and `start` (a clitic "و" included)."""
    return tokenize(s.text[previous["end"]:start], s.lex.lang) if previous["end"] <= start else []


def _elliptic(s: Sentence, previous: dict, num: Number, start: int) -> bool:
    """"2,500 service members in Iraq and 900 in Syria", "2500 عسكري في العراق و900 في سوريا":
    a bare number after "<place phrase> and", following a figure, followed by a place phrase."""
    gap = _gap(s, previous, start)
    words = [t for t in gap if t.kind == "word"]
    nxt = s.tokens[num.last + 1] if num.last + 1 < len(s.tokens) else None
    if not words or len(words) > 4 or any(t.key in CLAUSE_PUNCT for t in gap):
        return False
    return (s.lex.has("location_prep", words[0].key) and s.lex.has("joiner", words[-1].key)
            and nxt is not None and s.lex.has("location_prep", nxt.key))


def _linked(s: Sentence, previous: dict, start: int) -> bool:
    """A figure joined to the one just before it by "and" or an aside word: "قتل تسعة جنود وستة
    مدنيين", "eight civilians, including three children, were killed", "۸ نفر از جمله سه کودک"."""
    gap = _gap(s, previous, start)
    words = [t for t in gap if t.kind == "word"]
    if not words:
        return False
    if len(words) == 1 and s.lex.has("joiner", words[0].key):
        return True
    last = gap.index(words[-1])
    return len(words) <= 4 and bool(s.lex.phrase_before(gap, last + 1, "aside"))
