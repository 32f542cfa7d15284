"""Number recognition and parsing on spans, in Arabic, English, French and Persian.

Numbers are found on the `pipeline.textnorm` matching key (Eastern Arabic and Persian
digits unified, alef/yeh/teh-marbuta forms folded) and reported with offsets into the
original text, which is never rewritten. Handles digit runs with thousands separators
and decimals, digits with scale words ("26 ألف", "1.5 million"), number words of the
four languages, vague counts (dozens, عشرات: ACLED values, qualifier min) and ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .constants import LEXICONS
from .textnorm import norm_key, normalize

FIGURES_LEXICON = LEXICONS / "figures.yaml"

ZWNJ = "\u200c"
# Thousands separators: comma, dot, thin space, narrow no-break space, no-break space (and, in French, a space).
_DIGITS = r"\d{1,3}(?:[,.\u2009\u202f\u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
# French also groups thousands with a plain space: "2 500".
_DIGITS_FR = r"\d{1,3}(?:[ ,.\u2009\u202f\u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_WORD = r"(?:[^\W\d_]\.){2,}|[^\W\d_](?:[^\W\d_]|\u200c|['’-](?=[^\W\d_]))*"
_TOKEN = {lang: re.compile(rf"(?P<digits>{digits})|(?P<word>{_WORD})|(?P<punct>[^\s\w\u200c])")
          for lang, digits in (("fr", _DIGITS_FR), ("", _DIGITS))}


@dataclass(frozen=True)
class Token:
    """A word, digit run or punctuation mark, with its matching key and original offsets."""

    key: str
    start: int
    end: int
    kind: str  # "digits", "word" or "punct"


@dataclass(frozen=True)
class Number:
    """A number found in a text: its span, value and range, and how it was stated."""

    start: int
    end: int
    value: float
    low: float
    high: float
    first: int  # index of its first token
    last: int  # index of its last token
    hint: str | None = None  # "min" for vague counts, "approx" for "une dizaine"
    bare_digits: bool = False  # a digit run alone (year, id and date checks apply)
    definite: bool = False  # an Arabic definite numeral ("الجنود الثلاثة"): its noun comes before


@dataclass(frozen=True)
class Word:
    """What a number word contributes: its kind and value, with scale flags."""

    kind: str
    value: float = 0.0
    plural: bool = False
    dual: bool = False


@dataclass(frozen=True)
class NumberLexicon:
    """Number words of one language, keyed by normalised form."""

    words: dict[str, Word]
    weak: frozenset[str]
    no_definite: frozenset[str]
    prefixes: tuple[str, ...]


def key_of(word: str) -> str:
    """The matching key of a lexicon word or token (normalised, ZWNJ removed)."""
    return norm_key(word).replace(ZWNJ, "")


@lru_cache(maxsize=1)
def load_lexicon_file(path: Path = FIGURES_LEXICON) -> dict:
    """The parsed figures lexicon file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _lang_words(spec: dict) -> dict[str, Word]:
    words: dict[str, Word] = {}
    for word, value in spec.get("unit", {}).items():
        words[key_of(word)] = Word("unit", float(value))
    for word in spec.get("hundred", []):
        words[key_of(word)] = Word("hundred", 100.0)
    for word, info in spec.get("scale", {}).items():
        words[key_of(word)] = Word("scale", float(info["value"]), bool(info.get("plural")), bool(info.get("dual")))
    for kind in ("vague", "approx"):
        for word, value in spec.get(kind, {}).items():
            words[key_of(word)] = Word(kind, float(value))
    for kind in ("few", "half", "article", "joiner", "of"):
        for word in spec.get(kind, []):
            words.setdefault(key_of(word), Word(kind))
    return words


@lru_cache(maxsize=8)
def number_lexicon(lang: str) -> NumberLexicon:
    """The number lexicon of a language (English for unknown Latin-script languages)."""
    data = load_lexicon_file()
    spec = data["numbers"].get(lang) or data["numbers"]["en"]
    prefixes = tuple(key_of(p) for p in data["clitics"].get(lang, {}).get("prefixes", []))
    return NumberLexicon(
        words=_lang_words(spec),
        weak=frozenset(key_of(w) for w in spec.get("weak", [])),
        no_definite=frozenset(key_of(w) for w in spec.get("no_definite", [])),
        prefixes=prefixes,
    )


