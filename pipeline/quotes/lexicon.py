"""Speech-cue lexicons (`data/lexicons/speech_cues.yaml`), normalised for matching."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from ..constants import LEXICONS
from ..textnorm import norm_key

LEXICON_PATH = LEXICONS / "speech_cues.yaml"
# Arabic form lists are ordered [masculine singular, feminine singular, plural].
AGREEMENT = (("m", "sg"), ("f", "sg"), (None, "pl"))
MASDAR_SUFFIXES = ("ه", "ها", "هم", "هما")


@dataclass(frozen=True)
class Sense:
    """One reading of a cue form: its lemma, tense slot, agreement and what it takes."""

    lemma: str
    slot: str
    gender: str | None
    number: str | None
    takes: frozenset[str]
    prep: str | None = None
    source: str | None = None
    addressee: str | None = None
    object: bool = False


@dataclass(frozen=True)
class Lexicon:
    """The cues and word lists of one language, keyed by normalised form."""

    lang: str
    senses: dict[str, tuple[Sense, ...]]
    lists: dict[str, frozenset[str]]
    pronouns: dict[str, dict]

    def has(self, name: str, key: str) -> bool:
        """True when `key` (already normalised) is in the word list `name`."""
        return key in self.lists.get(name, frozenset())

    def cue(self, key: str) -> tuple[Sense, ...]:
        """Senses of a normalised word form, trying it without a و/ف prefix too (Arabic)."""
        found = self.senses.get(key, ())
        if not found and self.lang == "ar" and len(key) > 3 and key[0] in "وف":
            found = self.senses.get(key[1:], ())
        return found


def key_of(word: str, lang: str) -> str:
    """The matching key of a word: Arabic normalisation, or lower case."""
    return norm_key(word) if lang in ("ar", "fa") else word.lower()


def _arabic_senses(verbs: dict) -> dict[str, tuple[Sense, ...]]:
    """Normalised Arabic forms -> their readings (lemma, slot, agreement, what they take)."""
    out: dict[str, list[Sense]] = {}
    for lemma, spec in verbs.items():
        common = {"takes": frozenset(spec["takes"]), "prep": norm_key(spec["prep"]) if spec.get("prep") else None,
                  "source": norm_key(spec["source"]) if spec.get("source") else None,
                  "addressee": norm_key(spec["addressee"]) if spec.get("addressee") else None,
                  "object": bool(spec.get("object"))}
        for slot in ("past", "present", "participle"):
            for form, (gender, number) in zip(spec.get(slot, []), AGREEMENT):
                out.setdefault(norm_key(form), []).append(Sense(lemma, slot, gender, number, **common))
        if spec.get("masdar"):
            for suffix in MASDAR_SUFFIXES:
                number = "pl" if suffix in ("هم", "هما") else "sg"
                out.setdefault(norm_key(spec["masdar"] + suffix), []).append(Sense(lemma, "masdar", None, number, **common))
    # Readings with a required preposition are tried first: they are the more specific ones.
    return {k: tuple(sorted(v, key=lambda s: s.prep is None)) for k, v in out.items()}


def _latin_senses(verbs: dict, mark_only: set[str]) -> dict[str, tuple[Sense, ...]]:
    """Lower-cased English/French lemmas and forms -> their reading."""
    out: dict[str, tuple[Sense, ...]] = {}
    for lemma, forms in verbs.items():
        takes = frozenset({"mark"} if lemma in mark_only else {"mark", "that", "colon"})
        sense = (Sense(lemma, "verb", None, None, takes),)
        out[lemma.lower()] = sense
        for form in forms:
            out[form.lower()] = sense
    return out


def _that_words(base: list[str], suffixes: list[str]) -> frozenset[str]:
    """أن/إن/بأن and their pronoun-suffixed forms, normalised."""
    words = {norm_key(w) for w in base}
    return frozenset(words | {w + norm_key(s) for w in words for s in suffixes})


@lru_cache(maxsize=4)
def load_lexicon(lang: str) -> Lexicon:
    """The lexicon of `lang` ('ar', 'en' or 'fr'; Persian uses the Arabic one)."""
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    lang = "ar" if lang == "fa" else lang
    spec = data[lang]
    lists: dict[str, frozenset[str]] = {}
    for name, value in spec.items():
        if isinstance(value, list) and name not in ("that", "that_suffixes"):
            lists[name] = frozenset(key_of(str(v), lang) for v in value)
    if lang == "ar":
        senses = _arabic_senses(spec["verbs"])
        lists["that"] = _that_words(spec["that"], spec["that_suffixes"])
    else:
        senses = _latin_senses(spec["verbs"], set(spec.get("mark_only", [])))
    return Lexicon(lang, senses, lists, spec.get("pronouns", {}))
