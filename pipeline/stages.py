"""The stage registry: what each stage requires and provides, and how it runs."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from confection import ConfigValidationError
from tqdm import tqdm

from . import cache
from .constants import ROOT, STATUS_OK
from .executors import map_batches, runtime_options
from .models import ModelNotFound
from .reuse import PreviousTables, ReuseRecord
from .schema import PROBLEM_ERROR, PROBLEM_TIMEOUT, TABLES, rows_to_arrow
from .tables import CURSOR_ROWS, MissingInput, TableCursor, TableWriter, frame, read_table, write_table

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_REASON_CHARS = 500


@dataclass
class Context:
    """What a stage sees: its params, the input folder and the table folder."""

    params: dict
    input_dir: Path
    out_dir: Path
    reports_dir: Path
    gold_dir: Path | None = None
    problems: list[dict] = field(default_factory=list)
    cache_dir: Path | None = None  # per-document results kept across runs (None: no cache)
    written: set[str] = field(default_factory=set)  # tables the running stage wrote itself, a batch at a time

    @property
    def doc_seconds(self) -> float:
        """The per-document time budget (`runtime.doc_seconds`; 0 or absent: none)."""
        return float(self.params.get("runtime", {}).get("doc_seconds") or 0)

    def table(self, name: str) -> pd.DataFrame:
        return read_table(self.out_dir, name)

    def section(self, stage: str) -> dict:
        try:
            return self.params[stage]
        except KeyError:
            raise MissingInput(f"params file has no '{stage}' section") from None

    def ok_documents(self) -> pd.DataFrame:
        docs = self.table("documents")
        return docs[docs["status"] == STATUS_OK]


@dataclass(frozen=True)
class Stage:
    name: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]
    run: Callable[[Context], dict[str, pd.DataFrame]]
    doc: str


REGISTRY: dict[str, Stage] = {}


def stage(name: str, requires: tuple[str, ...], provides: tuple[str, ...]):
    """Register a stage function under `name`."""

    def register(fn: Callable[[Context], dict[str, pd.DataFrame]]):
        REGISTRY[name] = Stage(name, requires, provides, fn, (fn.__doc__ or "").strip().split("\n")[0])
        return fn

    return register


class DocTimeout(BaseException):
    """A document ran over its time budget (a BaseException, so `except Exception` in library code cannot swallow it)."""


# Errors of the set-up, not of a document (a missing table or model, an unreadable model or lexicon file,
# a broken model config): they would hit every document, so they stop the stage instead.
FATAL_ERRORS: tuple[type[Exception], ...] = (MissingInput, ModelNotFound, ImportError, OSError, ConfigValidationError)


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise DocTimeout in the block once `seconds` have passed (SIGALRM; main thread on Unix only, else no limit).

    Python code is interrupted at once; a long call into native code is interrupted when it returns,
    which is why callers also compare the elapsed time with the budget afterwards.
    """
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame) -> None:
        raise DocTimeout(f"over the time budget of {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def guarded(seconds: float, fn: Callable[[], T], fatal: tuple[type[Exception], ...] = FATAL_ERRORS) -> tuple[T | None, str | None, str | None]:
    """Call `fn()` within a time budget: (result, None, None), or (None, problem kind, reason) when it
    failed or ran over. Exceptions in `fatal` propagate."""
    t0 = time.perf_counter()
    try:
        with time_budget(seconds):
            result = fn()
    except DocTimeout:
        return None, PROBLEM_TIMEOUT, f"over the time budget of {seconds:g}s (runtime.doc_seconds)"
    except fatal:
        raise
    except Exception as exc:  # one bad document never stops the run
        log.debug("document failed", exc_info=True)
        return None, PROBLEM_ERROR, " ".join(f"{type(exc).__name__}: {exc}".split())[:MAX_REASON_CHARS]
    if seconds > 0 and time.perf_counter() - t0 > seconds:  # native code ran past the alarm
        return None, PROBLEM_TIMEOUT, f"over the time budget of {seconds:g}s (runtime.doc_seconds)"
    return result, None, None


def run_batch(fn: Callable[..., tuple[list[dict], ...]], prepare: Callable | None, seconds: float, docs: pd.DataFrame,
              inputs: dict[str, pd.DataFrame]) -> list[tuple[object, str | None, str | None]]:
    """`guarded(fn(doc, {table: rows of this doc}[, batch]))` for each document of a batch, in order.

    With `prepare`, `batch = prepare(docs, inputs)` runs first over the whole batch (models see the
    batch's texts in one `nlp.pipe`); `fn` takes what it needs from it. If `prepare` fails or runs
    over the batch's budget, each document runs on its own (`batch` None), so one bad document
    still costs only its own rows. Runs wherever the executor puts it (this process, a worker, a Ray actor).
    """
    grouped = {name: dict(tuple(df.groupby("doc_id", sort=False))) for name, df in inputs.items()}
    empty = {name: df.iloc[0:0] for name, df in inputs.items()}
    extra: tuple = ()
    if prepare is not None and len(docs):
        batch, kind, reason = guarded(seconds * len(docs), lambda: prepare(docs, inputs))
        if kind is not None:
            log.warning("a batch of %d documents failed together (%s); running them one by one", len(docs), reason)
        extra = (batch,)
    out = []
    for doc in docs.itertuples(index=False):
        doc_inputs = {name: grouped[name].get(doc.doc_id, empty[name]) for name in inputs}
        out.append(guarded(seconds, lambda doc=doc, doc_inputs=doc_inputs: fn(doc, doc_inputs, *extra)))
    return out


def upstream_dropped(out_dir: Path, stage_name: str) -> set[str]:
    """Documents that a stage upstream of `stage_name` dropped in its latest run (the `problems` table)."""
    upstream = cache.UPSTREAM.get(stage_name, ())
    path = out_dir / "problems.parquet"
    if not upstream or not path.exists():
        return set()
    problems = pq.read_table(path, columns=["stage", "doc_id"])
    return set(problems.filter(pc.is_in(problems["stage"], value_set=pa.array(upstream, pa.string())))["doc_id"].to_pylist())


def per_document(ctx: Context, desc: str, requires: tuple[str, ...], fn: Callable[..., tuple[list[dict], ...]],
                 provides: tuple[str, ...], prepare: Callable | None = None) -> dict[str, int]:
    """Run `fn(doc_row, {table: rows of this doc})` over ok documents, writing its rows to `provides`.

    `fn` returns one list of rows per table of `provides`. Documents are read in batches of
    `runtime.batch_docs` with their rows of the `requires` tables (streamed), run by the executor
    of `runtime` (this process; `workers` processes; Ray), in order, and their rows appended to the
    output tables a batch at a time: memory holds the batches in flight, never a whole table.
    `prepare(docs, inputs)`, when given, runs once per batch and its result is passed to `fn` as a
    third argument (see `run_batch`). For the cached stages (`pipeline.cache.STAGE_MODULES`), a
    document whose key and stage fingerprint are in the previous tables (`pipeline.reuse`) or in
    the cache is reused, not recomputed; `fn` and `prepare` must then be picklable (module-level
    functions or functools.partials of them) when they run on workers or Ray. A document that an
    upstream stage dropped in its latest run is always computed and never kept: its inputs are not
    what its key says.

    A document that fails, or runs over `runtime.doc_seconds`, contributes no rows to this stage:
    it is logged and recorded in `ctx.problems` (written to the `problems` table). Returns the
    number of rows written per table.
    """
    options = runtime_options(ctx.params)
    doc_path = ctx.out_dir / "documents.parquet"
    if not doc_path.exists():
        raise MissingInput(f"table 'documents' not found at {doc_path}: run the stage that provides it first")
    status = pq.read_table(doc_path, columns=["doc_id", "status"])
    order = {doc_id: i for i, doc_id in enumerate(status.filter(pc.equal(status["status"], STATUS_OK))["doc_id"].to_pylist())}
    del status
    cached = ctx.cache_dir is not None and desc in cache.STAGE_MODULES
    fp = cache.fingerprint(desc, ctx.params, cache.STAGE_MODULES[desc]) if cached else ""
    unsettled = upstream_dropped(ctx.out_dir, desc) if cached else set()
    batch_docs = options["batch_docs"]
    schemas = [TABLES[name].arrow_schema for name in provides]
    counts = {"reused": 0, "computed": 0, "in_place": 0}
    plans: deque[tuple[list[str], list[str], dict]] = deque()

    with ExitStack() as stack:
        store = stack.enter_context(closing(cache.ResultCache(ctx.cache_dir))) if cached else None
        cursors = {name: stack.enter_context(closing(TableCursor(ctx.out_dir, name, order, CURSOR_ROWS))) for name in requires}
        previous = PreviousTables.open(ctx.out_dir, desc, fp, provides, order) if cached else None
        if previous:
            stack.callback(previous.close)
        record = stack.enter_context(ReuseRecord(ctx.out_dir, desc)) if cached else None
        bar = stack.enter_context(tqdm(total=len(order), desc=desc, unit="doc", disable=None, leave=False, dynamic_ncols=True))

        def tasks() -> Iterator[tuple]:
            """One task per batch: its documents not found in the cache (none when all are), planned as the executor asks."""
            seen = 0
            for rb in pq.ParquetFile(doc_path).iter_batches(batch_size=batch_docs):
                docs = pa.Table.from_batches([rb])
                docs = docs.filter(pc.equal(docs["status"], STATUS_OK))
                if docs.num_rows == 0:
                    continue
                first, last = seen, seen + docs.num_rows - 1
                seen += docs.num_rows
                inputs = {name: c.take(first, last) for name, c in cursors.items()}
                doc_ids = docs["doc_id"].to_pylist()
                # no key (never a hit) for a document an upstream stage dropped
                keys = [cache.document_key(d) if d["doc_id"] not in unsettled else "" for d in docs.to_pylist()] if cached else [""] * len(doc_ids)
                hits = previous.take(first, last, doc_ids, keys) if previous else {}
                counts["in_place"] += len(hits)
                if store and len(hits) < len(doc_ids):
                    hits.update(store.get_tables(desc, fp, [item for item in zip(doc_ids, keys) if item not in hits], schemas))
                todo = [(d, k) not in hits for d, k in zip(doc_ids, keys)]
                ids = pa.array([d for d, t in zip(doc_ids, todo) if t], type=pa.string())
                plans.append((doc_ids, keys, hits))
                # only the documents to compute, and their rows, reach pandas (none when the whole batch is cached)
                yield (fn, prepare, ctx.doc_seconds, docs.filter(pa.array(todo, type=pa.bool_())).to_pandas(),
                       {n: (t.filter(pc.is_in(t["doc_id"], value_set=ids)) if len(ids) < len(doc_ids) else t).to_pandas()
                        for n, t in inputs.items()})

        def collect(computed: list, writers: list[TableWriter]) -> None:
            """Write one batch's rows (reused or computed, in document order) and cache what was computed."""
            doc_ids, keys, hits = plans.popleft()
            results = iter(computed)
            new_rows: list[list[dict]] = [[] for _ in writers]
            kept: list[tuple[str, str, list]] = []  # per document kept: (doc_id, key, its cached tables or (offset, count) of its new rows)
            for doc_id, key in zip(doc_ids, keys):
                bar.update(1)
                if (doc_id, key) in hits:
                    kept.append((doc_id, key, hits[(doc_id, key)]))
                    counts["reused"] += 1
                    continue
                result, kind, reason = next(results)
                counts["computed"] += 1
                if kind is not None:
                    log.warning("%s: document %s dropped from this stage: %s", desc, doc_id, reason)
                    ctx.problems.append({"doc_id": doc_id, "kind": kind, "reason": reason})
                    continue
                kept.append((doc_id, key, [(len(acc), len(part)) for acc, part in zip(new_rows, result)]))
                for acc, part in zip(new_rows, result):
                    acc.extend(part)
            new = [rows_to_arrow(w.name, rows) for w, rows in zip(writers, new_rows)]  # one conversion per table and batch
            pieces: list[list[pa.Table]] = [[] for _ in writers]
            fresh = []
            for doc_id, key, found in kept:
                if (doc_id, key) not in hits:
                    found = [table.slice(offset, count) for table, (offset, count) in zip(new, found)]
                    if store and key:
                        fresh.append((doc_id, key, cache.encode_tables(found)))
                for acc, table in zip(pieces, found):
                    acc.append(table)
            for writer, acc in zip(writers, pieces):
                if acc:
                    writer.write(pa.concat_tables(acc))
            if store:
                store.put(desc, fp, fresh)
                record.add([(doc_id, key) for doc_id, key, _ in kept if key])

        with ExitStack() as writing:
            writers = [writing.enter_context(TableWriter(ctx.out_dir, name)) for name in provides]
            for computed in map_batches(run_batch, tasks(), options):
                collect(computed, writers)
            if previous:
                previous.close()  # before the new tables replace the old ones
        if record:
            record.commit(ctx.out_dir, fp, provides)
    ctx.written.update(provides)
    if cached:
        log.info("%s: %d documents reused from the cache, %d computed", desc, counts["reused"], counts["computed"])
        if counts["in_place"]:
            log.info("%s: %d of the reused documents read back from the previous tables in place", desc, counts["in_place"])
    return {w.name: w.rows for w in writers}


def record_problems(ctx: Context, stage_name: str) -> None:
    """Replace this stage's rows of the `problems` table with the problems of its latest run."""
    rows = []
    if (ctx.out_dir / "problems.parquet").exists():
        rows = [r for r in read_table(ctx.out_dir, "problems").to_dict("records") if r["stage"] != stage_name]
    rows += [{"stage": stage_name, **p} for p in ctx.problems]
    rows.sort(key=lambda r: (r["stage"], r["doc_id"]))
    write_table(ctx.out_dir, "problems", frame("problems", rows))


def run_stage(name: str, ctx: Context) -> dict[str, pd.DataFrame]:
    """Run one stage: check its inputs, run it, validate and write the tables it returns.

    A stage that streams its tables writes them itself (`per_document`, `TableWriter`) and lists
    them in `ctx.written`; it returns only the small tables it built in memory.
    """
    st = REGISTRY[name]
    for table in st.requires:
        if not (ctx.out_dir / f"{table}.parquet").exists():
            raise MissingInput(f"stage '{name}' requires table '{table}', not found in {ctx.out_dir}; run the stage that provides it first")
    t0 = time.perf_counter()
    log.info("stage %s: start", name)
    ctx.problems, ctx.written = [], set()
    tables = st.run(ctx)
    for table in st.provides:
        if table in tables:
            write_table(ctx.out_dir, table, tables[table])
        elif table not in ctx.written:
            raise RuntimeError(f"stage '{name}' did not produce its table '{table}'")
    if st.provides:
        record_problems(ctx, name)
    if ctx.problems:
        log.warning("stage %s: %d documents dropped (see the problems table)", name, len(ctx.problems))
    log.info("stage %s: done in %.1fs", name, time.perf_counter() - t0)
    return tables


def default_cache_dir(params: dict, out_dir: Path | None) -> Path | None:
    """Where per-document results are kept: `runtime.cache_dir` (default data/cache) for the DVC
    stages; beside the output folder (`<out>/../.cache`) for `run --out`; None when `runtime.cache` is false."""
    rt = params.get("runtime", {}) or {}
    if not rt.get("cache", True):
        return None
    if out_dir is None:
        return ROOT / str(rt.get("cache_dir") or "data/cache")
    return out_dir.parent / ".cache"


def context_from_params(params: dict, input_dir: Path | None = None, out_dir: Path | None = None, gold_dir: Path | None = None,
                        cache_dir: Path | None = None) -> Context:
    paths = params["paths"]
    return Context(
        params=params,
        input_dir=input_dir or ROOT / paths["input"],
        out_dir=out_dir or ROOT / paths["out"],
        reports_dir=ROOT / paths["reports"] if out_dir is None else out_dir,
        gold_dir=gold_dir if gold_dir is not None else (ROOT / paths["gold"] if out_dir is None else None),
        cache_dir=(cache_dir if cache_dir is not None else default_cache_dir(params, out_dir))
        if (params.get("runtime", {}) or {}).get("cache", True) else None,
    )
