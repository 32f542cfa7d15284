"""Crash safety, determinism and stable ids, one run at a time per output folder, time budgets, safe runtime."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from adversarial.adversarial_inputs import (
    INGEST_TIMEOUT,
    PIPELINE_TIMEOUT,
    Run,
    copy_normal,
    run_cli,
    run_together,
    start_cli,
    wait_all,
    write_params,
)

from pipeline import cli
from pipeline.constants import ROOT
from pipeline.lock import LockBusy, run_lock
from pipeline.models import ModelNotFound
from pipeline.ner.link import local_id
from pipeline.quotes.core import quote_id
from pipeline.schema import TABLES
from pipeline.sentences import sentence_id
from pipeline.stages import Context, guarded, per_document, record_problems
from pipeline.tables import atomic_write_bytes, frame, read_table, remove_stale_temp, write_table
from pipeline.textnorm import norm_key

pytestmark = pytest.mark.slow


def assert_same_tables(a: Path, b: Path) -> None:
    """Every table identical, row order included, in Parquet and in the CSV export."""
    for name in TABLES:
        pd.testing.assert_frame_equal(read_table(a, name), read_table(b, name), obj=name)
        if not TABLES[name].internal:
            assert (a / "csv" / f"{name}.csv").read_bytes() == (b / "csv" / f"{name}.csv").read_bytes(), name


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    copy_normal(folder)
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory, articles) -> tuple[Run, Run, Run]:
    """Three runs started together, each computing everything (no shared cache): one with one worker
    into its own folder, and two with two worker processes into one shared folder."""
    root = tmp_path_factory.mktemp("runs")
    two_workers = write_params(root / "workers2.yaml", articles, root / "unused", runtime={"workers": 2})
    alone, shared = root / "alone", root / "shared"
    jobs = [(["run", "--input", str(articles), "--out", str(alone / "out"), "--cache", str(alone / "cache")], alone / "out", {})]
    jobs += [(["--params", str(two_workers), "run", "--input", str(articles), "--out", str(shared / "out"), "--cache", str(shared / "cache")],
              shared / "out", {})] * 2
    return tuple(run_together(jobs, root, PIPELINE_TIMEOUT))


@pytest.fixture(scope="module")
def baseline(runs) -> Path:
    assert runs[0].returncode == 0, runs[0].log[-3000:]
    return runs[0].out


# ---------------------------------------------------------------- one run at a time


def test_two_runs_on_one_folder_never_interleave(runs, baseline):
    shared = sorted(runs[1:], key=lambda r: r.returncode)
    assert [r.returncode for r in shared] == [0, cli.EXIT_BUSY], [r.log[-2000:] for r in shared]
    refused = shared[1].log.strip().splitlines()[-1]
    assert refused.startswith("pipeline: busy: another run is writing to") and "pid" in refused
    assert_same_tables(baseline, shared[0].out)


def test_a_held_lock_refuses_a_stage_command_with_a_clear_message(tmp_path, articles):
    params = write_params(tmp_path / "p.yaml", articles, tmp_path / "out")
    with run_lock(tmp_path / "out"):
        res = run_cli("--params", str(params), "ingest", timeout=INGEST_TIMEOUT)
    assert res.returncode == cli.EXIT_BUSY
    assert "pipeline: busy:" in res.stderr and f"pid {os.getpid()}" in res.stderr and "--wait" in res.stderr
    assert not (tmp_path / "out" / "documents.parquet").exists()
    res = run_cli("--params", str(params), "ingest", "--wait", "60", timeout=INGEST_TIMEOUT)
    assert res.returncode == 0, res.stderr


def test_wait_queues_behind_the_holder(tmp_path):
    order: list[str] = []
    released = threading.Event()

    def second() -> None:
        with run_lock(tmp_path, wait_seconds=120):
            order.append("second acquired" if released.is_set() else "second acquired too early")

    with run_lock(tmp_path):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        with pytest.raises(LockBusy, match="another run is writing"):
            with run_lock(tmp_path, wait_seconds=0):
                pass
        released.set()
    thread.join(timeout=120)
    assert order == ["second acquired"]


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    code = "import sys, time; from pathlib import Path; from pipeline.lock import run_lock\n" \
           "with run_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(600)"
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy):
            with run_lock(tmp_path):
                pass
    finally:
        proc.kill()
        proc.wait()
    with run_lock(tmp_path):
        pass


# ---------------------------------------------------------------- crash safety


def test_sigkill_mid_stage_keeps_outputs_and_a_rerun_matches(tmp_path, articles, baseline):
    out, cache = tmp_path / "out", tmp_path / "cache"
    log = tmp_path / "run.log"
    args = ["run", "--input", str(articles), "--out", str(out), "--cache", str(cache)]
    proc = start_cli(args, log)
    deadline = time.monotonic() + PIPELINE_TIMEOUT
    try:
        while "stage ner: start" not in log.read_text(encoding="utf-8", errors="replace"):
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the run never reached the ner stage"
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
    finally:
        wait_all([proc], 60)
    assert proc.returncode == -signal.SIGKILL
    written = {p.stem for p in out.glob("*.parquet")}
    assert {"documents", "dropped", "segments", "sentences"} <= written and "entities" not in written
    for name in written:  # what the killed run had written is whole, valid and right
        pd.testing.assert_frame_equal(read_table(out, name), read_table(baseline, name), obj=name)
    with contextlib.closing(sqlite3.connect(cache / "results.sqlite")) as db:  # the results cache too
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rerun = run_cli(*args, timeout=PIPELINE_TIMEOUT)  # reuses what the killed run cached
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert_same_tables(baseline, out)
    assert not list(out.rglob("*.tmp"))


def test_sigkill_mid_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "quotes.parquet"
    target.write_bytes(b"old and complete")
    code = (
        "import sys, time; from pathlib import Path; from pipeline.tables import atomic_write_bytes\n"
        "def write(tmp):\n"
        "    with open(tmp, 'wb') as fh:\n"
        "        fh.write(b'new but only half'); fh.flush(); print('writing', flush=True); time.sleep(600)\n"
        "atomic_write_bytes(Path(sys.argv[1]), write)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
    finally:
        proc.kill()
        proc.wait()
    assert target.read_bytes() == b"old and complete"
    stale = list(tmp_path.glob(".quotes.parquet.*.tmp"))
    assert len(stale) == 1
    (tmp_path / ".notes.tmp").write_text("not ours", encoding="utf-8")
    assert remove_stale_temp(tmp_path) == stale and not stale[0].exists()
    assert (tmp_path / ".notes.tmp").exists()


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("old", encoding="utf-8")

    def broken(tmp: str) -> None:
        Path(tmp).write_text("partial", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, broken)
    assert target.read_text(encoding="utf-8") == "old" and [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_every_writer_in_the_package_is_atomic():
    """Tables, reports and docs go through atomic_write_bytes; no direct writes elsewhere (model training stages its folder)."""
    direct = re.compile(r"\.write_text\(|\.write_bytes\(|\.to_parquet\(|\.to_csv\(|open\([^)]*['\"][wa]b?['\"]")
    offenders = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if direct.search(line) and "tmp" not in line and path.name != "train.py":
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


# ---------------------------------------------------------------- determinism and ids


def test_runs_are_identical(runs, baseline):
    winner = next(r for r in runs[1:] if r.returncode == 0)
    assert_same_tables(baseline, winner.out)


def test_row_ids_are_derived_from_content(baseline):
    sentences = read_table(baseline, "sentences")
    assert len(sentences) and all(s.sent_id == sentence_id(s.doc_id, s.start, s.end) for s in sentences.itertuples())
    quotes = read_table(baseline, "quotes")
    assert len(quotes) and all(q.quote_id == quote_id(q.doc_id, q.start, q.end) for q in quotes.itertuples())
    assert quotes["quote_group"].isin(quotes["quote_id"]).all()
    entities = read_table(baseline, "entities")
    assert entities["sent_id"].isin(sentences["sent_id"]).all()
    local = entities[entities["entity_id"].str.startswith("local/")]
    assert len(local) and all(e.entity_id == local_id(e.doc_id, norm_key(e.canonical_name)) for e in local.itertuples())


# ---------------------------------------------------------------- per-document time budget


def _context(tmp_path: Path, doc_seconds: float, n: int = 3) -> Context:
    docs = [{"doc_id": f"d{i}", "source_path": f"d{i}.txt", "format": "txt", "title": None, "url": None, "published": None,
             "encoding": "utf-8", "text": f"text {i}", "n_chars": 6, "content_hash": "h", "duplicate_of": None,
             "truncated": False, "status": "ok", "reason": None} for i in range(n)]
    write_table(tmp_path, "documents", frame("documents", docs))
    return Context({"runtime": {"doc_seconds": doc_seconds}}, tmp_path, tmp_path, tmp_path)


def _spin(seconds: float) -> None:
    """Pure-Python work for up to `seconds` (so a missing alarm fails the test instead of hanging it)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))


