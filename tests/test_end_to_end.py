"""The whole pipeline on the bundled sample corpus: the CLI, the tables, and `dvc repro`."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.constants import ROOT
from pipeline.schema import TABLES
from pipeline.tables import read_table
from pipeline.textnorm import script_of

pytestmark = pytest.mark.slow


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, timeout=900)


def test_every_input_file_has_a_documents_row(sample_tables):
    docs = read_table(sample_tables, "documents")
    files = {p.relative_to(ROOT / "data" / "raw").as_posix() for p in (ROOT / "data" / "raw").rglob("*") if p.is_file()}
    seen = {s.split("#")[0] for s in docs["source_path"]}
    assert files == seen
    status = docs.set_index("source_path")["status"]
    assert status["bad_empty.txt"] == "empty"
    assert status["bad_binary.txt"] == "undecodable"
    assert (docs["status"] == "error").sum() == 1  # the malformed JSONL line
    assert docs["doc_id"].is_unique
    cp1256 = docs[docs["encoding"] == "windows-1256"]
    assert len(cp1256) == 1 and script_of(cp1256["text"].iloc[0]) == "arabic" and "\ufffd" not in cp1256["text"].iloc[0]


def test_offsets_slice_the_document_text(sample_tables):
    texts = read_table(sample_tables, "documents").set_index("doc_id")["text"]
    for name in ("segments", "sentences", "entities", "figures"):
        df = read_table(sample_tables, name)
        for row in df.itertuples():
            assert texts[row.doc_id][row.start : row.end] == row.text, (name, row)


def test_bilingual_page_has_arabic_then_english(sample_tables):
    seg = read_table(sample_tables, "segments")
    mixed = seg[seg["doc_id"].str.startswith("mixed_")]
    langs = [lang for lang in mixed["lang"] if lang != "und"]
    first_en = langs.index("en")
    assert set(langs[:first_en]) == {"ar"} and set(langs[first_en:]) == {"en"}


def test_syndicated_copy_is_marked(sample_tables):
    docs = read_table(sample_tables, "documents").set_index("doc_id")
    assert docs.loc["en_04_houthi_true_confidence_syndicated", "duplicate_of"] == "en_03_houthi_true_confidence"


def test_cli_run_and_exit_codes(tmp_path):
    out = tmp_path / "out"
    res = cli("run", "--input", str(ROOT / "data" / "raw"), "--out", str(out), "--gold", str(ROOT / "data" / "gold"), "--quiet")
    assert res.returncode == 0, res.stderr
    for name in TABLES:
        assert (out / f"{name}.parquet").exists() and (out / "csv" / f"{name}.csv").exists() != TABLES[name].internal
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["all"]["languages_exact"]["accuracy"] == 1.0
    bad = cli("run", "--input", str(tmp_path / "missing"), "--out", str(out))
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].startswith("pipeline: error:") and "does not exist" in bad.stderr
    assert cli("no-such-stage").returncode == 2


def test_stage_without_its_input_fails_loudly(tmp_path):
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["paths"]["out"] = str(tmp_path / "empty")
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    res = cli("--params", str(tmp_path / "p.yaml"), "ner")
    assert res.returncode == 1
    assert "requires table 'documents'" in res.stderr


def test_dvc_repro_in_a_fresh_copy(tmp_path):
    repo = tmp_path / "repo"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / rel)
    params = yaml.safe_load((repo / "params.yaml").read_text(encoding="utf-8"))
    params["train_ner_ar"].update(max_steps=60, eval_frequency=30)  # a quick model: this test checks the wiring
    (repo / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    res = subprocess.run(["dvc", "repro"], cwd=repo, capture_output=True, text=True, env=env, timeout=1800)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    for name in TABLES:
        assert (repo / "data" / "processed" / f"{name}.parquet").exists()
    shown = subprocess.run(["dvc", "metrics", "show", "--json"], cwd=repo, capture_output=True, text=True, env=env, check=True)
    assert "languages_exact" in shown.stdout
    assert pd.read_parquet(repo / "data" / "processed" / "documents.parquet")["status"].eq("ok").sum() >= 14
