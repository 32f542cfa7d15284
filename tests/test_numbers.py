"""Number recognition and parsing on spans (pipeline.numbers)."""

from __future__ import annotations

import pytest

from pipeline.numbers import find_numbers, parse_digits, parse_number, tokenize

# (lang, text, span of the first number, value, low, high, hint)
CASES = [
    # digits, separators, decimals
    ("en", "2,000 troops", "2,000", 2000, 2000, 2000, None),
    ("en", "26,700 people", "26,700", 26700, 26700, 26700, None),
    ("en", "some 1,250,000 residents", "1,250,000", 1250000, 1250000, 1250000, None),
    ("en", "1.5 million refugees", "1.5 million", 1500000, 1500000, 1500000, None),
    ("en", "2.500 soldiers", "2.500", 2500, 2500, 2500, None),
    ("en", "3.75 billion", "3.75 billion", 3750000000, 3750000000, 3750000000, None),
    ("en", "2\u2009500 soldiers", "2\u2009500", 2500, 2500, 2500, None),
    ("en", "2\u202f500 soldiers", "2\u202f500", 2500, 2500, 2500, None),
    ("fr", "2 500 soldats", "2 500", 2500, 2500, 2500, None),
    ("fr", "1,5 million de personnes", "1,5 million", 1500000, 1500000, 1500000, None),
    ("fr", "12 000 militaires", "12 000", 12000, 12000, 12000, None),
    ("ar", "٢٥٠٠ جندي", "٢٥٠٠", 2500, 2500, 2500, None),
    ("ar", "٣٫٥ مليون", "٣٫٥ مليون", 3500000, 3500000, 3500000, None),
    ("ar", "١٢٬٥٠٠ جندي", "١٢٬٥٠٠", 12500, 12500, 12500, None),
    ("fa", "۲۵۰۰ سرباز", "۲۵۰۰", 2500, 2500, 2500, None),
    ("fa", "۱۲٬۰۰۰ نفر", "۱۲٬۰۰۰", 12000, 12000, 12000, None),
    # digits with scale words
    ("ar", "26 ألف جندي", "26 ألف", 26000, 26000, 26000, None),
    ("ar", "3 آلاف عنصر", "3 آلاف", 3000, 3000, 3000, None),
    ("ar", "1.5 مليون نازح", "1.5 مليون", 1500000, 1500000, 1500000, None),
    ("fa", "۵ هزار نیرو", "۵ هزار", 5000, 5000, 5000, None),
    ("en", "40 thousand people", "40 thousand", 40000, 40000, 40000, None),
    # Arabic words: units, gender and case, tens, hundreds, thousands, dual, half
    ("ar", "ثلاثة جنود", "ثلاثة", 3, 3, 3, None),
    ("ar", "ثلاث نساء", "ثلاث", 3, 3, 3, None),
    ("ar", "عشرون جنديا", "عشرون", 20, 20, 20, None),
    ("ar", "عشرين جنديا", "عشرين", 20, 20, 20, None),
    ("ar", "خمسة وعشرين شخصا", "خمسة وعشرين", 25, 25, 25, None),
    ("ar", "ثلاثة عشر جنديا", "ثلاثة عشر", 13, 13, 13, None),
    ("ar", "أحد عشر عسكريا", "أحد عشر", 11, 11, 11, None),
    ("ar", "مائة جندي", "مائة", 100, 100, 100, None),
    ("ar", "مئة جندي", "مئة", 100, 100, 100, None),
    ("ar", "مئتا جندي", "مئتا", 200, 200, 200, None),
    ("ar", "ثلاثمائة جندي", "ثلاثمائة", 300, 300, 300, None),
    ("ar", "ثلاث مئة جندي", "ثلاث مئة", 300, 300, 300, None),
    ("ar", "ثلاثمائة وخمسون جنديا", "ثلاثمائة وخمسون", 350, 350, 350, None),
    ("ar", "ألف جندي", "ألف", 1000, 1000, 1000, None),
    ("ar", "ألفا جندي", "ألفا", 2000, 2000, 2000, None),
    ("ar", "ألفي جندي", "ألفي", 2000, 2000, 2000, None),
    ("ar", "ألفين و500 جندي", "ألفين و500", 2500, 2500, 2500, None),
    ("ar", "خمسة آلاف جندي", "خمسة آلاف", 5000, 5000, 5000, None),
    ("ar", "عشرة آلاف جندي", "عشرة آلاف", 10000, 10000, 10000, None),
    ("ar", "خمسة وعشرين ألفا", "خمسة وعشرين ألفا", 25000, 25000, 25000, None),
    ("ar", "تسعة آلاف وخمسمائة", "تسعة آلاف وخمسمائة", 9500, 9500, 9500, None),
    ("ar", "مليون ونصف", "مليون ونصف", 1500000, 1500000, 1500000, None),
    ("ar", "ألف ونصف", "ألف ونصف", 1500, 1500, 1500, None),
    ("ar", "مليونا نازح", "مليونا", 2000000, 2000000, 2000000, None),
    ("ar", "بخمسة جنود", "خمسة", 5, 5, 5, None),
    ("ar", "جنود وستة مدنيين", "ستة", 6, 6, 6, None),
    ("ar", "والثلاثة", "الثلاثة", 3, 3, 3, None),
    # Arabic vague counts
    ("ar", "عشرات الجنود", "عشرات", 10, 10, 10, "min"),
    ("ar", "مئات المدنيين", "مئات", 100, 100, 100, "min"),
    ("ar", "آلاف الجنود", "آلاف", 1000, 1000, 1000, "min"),
    ("ar", "عشرات الآلاف", "عشرات الآلاف", 10000, 10000, 10000, "min"),
    ("ar", "مئات الآلاف من النازحين", "مئات الآلاف", 100000, 100000, 100000, "min"),
    ("ar", "بضعة آلاف جندي", "بضعة آلاف", 1000, 1000, 1000, "min"),
    # English words
    ("en", "three soldiers", "three", 3, 3, 3, None),
    ("en", "twenty-five soldiers", "twenty-five", 25, 25, 25, None),
    ("en", "two thousand troops", "two thousand", 2000, 2000, 2000, None),
    ("en", "two thousand five hundred troops", "two thousand five hundred", 2500, 2500, 2500, None),
    ("en", "three hundred and twenty marines", "three hundred and twenty", 320, 320, 320, None),
    ("en", "a hundred soldiers", "a hundred", 100, 100, 100, None),
    ("en", "a dozen soldiers", "a dozen", 12, 12, 12, None),
    ("en", "two dozen soldiers", "two dozen", 24, 24, 24, None),
    ("en", "dozens of civilians", "dozens", 12, 12, 12, "min"),
    ("en", "hundreds of troops", "hundreds", 100, 100, 100, "min"),
    ("en", "thousands of troops", "thousands", 1000, 1000, 1000, "min"),
    ("en", "scores of people", "scores", 20, 20, 20, "min"),
    ("en", "tens of thousands of people", "tens of thousands", 10000, 10000, 10000, "min"),
    ("en", "hundreds of thousands of people", "hundreds of thousands", 100000, 100000, 100000, "min"),
    ("en", "several thousand troops", "several thousand", 1000, 1000, 1000, "min"),
    ("en", "a few hundred soldiers", "a few hundred", 100, 100, 100, "min"),
    # French words
    ("fr", "trois soldats", "trois", 3, 3, 3, None),
    ("fr", "deux mille cinq cents soldats", "deux mille cinq cents", 2500, 2500, 2500, None),
    ("fr", "vingt et un morts", "vingt et un", 21, 21, 21, None),
    ("fr", "quatre-vingt-dix-sept blessés", "quatre-vingt-dix-sept", 97, 97, 97, None),
    ("fr", "soixante-dix soldats", "soixante-dix", 70, 70, 70, None),
    ("fr", "deux millions et demi", "deux millions et demi", 2500000, 2500000, 2500000, None),
    ("fr", "une dizaine de soldats", "dizaine", 10, 10, 10, "approx"),
    ("fr", "une centaine de militaires", "centaine", 100, 100, 100, "approx"),
    ("fr", "des centaines de civils", "des centaines", 100, 100, 100, "min"),
    ("fr", "des milliers de soldats", "des milliers", 1000, 1000, 1000, "min"),
    ("fr", "des dizaines de milliers de personnes", "des dizaines de milliers", 10000, 10000, 10000, "min"),
    # Persian words
    ("fa", "سه سرباز", "سه", 3, 3, 3, None),
    ("fa", "پنج هزار نیرو", "پنج هزار", 5000, 5000, 5000, None),
    ("fa", "بیست و پنج نفر", "بیست و پنج", 25, 25, 25, None),
    ("fa", "دو هزار و پانصد سرباز", "دو هزار و پانصد", 2500, 2500, 2500, None),
    ("fa", "سیصد نفر", "سیصد", 300, 300, 300, None),
    ("fa", "صدها نفر", "صدها", 100, 100, 100, "min"),
    ("fa", "ده\u200cها نفر", "ده\u200cها", 10, 10, 10, "min"),
    ("fa", "هزاران نفر", "هزاران", 1000, 1000, 1000, "min"),
    ("fa", "چند هزار نیرو", "چند هزار", 1000, 1000, 1000, "min"),
    # ranges
    ("en", "between 20 and 30 people", "20 and 30", 20, 20, 30, None),
    ("en", "20-30 people", "20-30", 20, 20, 30, None),
    ("en", "20 to 30 people", "20 to 30", 20, 20, 30, None),
    ("ar", "بين 20 و30 شخصا", "20 و30", 20, 20, 30, None),
    ("ar", "بين عشرين وثلاثين شخصا", "عشرين وثلاثين", 20, 20, 30, None),
    ("ar", "20 إلى 30 شخصا", "20 إلى 30", 20, 20, 30, None),
    ("fr", "entre 20 et 30 personnes", "20 et 30", 20, 20, 30, None),
    ("fa", "۲۰ تا ۳۰ نفر", "۲۰ تا ۳۰", 20, 20, 30, None),
]


