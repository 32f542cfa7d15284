import pytest

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


@pytest.mark.parametrize("text, script", [("بغداد", "arabic"), ("Baghdad", "latin"), ("2024", "other"), ("US بغداد بغداد", "arabic")])
def test_script_of(text, script):
    assert script_of(text) == script