def test_a_slow_or_failing_document_is_dropped_and_reported(tmp_path):
    ctx = _context(tmp_path, doc_seconds=0.5)

    def fn(doc, inputs):
        if doc.doc_id == "d1":
            _spin(120)
        if doc.doc_id == "d2":
            raise ValueError("bad\ninput")
        return ([{"doc_id": doc.doc_id, "line": "kept", "rule": "r"}],)

    assert per_document(ctx, "test", (), fn, ("dropped",)) == {"dropped": 1}
    assert list(read_table(tmp_path, "dropped")["doc_id"]) == ["d0"]
    assert ctx.problems == [
        {"doc_id": "d1", "kind": "timeout", "reason": "over the time budget of 0.5s (runtime.doc_seconds)"},
        {"doc_id": "d2", "kind": "error", "reason": "ValueError: bad input"},
    ]
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)
    record_problems(ctx, "ner")
    ctx.problems = [{"doc_id": "d0", "kind": "error", "reason": "x"}]
    record_problems(ctx, "extract")
    ctx.problems = []
    record_problems(ctx, "ner")  # a stage replaces only its own rows
    problems = read_table(tmp_path, "problems")
    assert list(problems["stage"]) == ["extract"] and list(problems["doc_id"]) == ["d0"]


def test_native_code_running_past_the_alarm_is_caught_afterwards(monkeypatch):
    monkeypatch.setattr("pipeline.stages.time_budget", lambda seconds: contextlib.nullcontext())
    _, kind, reason = guarded(0.05, lambda: time.sleep(0.3))
    assert kind == "timeout" and "0.05s" in reason


