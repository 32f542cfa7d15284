"""The ner stage reads the entities of the parse detect_language made, instead of running the model again."""

import pandas as pd

from pipeline.language import language_rows
from pipeline.models import load_spacy
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
    paragraph = ner(TEXT[: sentences["end"].max()])  # the English paragraph as one text, as detect_language parsed it
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
