"""Adversarial files side by side with normal articles, through one ingest-only run (and a run without them)."""

from __future__ import annotations

import urllib.request

import pandas as pd
import pytest

from pipeline.constants import STATUS_OK

from .adversarial_inputs import (
    INGEST_CASES,
    INGEST_TIMEOUT,
    NORMAL_FILES,
    SECRET_MARKER,
    Case,
    Run,
    copy_normal,
    rows_of,
    run_together,
    write_params,
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, outside, http_trap) -> tuple[Run, Run]:
    """(the run with every adversarial file, the run on the normal articles alone), started together."""
    root = tmp_path_factory.mktemp("adversarial_ingest")
    jobs = []
    for name, cases in (("adversarial", INGEST_CASES), ("baseline", ())):
        folder, out = root / f"{name}_in", root / f"{name}_out"
        folder.mkdir()
        copy_normal(folder)
        ctx = {"outside": outside, "server": http_trap.url}
        sources = {case.name: case.make(folder, ctx) for case in cases}
        jobs.append((["--params", str(write_params(root / f"{name}.yaml", folder, out)), "ingest"], out, sources))
    adversarial, baseline = run_together(jobs, root, INGEST_TIMEOUT)
    for run in (adversarial, baseline):
        assert run.returncode == 0, run.log[-3000:]
    return adversarial, baseline


def test_case_count():
    assert len({case.name for case in INGEST_CASES}) == len(INGEST_CASES) >= 30


@pytest.mark.parametrize("case", INGEST_CASES, ids=lambda case: case.name)
def test_bad_input_gets_a_row_with_status_and_reason(case: Case, runs):
    adversarial, _ = runs
    documents = adversarial.table("documents")
    sources = adversarial.sources[case.name]
    rows = rows_of(documents, sources)
    for src in sources:
        assert len(rows_of(documents, [src])), f"no documents row for {src!r}"
    assert set(rows["status"]) <= set(case.statuses), rows[["source_path", "status", "reason"]].to_string()
    not_ok = rows[rows["status"] != STATUS_OK]
    assert not_ok["reason"].notna().all(), "a row that is not ok must say why"
    if case.reason:
        assert rows["reason"].fillna("").str.contains(case.reason).all(), list(rows["reason"])
    if case.check:
        case.check(rows)


def test_normal_articles_are_unchanged(runs):
    adversarial, baseline = runs
    for table in ("documents", "dropped"):
        ours, theirs = adversarial.table(table), baseline.table(table)
        ids = baseline.table("documents").loc[lambda d: d["source_path"].isin(NORMAL_FILES), "doc_id"]
        pd.testing.assert_frame_equal(ours[ours["doc_id"].isin(ids)].reset_index(drop=True), theirs[theirs["doc_id"].isin(ids)].reset_index(drop=True))


def test_every_document_has_a_unique_safe_id(runs):
    documents = runs[0].table("documents")
    assert documents["doc_id"].is_unique
    assert not documents["doc_id"].str.contains(r"[/\\]|\.\.|^\.|^-|\n").any()


def test_nothing_was_fetched(runs, http_trap):
    assert http_trap.requests == []


def test_nothing_from_outside_the_input_folder_was_read(runs):
    adversarial, _ = runs
    for path in [*adversarial.out.glob("*.parquet"), *adversarial.out.glob("csv/*.csv")]:
        assert SECRET_MARKER.encode() not in path.read_bytes(), path.name


def test_csv_export_reads_back_row_for_row(runs):
    adversarial, _ = runs
    documents = adversarial.table("documents")
    exported = pd.read_csv(adversarial.out / "csv" / "documents.csv", keep_default_na=False)
    assert len(exported) == len(documents)
    assert list(exported["doc_id"]) == list(documents["doc_id"])
    # newlines and tabs in file names survive the export; a leading '=' '+' '-' '@' is escaped
    escaped = documents["source_path"].map(lambda s: "'" + s if s.startswith(("=", "+", "-", "@", "\t", "\r")) else s)
    assert list(exported["source_path"]) == list(escaped)


def test_the_trap_would_see_a_fetch(http_trap):
    """The check above is not vacuous: a request to the trap is recorded."""
    with urllib.request.urlopen(f"{http_trap.url}/probe", timeout=10) as response:
        assert response.status == 200
    assert http_trap.requests.pop() == "/probe"