def test_setup_errors_stop_the_stage(tmp_path):
    ctx = _context(tmp_path, doc_seconds=5)

    def fn(doc, inputs):
        raise ModelNotFound("model folder models/x not found")

    with pytest.raises(ModelNotFound):
        per_document(ctx, "test", (), fn, ("dropped",))


def test_no_budget_means_no_alarm():
    assert guarded(0, lambda: 42) == (42, None, None)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# ---------------------------------------------------------------- safe runtime


def test_network_is_refused_beyond_loopback(monkeypatch):
    """network_off wraps whatever socket functions exist; recorders stand in for them, so nothing is ever sent."""
    calls: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: calls.append(address))
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: calls.append(address) or 0)
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: calls.append(host) or [])
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    cli.network_off()
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    with pytest.raises(cli.NetworkOff):
        socket.getaddrinfo("huggingface.co", 443)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(cli.NetworkOff):
            sock.connect(("203.0.113.7", 80))
        with pytest.raises(cli.NetworkOff):
            sock.connect_ex(("203.0.113.7", 80))
        sock.connect(("127.0.0.1", 9))
    socket.getaddrinfo("localhost", 80)
    assert calls == [("127.0.0.1", 9), "localhost"]


@pytest.mark.parametrize("host, local", [("127.0.0.1", True), ("::1", True), ("localhost", True), (None, True), (b"127.0.0.2", True),
                                         ("10.0.0.1", False), ("example.org", False), ("::ffff:8.8.8.8", False), ("", False)])
def test_is_local(host, local):
    assert cli.is_local(host) is local


def test_params_keep_the_network_off():
    params = cli.load_params(ROOT / "params.yaml")
    assert params["runtime"]["allow_network"] is False and params["runtime"]["doc_seconds"] > 0


def test_nothing_from_an_input_is_evaluated_or_unpickled():
    """No code path can run input as code: no eval/exec, pickle, unsafe YAML, shells or remote model code."""
    forbidden = re.compile(r"\beval\(|\bexec\(|\bpickle\b|\bmarshal\b|\bdill\b|yaml\.load\(|yaml\.unsafe_load|shell=True|os\.system\(|"
                           r"os\.popen\(|trust_remote_code\s*=\s*True|torch\.load\(|pd\.eval\(|\.query\(")
    hits = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in sorted((ROOT / "pipeline").rglob("*.py"))
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if forbidden.search(line)]
    assert hits == []
