"""The entity catalog: curated domain entities plus country names from packaged data.

Aliases are matched on normalised text (textnorm.normalize), tolerant of Arabic
proclitics, and every match maps back to exact offsets in the original text.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry
from babel import Locale

from ..constants import CATALOG_DIR
from ..textnorm import norm_key, normalize

log = logging.getLogger(__name__)

LANGS = ("en", "ar", "fr", "fa")
MAX_ALIAS_TOKENS = 8
# Attached Arabic proclitics tried before an alias: conjunction, then preposition.
PROCLITICS = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل")
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class Entity:
    entity_id: str
    type: str
    canonical_name: str
    qid: str | None = None
    nationality: str | None = None
    aliases: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entity: Entity


class Catalog:
    """Entities indexed by normalised alias, for detection, linking and demonyms."""

    def __init__(self, entities: list[Entity], detect: dict[str, str], link: dict[str, str], demonyms: dict[str, str], blocked: set[str]):
        self.entities = {e.entity_id: e for e in entities}
        self._detect = detect
        self._link = link
        self._demonyms = demonyms
        self.blocked = blocked
        # the first word of every detectable alias: a text position whose word (without a proclitic)
        # is not one of them starts no match, and is skipped without trying phrase lengths
        self._first_words = {m.group() for key in detect for m in [_TOKEN.search(key)] if m}

    def __len__(self) -> int:
        return len(self.entities)

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def link(self, mention: str, clitics: bool = True) -> Entity | None:
        """The entity a mention names (full alias or link-only short form), proclitics tolerated."""
        key = norm_key(mention)
        for k in _clitic_variants(key) if clitics else [key]:
            if k in self._link:
                return self.entities[self._link[k]]
        return None

    def demonym(self, word: str) -> Entity | None:
        """The country a nationality adjective refers to ("U.S.", "الأمريكية", "iraniens")."""
        key = norm_key(word).strip(".")
        for k in _clitic_variants(key):
            if k in self._demonyms:
                return self.entities[self._demonyms[k]]
        return None

    def find(self, text: str) -> list[Match]:
        """Longest non-overlapping alias matches in `text`, left to right, without proclitics."""
        norm = normalize(text)
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(norm.text)]
        out: list[Match] = []
        i = 0
        while i < len(tokens):
            if not self._may_start(norm.text[tokens[i][0] : tokens[i][1]]):
                i += 1
                continue
            best = None
            for n in range(min(MAX_ALIAS_TOKENS, len(tokens) - i), 0, -1):
                first_start = tokens[i][0]
                span_end = tokens[i + n - 1][1]
                phrase = norm.text[first_start:span_end]
                if n > 1 and not _same_phrase(norm.text, tokens[i : i + n]):
                    continue
                for clitic in PROCLITICS:
                    if clitic and not phrase.startswith(clitic):
                        continue
                    key = " ".join(phrase[len(clitic) :].split())
                    if clitic == "ل" and key.startswith("ل"):
                        key = "ا" + key  # للأمم = ل + الأمم: the span starts at the article's ل
                    if key in self._detect and key not in self.blocked:
                        best = (first_start + len(clitic), span_end, self.entities[self._detect[key]], n)
                        break
                if best:
                    break
            if best:
                s, e = norm.to_original(best[0], best[1])
                if text[s : s + 4].lower() == "the " and e - s > 4:
                    s += 4  # "the Pentagon": the article is not part of the name
                out.append(Match(s, e, best[2]))
                i += best[3]
            else:
                i += 1
        return out


    def _may_start(self, word: str) -> bool:
        """`word`, bare or after a proclitic, is the first word of an alias (as `find` builds keys)."""
        for clitic in PROCLITICS:
            if not word.startswith(clitic):
                continue
            rest = word[len(clitic) :]
            if not rest or rest in self._first_words or (clitic == "ل" and rest.startswith("ل") and "ا" + rest in self._first_words):
                return True
        return False


def _same_phrase(text: str, toks: list[tuple[int, int]]) -> bool:
    """Tokens joined only by spaces, hyphens, apostrophes or dots (never by other punctuation)."""
    return all(len(text[a[1] : b[0]]) <= 2 and text[a[1] : b[0]].strip(" -'.") == "" for a, b in zip(toks, toks[1:]))


def _clitic_variants(key: str) -> list[str]:
    out = [key]
    if key.startswith("ل") and not key.startswith("ال"):
        out.append("ا" + key)  # لحشد: a لل word without its preposition
    for clitic in PROCLITICS[1:]:
        if key.startswith(clitic) and len(key) - len(clitic) >= 3:
            out.append(key[len(clitic) :])
    return out


def _country_entities() -> list[Entity]:
    """Every country from pycountry, named in en/ar/fr/fa by babel's CLDR data."""
    locales = {lang: Locale(lang).territories for lang in LANGS}
    out = []
    for c in pycountry.countries:
        names = {lang: [locales[lang][c.alpha_2]] for lang in LANGS if c.alpha_2 in locales[lang]}
        en = names.get("en", [c.name])[0]
        names.setdefault("en", [en])
        if getattr(c, "common_name", None):
            names["en"].append(c.common_name)
        out.append(Entity(f"loc/country_{c.alpha_2.lower()}", "LOC", en, aliases=names))
    return out


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: invalid catalog line: {exc}") from exc
    return rows


def load_catalog(directory: str | Path = CATALOG_DIR) -> Catalog:
    """Load `entities.jsonl` (curated) and the generated countries from `directory` (once per process and folder)."""
    return _load_catalog(Path(directory).resolve())


@lru_cache(maxsize=4)
def _load_catalog(directory: Path) -> Catalog:
    path = directory / "entities.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"entity catalog {path} not found")
    curated = _read_jsonl(path)
    blocked_path = directory / "blocklist.txt"
    blocked = {norm_key(w) for w in blocked_path.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")} if blocked_path.exists() else set()
    entities: list[Entity] = []
    detect: dict[str, str] = {}
    link: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    for row in curated:
        ent = Entity(row["entity_id"], row["type"], row["canonical_name"], row.get("qid"), row.get("nationality"),
                     {k: list(v) for k, v in row.get("aliases", {}).items()})
        entities.append(ent)
        names = [ent.canonical_name] + [a for v in ent.aliases.values() for a in v]
        for alias in names:
            detect.setdefault(norm_key(alias), ent.entity_id)
        for alias in names + [a for v in row.get("link_aliases", {}).values() for a in v]:
            link.setdefault(norm_key(alias), ent.entity_id)
        for alias in (a for v in row.get("demonyms", {}).values() for a in v):
            demonyms.setdefault(norm_key(alias).strip("."), ent.entity_id)
    # Generated countries join the curated entity that already owns one of their names; a name
    # the curated data keeps for another entity (or as link-only) is never taken over.
    for country in _country_entities():
        names = [a for v in country.aliases.values() for a in v]
        owner = next((detect[norm_key(n)] for n in names if norm_key(n) in detect), None)
        if owner is None:
            entities.append(country)
            owner = country.entity_id
        for key in {norm_key(n) for n in names}:
            if link.get(key, owner) == owner and detect.get(key, owner) == owner:
                detect[key] = link[key] = owner
    catalog = Catalog(entities, detect, link, demonyms, blocked)
    log.info("catalog: %d entities, %d detectable aliases, %d demonyms", len(catalog), len(detect), len(demonyms))
    return catalog
