"""Documents that stress the later stages (quotes, numbers, sentences, ids), through one full run
next to the normal articles, compared with a full run on the normal articles alone."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.cache import STAGE_MODULES
from pipeline.cli import RUN_KEY_FILE
from pipeline.constants import STATUS_OK
from pipeline.schema import TABLES
from pipeline.tables import REUSE_DIR

from .adversarial_inputs import (
    NORMAL_FILES,
    PIPELINE_CASES,
    PIPELINE_TIMEOUT,
    Case,
    Run,
    copy_normal,
    rows_of,
    run_together,
)

PER_DOCUMENT = ("documents", "dropped", "segments", "sentences", "entities", "figures", "quotes")
# Table -> the column that must equal documents.text[start:end].
SPAN_TEXT = {"segments": "text", "sentences": "text", "entities": "text", "figures": "text", "quotes": "quote"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, outside, http_trap) -> tuple[Run, Run, dict]:
    """(the full run with the adversarial documents, the full run on the normal articles alone, the cases' context)."""
    root = tmp_path_factory.mktemp("adversarial_pipeline")
    ctx = {"outside": outside, "server": http_trap.url, "pwned": root / "pwned"}
    jobs = []
    for name, cases in (("adversarial", PIPELINE_CASES), ("baseline", ())):
        folder, out, cache = root / f"{name}_in", root / f"{name}_out", root / f"{name}_cache"  # no shared cache: both compute
        folder.mkdir()
        copy_normal(folder)
        sources = {case.name: case.make(folder, ctx) for case in cases}
        jobs.append((["run", "--input", str(folder), "--out", str(out), "--cache", str(cache)], out, sources))
    adversarial, baseline = run_together(jobs, root, PIPELINE_TIMEOUT)
    for run in (adversarial, baseline):
        assert run.returncode == 0, run.log[-3000:]
    return adversarial, baseline, ctx


@pytest.mark.parametrize("case", PIPELINE_CASES, ids=lambda case: case.name)
def test_every_stage_gets_through_the_document(case: Case, runs):
    adversarial, _, _ = runs
    documents = adversarial.table("documents")
    rows = rows_of(documents, adversarial.sources[case.name])
    assert len(rows) >= len(adversarial.sources[case.name])
    assert set(rows["status"]) <= set(case.statuses), rows[["source_path", "status", "reason"]].to_string()
    if case.check:
        case.check(rows)
    ok = rows[rows["status"] == STATUS_OK]
    problems = adversarial.table("problems")
    assert problems[problems["doc_id"].isin(ok["doc_id"])].empty, problems.to_string()
    texts = ok.set_index("doc_id")["text"]
    for table, column in SPAN_TEXT.items():
        df = adversarial.table(table)
        for row in df[df["doc_id"].isin(texts.index)].itertuples(index=False):
            text = texts[row.doc_id]
            assert 0 <= row.start <= row.end <= len(text), (table, row)
            assert getattr(row, column) == text[row.start : row.end], (table, row)


def test_normal_articles_are_unchanged_in_every_table(runs):
    adversarial, baseline, _ = runs
    normal = baseline.table("documents").loc[lambda d: d["source_path"].isin(NORMAL_FILES), "doc_id"]
    assert len(normal) == len(NORMAL_FILES)
    for table in PER_DOCUMENT:
        ours, theirs = adversarial.table(table), baseline.table(table)
        pd.testing.assert_frame_equal(
            ours[ours["doc_id"].isin(normal)].reset_index(drop=True), theirs[theirs["doc_id"].isin(normal)].reset_index(drop=True), obj=table
        )


def test_no_stage_gave_up_on_any_document(runs):
    for run in runs[:2]:
        assert run.table("problems").empty, run.table("problems").to_string()


def test_ids_and_contents_never_become_paths_or_code(runs):
    adversarial, _, ctx = runs
    expected = {f"{name}.parquet" for name in TABLES} | {"csv", ".lock", RUN_KEY_FILE, REUSE_DIR}
    assert {p.name for p in adversarial.out.iterdir()} == expected
    assert {p.name for p in (adversarial.out / REUSE_DIR).iterdir()} == {f"{stage}.parquet" for stage in STAGE_MODULES}
    assert {p.name for p in (adversarial.out / "csv").iterdir()} == {f"{name}.csv" for name, t in TABLES.items() if not t.internal}
    root = adversarial.out.parent
    assert not ctx["pwned"].exists()
    assert not [p for p in root.rglob("*") if p.name in ("passwd", "evil", "escape", "b", "pwned")]


def test_formula_cells_are_escaped_in_csv_only(runs):
    adversarial, _, _ = runs
    doc_id = rows_of(adversarial.table("documents"), adversarial.sources["csv_formula_cells"])["doc_id"].iloc[0]
    segments = adversarial.table("segments").loc[lambda d: d["doc_id"] == doc_id]
    risky = segments[segments["text"].str.startswith(("=", "+", "-", "@"))]
    assert len(risky) == 4
    exported = pd.read_csv(adversarial.out / "csv" / "segments.csv", keep_default_na=False).loc[lambda d: d["doc_id"] == doc_id]
    assert sorted(exported["text"]) == sorted(["'" + t if t.startswith(("=", "+", "-", "@")) else t for t in segments["text"]])
    documents = pd.read_csv(adversarial.out / "csv" / "documents.csv", keep_default_na=False)
    assert "'=formula.txt" in set(documents["source_path"])
