"""The per-document result store: payloads of Arrow tables, and what counts as a hit."""

from __future__ import annotations

import pyarrow as pa

from pipeline import cache
from pipeline.schema import TABLES, rows_to_arrow

SEGMENT = {"doc_id": "d1", "seg_id": 0, "start": 0, "end": 31, "text": "قال المتحدث إن ثلاثة جنود قتلوا", "lang": "ar",
           "lang_score": 0.98, "embedded": None}
SENTENCE = {"doc_id": "d1", "seg_id": 0, "sent_id": "a1b2c3", "start": 0, "end": 31, "text": SEGMENT["text"], "lang": "ar"}


def test_a_documents_tables_round_trip_through_one_payload():
    tables = [rows_to_arrow("segments", [SEGMENT]), rows_to_arrow("sentences", [SENTENCE, {**SENTENCE, "sent_id": "x"}]),
              rows_to_arrow("parses", [])]
    back = cache.decode_tables(cache.encode_tables(tables))
    assert [t.num_rows for t in back] == [1, 2, 0]
    assert all(a.equals(b) for a, b in zip(tables, back))


def test_a_slice_is_stored_alone():
    both = rows_to_arrow("sentences", [SENTENCE, {**SENTENCE, "sent_id": "x"}])
    (back,) = cache.decode_tables(cache.encode_tables([both.slice(1, 1)]))
    assert back["sent_id"].to_pylist() == ["x"]


def test_a_payload_of_another_schema_is_not_a_hit(tmp_path):
    store = cache.ResultCache(tmp_path)
    names = ("segments", "sentences")
    good = cache.encode_tables([rows_to_arrow("segments", [SEGMENT]), rows_to_arrow("sentences", [SENTENCE])])
    old = cache.encode_tables([pa.table({"doc_id": ["d2"]}), rows_to_arrow("sentences", [])])  # written under an older schema
    store.put("detect_language", "fp", [("d1", "k1", good), ("d2", "k2", old)])
    store.put("detect_language", "fp", [("d4", "k4", b"not arrow")])  # a damaged payload: computed again
    keys = [("d1", "k1"), ("d2", "k2"), ("d3", "k3"), ("d4", "k4")]
    hits = store.get_tables("detect_language", "fp", keys, [TABLES[n].arrow_schema for n in names])
    store.close()
    assert list(hits) == [("d1", "k1")]
    assert hits[("d1", "k1")][0]["text"].to_pylist() == [SEGMENT["text"]]


def test_a_wrong_document_key_is_not_a_hit(tmp_path):
    store = cache.ResultCache(tmp_path)
    store.put("ner", "fp", [("d1", "k1", cache.encode_tables([rows_to_arrow("entities", [])]))])
    assert store.get("ner", "fp", [("d1", "other")]) == {} and store.get("ner", "fp2", [("d1", "k1")]) == {}
    assert set(store.get("ner", "fp", [("d1", "k1")])) == {("d1", "k1")}
    store.close()
