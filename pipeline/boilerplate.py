"""Removal of scraped-page residue (navigation, widgets, link lists) by general rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .textnorm import norm_key

_SEPARATORS = re.compile(r"[|•·/،,:\-–—>»«]+")
# Icon-font ligature names glued to link text by scrapers (folder_open, access_time).
_ICON_LIGATURE = re.compile(r"\b[a-z]+_[a-z_]+(?=[A-Z\u0600-\u06FF]|\b)")
_SENTENCE_END = re.compile(r"[.!?؟。…:]\s*[\"'”»]?$")
MAX_LINK_LIST = 12
MAX_HEADLINE_WORDS = 22
# Residue lines are short: longer lines only get their link tail checked, so cost stays linear on huge lines.
MAX_RESIDUE_CHARS = 1000
TAIL_WINDOW = 300  # link tails are looked for in a line's last characters only


@dataclass(frozen=True)
class Rules:
    nav: frozenset[str]
    tails: re.Pattern
    headings: frozenset[str]


@lru_cache(maxsize=4)
def load_rules(path: str) -> Rules:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    nav = frozenset(norm_key(str(w)) for words in data["nav_words"].values() for w in words)
    alternatives = "|".join(re.escape(str(t).strip("()")) for t in sorted(data["link_tails"], key=len, reverse=True))
    tails = re.compile(rf"[\s(|–-]*(?:{alternatives})\)?\s*$", re.IGNORECASE)
    headings = frozenset(norm_key(h) for h in data["link_list_headings"])
    return Rules(nav, tails, headings)


def _is_nav_line(key: str, rules: Rules) -> bool:
    """Every piece of the line (split on separators) is a navigation word or a number."""
    if not key:
        return False
    if key in rules.nav:
        return True
    parts = [p.strip() for p in _SEPARATORS.split(key) if p.strip()]
    if len(parts) > 1 and all(p in rules.nav or p.isdigit() for p in parts):
        return True
    if key.count("|") >= 2 and all(len(p.split()) <= 3 for p in key.split("|")):
        return True  # a menu: "Home | World | Politics"
    words = key.split()
    return len(words) <= 6 and all(w in rules.nav or w.isdigit() for w in words)


def _is_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= MAX_HEADLINE_WORDS and not _SENTENCE_END.search(line)


def _strip_tail(line: str, rules: Rules) -> tuple[str, str | None]:
    match = rules.tails.search(line, max(0, len(line) - TAIL_WINDOW))
    if match is None:
        return line, None
    return line[: match.start()], match.group().strip()


def remove_boilerplate(text: str, rules_path: str) -> tuple[str, list[tuple[str, str]]]:
    """Return the text without residue lines, and the (line, rule) pairs dropped."""
    rules = load_rules(rules_path)
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []
    in_link_list = 0
    previous = None
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            in_link_list = 0
            kept.append(line)
            continue
        stripped, tail = _strip_tail(stripped, rules)
        if tail:
            dropped.append((tail, "link_tail"))
            if not stripped:
                continue
        if len(stripped) > MAX_RESIDUE_CHARS:
            in_link_list = 0
            previous = stripped
            kept.append(stripped)
            continue
        key = norm_key(stripped)
        if in_link_list and _is_headline(stripped) and in_link_list <= MAX_LINK_LIST:
            dropped.append((stripped, "link_list"))
            in_link_list += 1
            continue
        in_link_list = 0
        if key.rstrip(" :.") in rules.headings:
            dropped.append((stripped, "link_list"))
            in_link_list = 1
            continue
        if _is_nav_line(key, rules):
            dropped.append((stripped, "navigation"))
            continue
        if _ICON_LIGATURE.search(stripped) and len(stripped.split()) <= 8:
            dropped.append((stripped, "widget"))
            continue
        if stripped == previous and _is_headline(stripped):
            dropped.append((stripped, "repeated_line"))
            continue
        previous = stripped
        kept.append(stripped)
    return "\n".join(kept).strip(), dropped