def tokenize(text: str, lang: str) -> list[Token]:
    """Tokens of `text` with keys from the normalised text and offsets into the original."""
    norm = normalize(text)
    pattern = _TOKEN["fr" if lang == "fr" else ""]
    tokens = []
    for m in pattern.finditer(norm.text):
        start, end = norm.to_original(m.start(), m.end())
        tokens.append(Token(m.group().replace(ZWNJ, ""), start, end, m.lastgroup or "punct"))
    return tokens


def parse_digits(run: str) -> float:
    """The value of a digit run: "26,700", "2.500", "2 500", "1.5", "3,5" (normalised digits)."""
    run = re.sub(r"[\u2009\u202f\u00a0 ]", "", run)
    seps = [c for c in run if c in ",."]
    if not seps:
        return float(run)
    groups = re.split(r"[,.]", run)
    if len(set(seps)) == 2:  # "1,234.5" or "1.234,5": the last separator is the decimal point
        return float("".join(groups[:-1]) + "." + groups[-1])
    if all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))
    return float("".join(groups[:-1]) + "." + groups[-1])


@dataclass(frozen=True)
class _Lookup:
    word: Word
    definite: bool = False  # matched after the article (الثلاثة)
    joined: bool = False  # matched after the conjunction (وعشرين)
    clitic: int = 0  # length (in key characters) of a conjunction/preposition before it (و، ب، ل)


def lookup(token: Token, lex: NumberLexicon) -> _Lookup | None:
    """The number word a token is, also after an Arabic/Persian proclitic (و، ب، ال...)."""
    if token.kind != "word":
        return None
    if token.key in lex.words:
        return _Lookup(lex.words[token.key])
    for prefix in lex.prefixes:
        rest = token.key[len(prefix):]
        if token.key.startswith(prefix) and rest in lex.words and lex.words[rest].kind not in ("joiner", "of", "article"):
            definite = prefix.endswith("ال") or prefix == "لل"
            if definite and rest in lex.no_definite:
                return None
            clitic = prefix[:-2] if prefix.endswith("ال") else prefix[:1] if prefix == "لل" else prefix
            return _Lookup(lex.words[rest], definite, prefix.startswith("و"), len(clitic))
    return None


_Read = tuple[int, float, str | None, bool]  # last token index, value, hint, definite


class _Group:
    """Accumulates a word-number left to right: units, hundreds, scales, a half.

    `prev` is the last unit or hundred value added to the current group; None when only a
    scale or a joiner may continue the number (after a digit run or a scale word).
    """

    def __init__(self) -> None:
        self.total = 0.0
        self.group = 0.0
        self.prev: float | None = None
        self.last_scale = float("inf")
        self.count = 0

    @property
    def value(self) -> float:
        return self.total + self.group

    def add_unit(self, value: float, joined: bool, digits: bool) -> bool:
        """Add a unit ("twenty" then "five"); False when it cannot continue this number."""
        if self.count == 0:
            self.group, self.prev = value, (None if digits else value)
        elif self.prev is None:
            if self.group or value >= self.last_scale or (digits and not joined):
                return False
            self.group, self.prev = value, (None if digits else value)
        elif digits or not _fits(self.prev, value, joined):
            return False
        else:
            self.group += value
            self.prev = value
        self.count += 1
        return True

    def add_hundred(self) -> bool:
        """"three hundred", "cinq cents", "ثلاث مائة"."""
        if self.count and (self.prev is None or self.group >= 10):
            return False
        self.group = (self.group or 1) * 100
        self.prev = self.group
        self.count += 1
        return True

    def add_scale(self, word: Word) -> bool:
        """"two thousand", "26 ألف", "ألفين" (a dual alone is two of it)."""
        if word.value >= self.last_scale or (self.count and not self.group):
            return False
        multiplier = self.group or (2.0 if word.dual else 1.0)
        self.total += multiplier * word.value
        self.group, self.prev, self.last_scale = 0.0, None, word.value
        self.count += 1
        return True

    def add_half(self) -> bool:
        """"مليون ونصف", "deux millions et demi": half of the last scale."""
        if not self.count or self.group:
            return False
        self.total += 0.5 * self.last_scale
        self.count += 1
        return True


