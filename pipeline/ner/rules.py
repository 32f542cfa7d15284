"""Context rules: people named right after a title, with names checked against transliterations."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

import yaml

from ..constants import LEXICONS
from ..textnorm import norm_key, normalize

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return yaml.safe_load((LEXICONS / "ner_rules.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def name_dictionary() -> dict[str, str]:
    """arabnamer's English→Arabic personal-name dictionary (lower-case English keys)."""
    return json.loads(resources.files("arabnamer").joinpath("data/dict_FINAL.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def name_tokens() -> frozenset[str]:
    """Arabic-script spellings of personal names, normalised."""
    return frozenset(norm_key(v) for v in name_dictionary().values() if " " not in v)


@lru_cache(maxsize=4)
def _titles(lang: str) -> re.Pattern | None:
    titles = lexicon()["person_titles"].get(lang)
    if not titles:
        return None
    alts = "|".join(re.escape(norm_key(t)) for t in sorted(titles, key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=\s))[وف]?(?:{alts})(?=\s)")


@lru_cache(maxsize=1)
def rules_heads() -> dict[str, frozenset[str]]:
    """Leading words cut from Arabic mentions, by kind, as normalised keys."""
    return {kind: frozenset(norm_key(w) for w in words) for kind, words in lexicon()["span_heads"].items()}


@lru_cache(maxsize=1)
def never_entities() -> frozenset[str]:
    """Source credits and tokens that are never entities, as normalised keys."""
    return frozenset(norm_key(c) for c in lexicon()["credits"] + lexicon()["never_entities"])


def rule_mentions(text: str, lang: str) -> list[tuple[int, int, str]]:
    """PERSON spans: two or three known name words right after a title (or its complement)."""
    pattern = _titles(lang)
    if pattern is None:
        return []
    norm = normalize(text)
    names = name_tokens()
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(norm.text)]
    out = []
    for t in pattern.finditer(norm.text):
        following = [w for w in words if w[0] >= t.end()][: lexicon()["title_complement_max_words"] + 3]
        for k in range(len(following) - 1):
            run = []
            for w in following[k : k + 3]:
                if w[2] in names and not w[2].startswith("ال"):
                    run.append(w)
                else:
                    break
            if len(run) >= 2:
                s, e = norm.to_original(run[0][0], run[-1][1])
                out.append((s, e, "PERSON"))
                break
    return out
