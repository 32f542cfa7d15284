"""The stage registry: what each stage requires and provides, and how it runs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .constants import ROOT, STATUS_OK
from .progress import progress
from .tables import MissingInput, read_table, write_table

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What a stage sees: its params, the input folder and the table folder."""

    params: dict
    input_dir: Path
    out_dir: Path
    reports_dir: Path
    gold_dir: Path | None = None

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


def per_document(ctx: Context, desc: str, requires: tuple[str, ...], fn: Callable[..., tuple[list[dict], ...]]) -> list[list[dict]]:
    """Run `fn(doc_row, {table: rows of this doc})` over ok documents, collecting rows per output."""
    docs = ctx.ok_documents()
    tables = {name: ctx.table(name) for name in requires}
    grouped = {name: dict(tuple(df.groupby("doc_id", sort=False))) for name, df in tables.items()}
    empty = {name: df.iloc[0:0] for name, df in tables.items()}
    outputs: list[list[dict]] | None = None
    for doc in progress(docs.itertuples(index=False), desc=desc, total=len(docs)):
        inputs = {name: grouped[name].get(doc.doc_id, empty[name]) for name in requires}
        result = fn(doc, inputs)
        if outputs is None:
            outputs = [[] for _ in result]
        for acc, rows in zip(outputs, result):
            acc.extend(rows)
    return outputs or []


def run_stage(name: str, ctx: Context) -> dict[str, pd.DataFrame]:
    """Run one stage: check its inputs, run it, validate and write what it provides."""
    st = REGISTRY[name]
    for table in st.requires:
        if not (ctx.out_dir / f"{table}.parquet").exists():
            raise MissingInput(f"stage '{name}' requires table '{table}', not found in {ctx.out_dir}; run the stage that provides it first")
    t0 = time.perf_counter()
    log.info("stage %s: start", name)
    tables = st.run(ctx)
    for table in st.provides:
        if table not in tables:
            raise RuntimeError(f"stage '{name}' did not produce its table '{table}'")
        write_table(ctx.out_dir, table, tables[table])
    log.info("stage %s: done in %.1fs", name, time.perf_counter() - t0)
    return tables


def context_from_params(params: dict, input_dir: Path | None = None, out_dir: Path | None = None, gold_dir: Path | None = None) -> Context:
    paths = params["paths"]
    return Context(
        params=params,
        input_dir=input_dir or ROOT / paths["input"],
        out_dir=out_dir or ROOT / paths["out"],
        reports_dir=ROOT / paths["reports"] if out_dir is None else out_dir,
        gold_dir=gold_dir if gold_dir is not None else (ROOT / paths["gold"] if out_dir is None else None),
    )
