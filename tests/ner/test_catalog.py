import pytest

from pipeline.ner.catalog import load_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize(
    "text, found",
    [
        ("وقال جون كيربي المتحدث باسم مجلس الأمن القومي", [("جون كيربي", "PERSON")]),
        ("استهدف هجوم قاعدة عين الأسد غربي العراق", [("قاعدة عين الأسد", "LOC"), ("العراق", "LOC")]),
        ("وأعلنت كتائب حزب الله تعليق عملياتها", [("كتائب حزب الله", "ORG")]),
        ("وصل الوفد بالبيت الأبيض والبنتاغون", [("البيت الأبيض", "ORG"), ("البنتاغون", "ORG")]),
        ("زار الوزير فلسطین المحتلة", [("فلسطین", "LOC")]),  # Persian yeh as scraped
        ("the Pentagon said U.S. troops left al-Tanf", [("Pentagon", "ORG"), ("al-Tanf", "LOC")]),
        ("Le ministre s'est rendu à Bagdad", [("Bagdad", "LOC")]),
        ("قال المتحدث إن الخبر غير صحيح في إطار الخطة يوم الخميس", []),  # common words are not places
    ],
)
def test_find(catalog, text, found):
    assert [(text[m.start : m.end], m.entity.type) for m in catalog.find(text)] == found


@pytest.mark.parametrize(
    "mention, entity_id",
    [("Kirby", "person/john_kirby"), ("كيربي", "person/john_kirby"), ("John Kirby", "person/john_kirby"),
     ("وكيربي", "person/john_kirby"), ("البنتاجون", "org/united_states_department_of_defense"),
     ("Pentagon", "org/united_states_department_of_defense"), ("USA", "loc/united_states")],
)
def test_link_across_scripts_and_spellings(catalog, mention, entity_id):
    assert catalog.link(mention).entity_id == entity_id


@pytest.mark.parametrize("word, country", [("الأمريكية", "United States"), ("U.S.", "United States"), ("العراقيين", "Iraq"), ("Iranian", "Iran"), ("israélienne", "Israel")])
def test_demonyms(catalog, word, country):
    assert catalog.demonym(word).canonical_name == country


def test_ambiguous_key_is_not_detected(catalog):
    assert catalog.find("وصل الوفد إلى عمان") == []


def test_generated_countries_cover_the_world(catalog):
    assert catalog.link("Burkina Faso") is not None and catalog.link("بوركينا فاسو") is not None