@pytest.mark.parametrize(("lang", "text", "span", "value", "low", "high", "hint"), CASES)
def test_first_number(lang, text, span, value, low, high, hint):
    num = find_numbers(text, lang)[0]
    assert text[num.start:num.end] == span
    assert (num.value, num.low, num.high, num.hint) == (value, low, high, hint)


# Texts where no number must be found.
NONE = [
    ("ar", "قال أحد المسؤولين"),  # أحد = "one of"
    ("ar", "يوم الاثنين الماضي"),  # Monday
    ("ar", "نصف القوات"),
    ("en", "a soldier was killed"),
    ("en", "the first troops"),
    ("fr", "un soldat a été tué"),
    ("fr", "plusieurs soldats"),
    ("en", "several soldiers"),
]


@pytest.mark.parametrize(("lang", "text"), NONE)
def test_no_number(lang, text):
    assert find_numbers(text, lang) == []


# Several numbers in one text stay separate.
SEPARATE = [
    ("ar", "قتل 3 وأصيب 5", [3, 5]),
    ("ar", "2000 و3000", [2000, 3000]),
    ("en", "three soldiers and two civilians", [3, 2]),
    ("en", "from 20 to 30 troops", [20, 30]),
    ("ar", "ارتفع من 900 إلى 2000 جندي", [900, 2000]),
    ("en", "in 2019 , 500 troops", [2019, 500]),
    ("fr", "en 2023 500 soldats", [2023, 500]),
]


@pytest.mark.parametrize(("lang", "text", "values"), SEPARATE)
def test_separate_numbers(lang, text, values):
    assert [n.value for n in find_numbers(text, lang)] == values


@pytest.mark.parametrize(
    ("run", "value"),
    [("2000", 2000), ("2,000", 2000), ("2.500", 2500), ("1.5", 1.5), ("3,5", 3.5), ("1,234.5", 1234.5),
     ("1.234,5", 1234.5), ("2 500", 2500), ("12\u202f000", 12000)],
)
def test_parse_digits(run, value):
    assert parse_digits(run) == value


def test_offsets_point_into_original_text():
    text = "أرسلت واشنطن ٢٥٠٠ جُنْدِيٍّ"
    num = find_numbers(text, "ar")[0]
    assert text[num.start:num.end] == "٢٥٠٠"
    assert all(text[t.start:t.end] for t in tokenize(text, "ar"))


def test_definite_numeral_is_marked():
    text = "قتل الجنود الثلاثة"
    num = find_numbers(text, "ar")[0]
    assert num.definite and num.value == 3


def test_parse_number_convenience():
    assert parse_number("نحو خمسة آلاف جندي", "ar") == 5000
    assert parse_number("no number here", "en") is None
