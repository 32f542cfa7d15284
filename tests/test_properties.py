"""Property-based tests: offset mapping, the number parser and quote extraction on generated text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.decode import clean_text, decode_bytes
from pipeline.numbers import find_numbers, parse_number
from pipeline.quotes import find_quotes
from pipeline.sentences import sentence_id, split_arabic
from pipeline.textnorm import normalize, script_of

LANGS = ("ar", "en", "fr", "fa")
EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- offsets through normalisation


@given(st.text(max_size=80), st.data())
def test_any_key_span_maps_inside_the_original(text, data):
    """For any text (presentation forms, combining marks, case expansions included) a key span maps
    to an in-range original span whose own key contains it."""
    norm = normalize(text)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    assert list(norm.starts) == sorted(norm.starts) and all(s < e for s, e in zip(norm.starts, norm.ends))
    if not norm.text:
        return
    start = data.draw(st.integers(0, len(norm.text) - 1))
    end = data.draw(st.integers(start + 1, len(norm.text)))
    s, e = norm.to_original(start, end)
    assert 0 <= s < e <= len(text)
    assert norm.text[start:end] in normalize(text[s:e]).text


@given(st.lists(st.sampled_from(["قال", "الجنود", "أإآ", "ـــ", "َُِّْ", "ﻻ", "ﷲ", "٢٥", "۳", "Kirby", "İ", "ß", " ", "\n", "«", "»"]), max_size=30))
def test_whole_words_round_trip(parts):
    """A span covering whole key characters of an Arabic/Latin mix normalises back to exactly the same key."""
    text = "".join(parts)
    norm = normalize(text)
    for m in re.finditer(r"\S+", norm.text):
        s, e = norm.to_original(m.start(), m.end())
        assert normalize(text[s:e]).text.strip() == m.group()


@given(st.binary(max_size=2048))
def test_decoding_never_crashes_and_cleaning_is_idempotent(data):
    try:
        text, _ = decode_bytes(data)
    except ValueError:
        return
    once = clean_text(text)
    assert clean_text(once) == once
    assert "\x00" not in once


# ---------------------------------------------------------------- numbers


@given(st.text(max_size=200), st.sampled_from(LANGS))
def test_number_parser_never_crashes_and_spans_are_in_range(text, lang):
    for number in find_numbers(text, lang):
        assert 0 <= number.start < number.end <= len(text)
        assert number.low <= number.high
    parse_number(text, lang)


@given(st.integers(0, 10**15), st.integers(0, 10**15), st.sampled_from(LANGS))
def test_number_parser_is_monotone_on_digit_strings(a, b, lang):
    a, b = sorted((a, b))
    pa, pb = parse_number(str(a), lang), parse_number(str(b), lang)
    assert pa == float(a) and pb == float(b)
    assert pa <= pb


@given(st.integers(0, 10**9))
def test_eastern_and_persian_digits_read_as_western(n):
    assert parse_number(str(n).translate(EASTERN), "ar") == parse_number(str(n).translate(PERSIAN), "fa") == float(n)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=40), st.sampled_from(LANGS))
def test_numbers_in_a_sentence_never_overlap(values, lang):
    text = " و ".join(str(v) for v in values) if lang in ("ar", "fa") else " and ".join(f"{v:,}" for v in values)
    spans = [(n.start, n.end) for n in find_numbers(text, lang)]
    assert spans == sorted(spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


# ---------------------------------------------------------------- quotes

_PIECES = [
    "the spokesman said", "officials said", "he added", "according to the ministry", "John Kirby", "Kirby", "the army",
    "قال", "وأضاف", "المتحدث باسم الوزارة", "إن", "الجنود", "جون كيربي", "a déclaré", "selon le ministère", "le porte-parole",
    "“", "”", "«", "»", '"', "'", "‘", "’", "„", "‹", "›", ":", ",", ".", "؟", "!", "\n", "\n\n", "2,500 troops", "٢٥٠٠ جندي",
]


_OPEN = ["“", "«", '"', "‘", "„", "‹", ""]
_CLOSE = ["”", "»", '"', "’", "“", "›", ""]
_CLAUSE = st.one_of(
    st.builds("{} {}: {}{}{}{}".format, st.sampled_from(["John Kirby", "The spokesman", "Officials", "He"]),
              st.sampled_from(["said", "told reporters", "added"]), st.sampled_from(_OPEN),
              st.sampled_from(["the troops will stay", "we have no plans to leave", "2,500 troops remain in Iraq"]),
              st.sampled_from(_CLOSE), st.sampled_from([".", "", ",", "\n"])),
    st.builds("وقال {} {}{}{}{}".format, st.sampled_from(["جون كيربي", "المتحدث", "مسؤول"]), st.sampled_from(_OPEN),
              st.sampled_from(["إن القوات ستبقى", "لا نية للانسحاب", "٢٥٠٠ جندي في العراق"]), st.sampled_from(_CLOSE),
              st.sampled_from([".", "", "\n"])),
    st.sampled_from(_PIECES),
)


def _sentences(doc_id: str, text: str) -> list[dict]:
    """One paragraph per line, split into sentences by the rule splitter; language from the script."""
    rows, pos = [], 0
    for seg_id, line in enumerate(text.split("\n")):
        if line.strip():
            lang = {"arabic": "ar", "latin": "en"}.get(script_of(line), "und")
            for s, e in split_arabic(line):
                rows.append({"doc_id": doc_id, "seg_id": seg_id, "sent_id": sentence_id(doc_id, pos + s, pos + e),
                             "start": pos + s, "end": pos + e, "text": line[s:e], "lang": lang})
        pos += len(line) + 1
    return rows


def _entities(text: str) -> list[dict]:
    return [{"start": m.start(), "end": m.end(), "label": "PERSON", "entity_id": "person/john_kirby", "text": m.group()}
            for m in re.finditer(r"John Kirby|جون كيربي", text)]


@SLOW
@given(st.lists(_CLAUSE, max_size=25), st.lists(st.booleans(), max_size=25))
def test_quotes_never_overlap_and_stay_in_range(clauses, glue):
    text = "".join(c + ("" if g else " ") for c, g in zip(clauses, glue + [False] * len(clauses)))
    rows = find_quotes("d", text, _sentences("d", text), _entities(text))
    spans = sorted((r["start"], r["end"]) for r in rows)
    for r in rows:
        assert 0 <= r["start"] < r["end"] <= len(text)
        assert r["quote"] == text[r["start"] : r["end"]]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), spans
    assert len({r["quote_id"] for r in rows}) == len(rows)
