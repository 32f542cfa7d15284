import pytest

from pipeline.ner.backends import Mention
from pipeline.ner.catalog import load_catalog
from pipeline.ner.link import link_mentions
from pipeline.ner.merge import merge


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def m(text, surface, label, source, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), label, label, 1.0, source)


def spans(text, mentions):
    return [(text[x.start : x.end], x.label, x.source) for x in mentions]


def test_longest_span_wins_and_identical_spans_join_sources(catalog):
    text = "وأعلنت قاعدة عين الأسد أن البيت الأبيض لم يعلق"
    model = [m(text, "قاعدة عين الأسد", "LOC", "spacy"), m(text, "البيت الأبيض", "ORG", "spacy")]
    cat = [m(text, "عين الأسد", "LOC", "catalog"), m(text, "البيت الأبيض", "ORG", "catalog")]
    assert spans(text, merge(text, [model, cat], catalog, arabic=True)) == [
        ("قاعدة عين الأسد", "LOC", "spacy"), ("البيت الأبيض", "ORG", "spacy+catalog")]


def test_catalog_overrides_label_on_exact_span(catalog):
    text = "The Pentagon said Hamas fired rockets."
    model = [m(text, "Pentagon", "GPE", "spacy"), m(text, "Hamas", "PERSON", "spacy")]
    cat = [m(text, "Pentagon", "ORG", "catalog"), m(text, "Hamas", "ORG", "catalog")]
    assert [x.label for x in merge(text, [model, cat], catalog, arabic=False)] == ["ORG", "ORG"]


@pytest.mark.parametrize(
    "text, surface, expected",
    [
        ("قال مسؤول بالبيت الأبيض", "بالبيت الأبيض", "البيت الأبيض"),
        ("بين بغداد وواشنطن", "وواشنطن", "واشنطن"),
        ("في العراق وسوريا", "وسوريا", "سوريا"),
        ("زار بغداد", "بغداد", "بغداد"),  # ب is part of the name
        ("قصف والحشد الشعبي", "والحشد الشعبي", "الحشد الشعبي"),
        ("دعم للحشد الشعبي", "للحشد الشعبي", "لحشد الشعبي"),  # ل + الحشد: the article's ل stays
        ("بثته وقناة الجزيرة", "وقناة الجزيرة", "الجزيرة"),
        ("هاجم تنظيم داعش", "تنظيم داعش", "داعش"),
        ("هاجم تنظيم الدولة", "تنظيم الدولة", "تنظيم الدولة"),  # الدولة alone is no name
        ("قصف في شمال كردستان", "شمال كردستان", "كردستان"),
        ("قالت وكالة الأنباء العراقية", "وكالة الأنباء العراقية", "وكالة الأنباء العراقية"),
    ],
)
def test_arabic_proclitics_are_cut(catalog, text, surface, expected):
    out = merge(text, [[m(text, surface, "LOC", "spacy")]], catalog, arabic=True)
    assert [text[x.start : x.end] for x in out] == [expected]


@pytest.mark.parametrize(
    "text, surface",
    [
        ("وقالت الوكالة إن الهجوم وقع (وكالات)", "(وكالات)"),
        ("ونشر البيان عند الساعة 10 GMT", "GMT"),
        ("قال الجنود الأمريكيون إن", "الأمريكيون"),
        ('وقال: "سنرد على الهجوم"', "سنرد"),
        ("قال مارك مايلي، رئيس أركان الجيش: إن الرسالة كانت خطأ", "مارك مايلي، رئيس أركان الجيش: إن الرسالة"),
    ],
)
def test_non_entities_are_dropped(catalog, text, surface):
    assert merge(text, [[m(text, surface, "ORG", "spacy")]], catalog, arabic=True) == []


def test_english_article_and_punctuation_are_trimmed(catalog):
    text = "officials at the White House, and (Reuters) said"
    out = merge(text, [[m(text, "the White House,", "ORG", "spacy"), m(text, "(Reuters)", "ORG", "spacy")]], catalog, arabic=False)
    assert [text[x.start : x.end] for x in out] == ["White House", "Reuters"]



def test_linking_within_a_document_and_across_scripts(catalog):
    mentions = [
        {"text": "Pat Ryder", "label": "PERSON", "start": 0},
        {"text": "Ryder", "label": "PERSON", "start": 40},
        {"text": "بات رايدر", "label": "PERSON", "start": 80},
        {"text": "John Kirby", "label": "PERSON", "start": 120},
        {"text": "كيربي", "label": "PERSON", "start": 160},
        {"text": "Jane Holloway", "label": "PERSON", "start": 200},
        {"text": "Holloway", "label": "PERSON", "start": 240},
        {"text": "هولواي", "label": "PERSON", "start": 280},
        {"text": "Mark Holloway", "label": "PERSON", "start": 300},
    ]
    link_mentions("doc", mentions, catalog)
    ids = [x["entity_id"] for x in mentions]
    assert ids[0] == ids[1] == ids[2]
    assert ids[3] == ids[4] == "person/john_kirby"
    assert ids[5] == ids[6] == ids[7] and ids[5].startswith("local/")
    assert ids[8] != ids[5]
    assert mentions[6]["canonical_name"] == "Jane Holloway"


def test_local_ids_are_stable_across_runs(catalog):
    a = [{"text": "Jane Holloway", "label": "PERSON", "start": 0}]
    b = [{"text": "Jane Holloway", "label": "PERSON", "start": 0}]
    link_mentions("doc", a, catalog)
    link_mentions("doc", b, catalog)
    assert a[0]["entity_id"] == b[0]["entity_id"]
