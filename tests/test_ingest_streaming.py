"""The streamed ingest stage: tables written batch by batch through a spool, same rows as before streaming."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

import pipeline.ingest as ingest_mod
from pipeline.cli import load_params
from pipeline.constants import DEFAULT_PARAMS
from pipeline.decode import clean_text
from pipeline.ingest import ingest, ingest_batches, ingest_stage, write_ingest
from pipeline.schema import to_arrow
from pipeline.stages import context_from_params
from pipeline.tables import read_table

N_FILES = 300


@pytest.fixture(scope="module")
def params():
    return load_params(DEFAULT_PARAMS)


def article(i: int) -> str:
    """A small article with things cleaning changes (CRLF, trailing spaces, a zero-width space, an NBSP)."""
    return (f"Report {i:03d}: the convoy number {i} crossed the border\u200b at dawn.  \r\n"
            f"Officials\u00a0said {i * 7} vehicles took part and {i % 13} were delayed by checks.\r\n")


def leftovers(out_dir):
    return sorted(p.name for p in out_dir.rglob("*.tmp"))


def test_300_files_stream_into_documents_in_order(input_dir, tmp_path, params):
    names = [f"doc_{i:03d}.txt" for i in range(N_FILES)]
    for i, name in enumerate(names):
        (input_dir / name).write_bytes(article(i).encode("utf-8"))
    out = tmp_path / "out"
    n_rows, n_dropped = write_ingest(input_dir, params["ingest"], out)
    documents, dropped = read_table(out, "documents"), read_table(out, "dropped")
    assert n_rows == N_FILES == len(documents) and n_dropped == len(dropped) == 0
    assert documents["source_path"].tolist() == names
    assert documents["doc_id"].tolist() == [n.removesuffix(".txt") for n in names]
    assert documents["text"].tolist() == [clean_text(article(i)) for i in range(N_FILES)]
    assert "\u200b" not in documents["text"].iloc[0] and "\r" not in documents["text"].iloc[0]
    assert (documents["status"] == "ok").all() and documents["duplicate_of"].isna().all()
    assert (documents["n_chars"] == documents["text"].str.len()).all()
    assert documents["content_hash"].is_unique
    # the same rows as the in-memory API, and the CSV export too
    assert pq.read_table(out / "documents.parquet").equals(to_arrow("documents", ingest(input_dir, params["ingest"])[0]))
    csv = pd.read_csv(out / "csv" / "documents.csv", keep_default_na=False)
    assert csv["doc_id"].tolist() == documents["doc_id"].tolist() and csv["text"].tolist() == documents["text"].tolist()
    assert leftovers(out) == []  # the spool and the writers' temporary files are gone


def write_interleaved(input_dir, outside):
    """Records whose source_path order differs from reading order, with id collisions and near-copies."""
    body = " ".join(f"Sentence {k} about the deployment of troops to the region, officials said." for k in range(20))
    records = [json.dumps({"id": f"r{n % 6}", "text": f"Record {n}. " + (body if n % 5 == 0 else f"unique words of record {n} " * 8)})
               for n in range(1, 24)]
    (input_dir / "a.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    (input_dir / "a.jsonl !.txt").write_text("sorts before a.jsonl#1 " * 5, encoding="utf-8")
    (input_dir / "a.jsonl#1x.txt").write_text("Headline\n" + body, encoding="utf-8")  # between a.jsonl#19 and a.jsonl#2
    (input_dir / "a.jsonl#0.txt").symlink_to(outside)  # a problem row, read first, sorted in between
    (input_dir / "r1.txt").write_text("collides with a record id " * 5, encoding="utf-8")
    (input_dir / "z.jpg").write_bytes(b"\xff\xd8\xff")


def test_final_order_ids_and_duplicates_follow_source_path_order(input_dir, tmp_path, params, monkeypatch):
    outside = tmp_path / "outside.txt"
    outside.write_text("outside", encoding="utf-8")
    write_interleaved(input_dir, outside)
    monkeypatch.setattr(ingest_mod, "SPOOL_GROUP_DOCS", 4)  # read back across many small row groups
    monkeypatch.setattr(ingest_mod, "SPOOL_CACHE_GROUPS", 1)
    docs, _ = ingest(input_dir, params["ingest"])
    paths = docs["source_path"].tolist()
    assert paths == sorted(paths) and len(paths) == 23 + 5
    assert paths[:3] == ["a.jsonl !.txt", "a.jsonl#0.txt", "a.jsonl#1"]
    assert paths.index("a.jsonl#1x.txt") == paths.index("a.jsonl#19") + 1 == paths.index("a.jsonl#2") - 1
    by_path = docs.set_index("source_path")
    for n in range(1, 24):  # each record's text is its own, wherever it landed
        assert by_path.loc[f"a.jsonl#{n}", "text"].startswith(f"Record {n}. ")
    # ids: the first in final order keeps its id ("a.jsonl#1" before "a.jsonl#7", "a.jsonl#13", "r1.txt")
    assert by_path.loc["a.jsonl#1", "doc_id"] == "r1" and by_path.loc["a.jsonl#1", "status"] == "ok"
    for later in ("a.jsonl#13", "a.jsonl#19", "a.jsonl#7", "r1.txt"):
        assert by_path.loc[later, "status"] == "duplicate_id" and by_path.loc[later, "doc_id"].startswith("r1~")
    # near-copies point at the first copy in final order: a.jsonl#10 precedes #15, #1x.txt, #20 and #5;
    # #20 and #5 lost their ids to earlier records (r2, r5), so they are not ok and not compared
    assert by_path.loc["a.jsonl#10", "doc_id"] == "r4" and pd.isna(by_path.loc["a.jsonl#10", "duplicate_of"])
    for copy in ("a.jsonl#15", "a.jsonl#1x.txt"):
        assert by_path.loc[copy, "duplicate_of"] == "r4", copy
    for not_ok in ("a.jsonl#20", "a.jsonl#5"):
        assert by_path.loc[not_ok, "status"] == "duplicate_id" and pd.isna(by_path.loc[not_ok, "duplicate_of"])
    assert by_path.loc["a.jsonl#0.txt", "status"] == "unsupported" and by_path.loc["z.jpg", "status"] == "unsupported"
    # batches of any size give the same rows
    rows = [r for batch, _ in ingest_batches(input_dir, params["ingest"], tmp_path / "spool", batch_docs=5) for r in batch]
    pd.testing.assert_frame_equal(pd.DataFrame(rows, columns=docs.columns), docs)
    assert leftovers(tmp_path / "spool") == []


def test_the_stage_writes_its_tables_and_returns_none(input_dir, tmp_path, params):
    for i in range(3):
        (input_dir / f"n{i}.txt").write_text(article(i), encoding="utf-8")
    (input_dir / "page.txt").write_text("Share on Facebook\n" + article(9), encoding="utf-8")
    out = tmp_path / "out"
    ctx = context_from_params(params, input_dir, out)
    if not hasattr(ctx, "written"):  # until Context has the field
        ctx.written = set()
    assert ingest_stage(ctx) == {}
    assert {"documents", "dropped"} <= ctx.written
    assert read_table(out, "documents")["doc_id"].tolist() == ["n0", "n1", "n2", "page"]
    assert read_table(out, "dropped")[["doc_id", "line"]].values.tolist() == [["page", "Share on Facebook"]]
    assert leftovers(out) == []


def test_a_failure_keeps_the_old_tables_and_removes_the_spool(input_dir, tmp_path, params, monkeypatch):
    (input_dir / "a.txt").write_text(article(1), encoding="utf-8")
    out = tmp_path / "out"
    write_ingest(input_dir, params["ingest"], out)
    before = read_table(out, "documents")
    (input_dir / "b.txt").write_text(article(2), encoding="utf-8")

    def broken(self, doc_id, sig):
        raise RuntimeError("boom")

    monkeypatch.setattr(ingest_mod.NearDuplicates, "add_signature", broken)  # fails in the second pass, after spooling
    with pytest.raises(RuntimeError, match="boom"):
        write_ingest(input_dir, params["ingest"], out)
    pd.testing.assert_frame_equal(read_table(out, "documents"), before)
    assert leftovers(out) == []


def test_missing_input_folder_creates_nothing(tmp_path, params):
    out = tmp_path / "out"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_ingest(tmp_path / "nope", params["ingest"], out)
    assert not out.exists() or list(out.rglob("*")) == []