def _fits(prev: float, value: float, joined: bool) -> bool:
    """Whether unit `value` can follow unit `prev` in one number.

    "twenty five", "بیست و پنج" (tens then units), "ثلاثة عشر" (teens), "خمسة وعشرون"
    (Arabic units then tens, joined by و), "three hundred and twenty".
    """
    if prev % 100 == 0:
        return value < 100
    if prev >= 20 and prev % 10 == 0:
        return value < 10
    if prev < 10 and value == 10 and not joined:
        return True
    return prev < 10 and joined and value >= 20 and value % 10 == 0 and value < 100


def _word_at(token: Token, lex: NumberLexicon) -> _Lookup | None:
    """A number word, also a hyphenated compound ("twenty-five", "quatre-vingt-dix-sept")."""
    found = lookup(token, lex)
    if found is None and token.kind == "word" and "-" in token.key:
        compound = _read_compound(token.key, lex)
        found = _Lookup(Word("unit", compound)) if compound is not None else None
    return found


def _add(acc: _Group, tok: Token, found: _Lookup | None, joined: bool) -> bool:
    """Add one token to the number being read; False when it ends the number."""
    if tok.kind == "digits":
        return acc.add_unit(parse_digits(tok.key), joined, True)
    if found is None:
        return False
    kind = found.word.kind
    if kind == "unit":
        return acc.add_unit(found.word.value, joined or found.joined, False)
    if kind == "hundred":
        return acc.add_hundred()
    if kind == "scale":
        return acc.add_scale(found.word)
    if kind == "half":
        return acc.add_half()
    return False


def _read_words(tokens: list[Token], i: int, lex: NumberLexicon) -> _Read | None:
    """Read a number starting at token i: (last index, value, hint, definite) or None."""
    head = _word_at(tokens[i], lex)
    if tokens[i].kind == "word":
        if head is None:
            return None
        if head.word.kind in ("vague", "few", "article", "approx") or (head.word.kind == "scale" and head.word.plural):
            special = _read_special(tokens, i, head, lex)
            return (*special[:3], head.definite) if special else None
        if head.word.kind not in ("unit", "hundred", "scale"):
            return None
    acc = _Group()
    last, pending_joiner = i - 1, False
    for j in range(i, len(tokens)):
        tok = tokens[j]
        found = _word_at(tok, lex) if tok.kind == "word" else None
        if found is not None and found.word.kind == "joiner":
            if pending_joiner or not acc.count:
                break
            pending_joiner = True
            continue
        if not _add(acc, tok, found, pending_joiner):
            break
        last, pending_joiner = j, False
    if last < i:
        return None
    words = [t.key for t in tokens[i:last + 1] if t.kind == "word"]
    if tokens[i].kind == "word" and all(w in lex.weak for w in words):
        return None
    return last, acc.value, None, bool(head and head.definite)


def _read_compound(key: str, lex: NumberLexicon) -> float | None:
    """A hyphenated number word by longest known prefixes: "quatre-vingt-dix-sept", "twenty-five"."""
    parts = key.split("-")
    total, k = 0.0, 0
    while k < len(parts):
        for end in range(len(parts), k, -1):
            word = lex.words.get("-".join(parts[k:end]))
            if word and word.kind == "unit":
                total += word.value
                k = end
                break
        else:
            return None
    return total


def _read_special(tokens: list[Token], i: int, head: _Lookup, lex: NumberLexicon) -> _Read | None:
    """Vague counts ("dozens", "آلاف", "عشرات الآلاف"), "several thousand", "a dozen", "une dizaine"."""
    j, first = i, head
    if first.word.kind == "article":
        j += 1
        nxt = lookup(tokens[j], lex) if j < len(tokens) else None
        if nxt is None or nxt.word.kind not in ("hundred", "scale", "approx", "few", "vague"):
            return None
        if nxt.word.kind in ("hundred", "scale") and not nxt.word.plural:
            read = _read_words(tokens, j, lex)  # "a hundred", "a dozen": as if preceded by one
            return (read[0], read[1], None, False) if read else None
        first = nxt
    if first.word.kind == "approx":
        return j, first.word.value, "approx", False
    if first.word.kind in ("vague", "scale"):
        return _vague_tail(tokens, j, first.word.value, lex)
    nxt = lookup(tokens[j + 1], lex) if j + 1 < len(tokens) else None
    if nxt and nxt.word.kind in ("scale", "hundred"):  # "several thousand", "بضعة آلاف"
        return _vague_tail(tokens, j + 1, nxt.word.value, lex)
    return None


