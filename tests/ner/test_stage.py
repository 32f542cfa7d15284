"""The ner stage reads the entities of the parse detect_language made, instead of running the model again."""

import pandas as pd
import pytest

from pipeline.language import language_rows
from pipeline.models import load_spacy
from pipeline.ner import backends
from pipeline.ner.stage import backend_outputs

TEXT = ("The Pentagon said on Monday that 900 troops had been sent to Iraq. Lloyd Austin told reporters in Washington "
        "that the move was defensive.\nوقال المتحدث باسم الحكومة العراقية إن بغداد لم تطلب ذلك.")


def test_the_spacy_backend_reads_the_stored_parse_and_runs_where_there_is_none(params):
    _, sentences, parses = language_rows("d", TEXT, params["detect_language"])
    sentences, parses = pd.DataFrame(sentences), pd.DataFrame(parses)
    assert set(sentences["lang"]) == {"en", "ar"} and len(parses) == 1
    model = params["ner"]["backends"]["en"][0]["model"]
    with_parse = backend_outputs(sentences, params["ner"], parses)
    ner = load_spacy(model, "ner")
    english = sentences[sentences["lang"] == "en"]
    paragraph = ner(TEXT[: english["end"].max()])  # the English paragraph as one text, as detect_language parsed it
    for sent in sentences[sentences["lang"] == "en"].itertuples():
        spacy_mentions = with_parse[sent.sent_id][0]
        expected = [(e.start_char - sent.start, e.end_char - sent.start, e.label_) for e in paragraph.ents
                    if sent.start <= e.start_char and e.end_char <= sent.end]
        assert [(m.start, m.end, m.source_label) for m in spacy_mentions] == expected
    assert ("Lloyd Austin", "PERSON") in [(TEXT[sent.start:][m.start:m.end], m.label)
                                          for sent in sentences.itertuples() for m in with_parse[sent.sent_id][0]]
    # A parse by another model is not this backend's output: the backend runs on the sentences.
    other = backend_outputs(sentences, params["ner"], parses.assign(model="another_model"))
    for sent in sentences[sentences["lang"] == "en"].itertuples():
        alone = [(e.start_char, e.end_char, e.label_) for e in ner(sent.text).ents]
        assert [(m.start, m.end, m.source_label) for m in other[sent.sent_id][0]] == alone
    # The other backends (catalog, Arabic model) are unchanged by the stored parse.
    without = backend_outputs(sentences, params["ner"])
    for sent in sentences.itertuples():
        assert with_parse[sent.sent_id][1:] == without[sent.sent_id][1:]


def test_the_english_model_is_not_run_again_where_the_parse_covers_every_sentence(params, monkeypatch):
    text = "The Pentagon said 900 troops had been sent to Iraq.\nLloyd Austin told reporters in Washington the move was defensive."
    _, sentences, parses = language_rows("d", text, params["detect_language"])
    expected = backend_outputs(pd.DataFrame(sentences), params["ner"], pd.DataFrame(parses))

    def no_model(*args):
        raise AssertionError("the spaCy NER model ran although detect_language had parsed every paragraph")

    monkeypatch.setattr(backends, "load_spacy", no_model)
    assert backend_outputs(pd.DataFrame(sentences), params["ner"], pd.DataFrame(parses)) == expected
    with pytest.raises(AssertionError, match="the spaCy NER model ran"):
        backend_outputs(pd.DataFrame(sentences), params["ner"])  # without the parses the backend must run
