import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.textnorm import norm_key, normalize, script_of


@pytest.mark.parametrize(
    "raw, key",
    [
        ("فلسطین", "فلسطين"),  # Persian yeh
        ("الدولی", "الدولي"),
        ("کتائب", "كتائب"),  # Persian keheh
        ("إسرائيل", "اسرائيل"),
        ("آلاف", "الاف"),
        ("مستشفى", "مستشفي"),
        ("الولاياتُ المتحدةُ", "الولايات المتحده"),  # diacritics, teh marbuta
        ("بـــأن", "بان"),  # tatweel
        ("٢٥٠٠", "2500"),
        ("۱۲۳", "123"),
        ("٣٫٥", "3.5"),
        ("John KIRBY", "john kirby"),
    ],
)
def test_norm_key(raw, key):
    assert norm_key(raw) == key


def test_offsets_map_back_to_original():
    text = "وقالَ جون كيربي في واشنطن"
    norm = normalize(text)
    i = norm.text.index("كيربي")
    s, e = norm.to_original(i, i + len("كيربي"))
    assert text[s:e] == "كيربي"
    # a span ending on a letter keeps the diacritic that follows it
    s, e = norm.to_original(0, 4)
    assert text[s:e] == "وقالَ"


def test_span_outside_key_is_an_error():
    with pytest.raises(ValueError):
        normalize("abc").to_original(2, 9)


@given(st.text(alphabet=st.sampled_from(list("وقالَ ًٌ ـ أإآىةیک٠١٢۳ abcXYZ.،")), max_size=60), st.data())
def test_offset_round_trip(text, data):
    norm = normalize(text)
    if not norm.text:
        return
    start = data.draw(st.integers(0, len(norm.text) - 1))
    end = data.draw(st.integers(start + 1, len(norm.text)))
    s, e = norm.to_original(start, end)
    assert 0 <= s < e <= len(text)
    assert normalize(text[s:e]).text == norm.text[start:end]


@pytest.mark.parametrize("text, script", [("بغداد", "arabic"), ("Baghdad", "latin"), ("2024", "other"), ("US بغداد بغداد", "arabic")])
def test_script_of(text, script):
    assert script_of(text) == script