def _vague_tail(tokens: list[Token], j: int, value: float, lex: NumberLexicon) -> _Read:
    """Multiply a vague count by a following plural scale: "tens of thousands", "عشرات الآلاف"."""
    k = j + 1
    if k < len(tokens) and (w := lookup(tokens[k], lex)) and w.word.kind == "of":
        k += 1
    if k < len(tokens) and (w := lookup(tokens[k], lex)) and w.word.kind == "scale" and w.word.plural:
        return k, value * w.word.value, "min", False
    return j, value, "min", False


def _range_word(tokens: list[Token], i: int, words: frozenset[str]) -> bool:
    return 0 <= i < len(tokens) and tokens[i].key in words


@dataclass(frozen=True)
class RangeWords:
    """Words that make two numbers a range: between X and Y, X to Y, X-Y; not "from X to Y"."""

    between: frozenset[str]
    and_: frozenset[str]
    to: frozenset[str]
    change_from: frozenset[str]


@lru_cache(maxsize=8)
def range_words(lang: str) -> RangeWords:
    """Range connectives of a language."""
    cats = load_lexicon_file()["categories"]
    spec = cats.get(lang) or cats["en"]

    def keys(name: str) -> frozenset[str]:
        return frozenset(key_of(w) for w in spec.get(name, []))

    return RangeWords(keys("range_between"), keys("range_and"), keys("range_to"), keys("change_from"))


def _merge_ranges(numbers: list[Number], tokens: list[Token], lang: str) -> list[Number]:
    """Join "20-30", "20 to 30", "between 20 and 30", "بين 20 و30" into one Number with low/high."""
    words = range_words(lang)
    out: list[Number] = []
    for num in numbers:
        prev = out[-1] if out else None
        if prev and prev.value < num.value and _is_range(prev, num, tokens, words):
            out[-1] = Number(prev.start, num.end, prev.value, prev.value, num.value, prev.first, num.last,
                             num.hint, False, prev.definite)
            continue
        out.append(num)
    return out


def _is_range(a: Number, b: Number, tokens: list[Token], words: RangeWords) -> bool:
    between = tokens[a.last + 1:b.first]
    keys = [t.key for t in between]
    before = a.first - 1
    if keys in (["-"], ["–"]):
        return True
    if len(keys) == 1 and keys[0] in words.to and keys[0] not in words.and_:
        return not _range_word(tokens, before, words.change_from)
    if len(keys) == 1 and keys[0] in words.and_:
        return _range_word(tokens, before, words.between)
    if not keys and tokens[b.first].key.startswith("و") and tokens[b.first].kind == "word":
        return _range_word(tokens, before, words.between)
    return False


def _start_after_clitic(text: str, tok: Token, lex: NumberLexicon) -> int:
    """Where a number word starts in the original text, after an attached و، ب، ل ("وستة" -> "ستة")."""
    found = lookup(tok, lex)
    if not found or not found.clitic:
        return tok.start
    return tok.start + normalize(text[tok.start:tok.end]).starts[found.clitic]


def find_numbers(text: str, lang: str, tokens: list[Token] | None = None) -> list[Number]:
    """Every number in `text`, left to right, with ranges merged."""
    tokens = tokens if tokens is not None else tokenize(text, lang)
    lex = number_lexicon(lang)
    numbers: list[Number] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        read = _read_words(tokens, i, lex) if tok.kind in ("digits", "word") else None
        if read is None:
            i += 1
            continue
        last, value, hint, definite = read
        bare = tok.kind == "digits" and last == i
        start = _start_after_clitic(text, tok, lex)
        numbers.append(Number(start, tokens[last].end, value, value, value, i, last, hint, bare, definite))
        i = last + 1
    return _merge_ranges(numbers, tokens, lang)


def parse_number(text: str, lang: str) -> float | None:
    """The value of the first number in `text` (a convenience for callers and tests)."""
    found = find_numbers(text, lang)
    return found[0].value if found else None
