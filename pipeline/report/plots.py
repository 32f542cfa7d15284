"""Data files for `dvc plots`: F1 per table and language, and figures over time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from .. import tables

F1_COLUMNS = ["table", "language", "f1", "precision", "recall"]


def f1_rows(metrics: dict) -> pd.DataFrame:
    """One row per (scored table, language group)."""
    rows = [
        {"table": table, "language": group, "f1": s["f1"], "precision": s["precision"], "recall": s["recall"]}
        for group, scores in metrics.items()
        if isinstance(scores, dict)
        for table, s in scores.items()
        if isinstance(s, dict) and "f1" in s
    ]
    return pd.DataFrame(rows, columns=F1_COLUMNS).sort_values(["table", "language"], kind="stable")


def write_csv(path: Path, df: pd.DataFrame) -> None:
    """Write a plot file atomically, with spreadsheet formulas neutralised as in the table CSVs."""
    tables.atomic_write_bytes(path, lambda tmp: tables.write_csv(pa.Table.from_pandas(df, preserve_index=False), tmp))


def write_plots(plots_dir: Path, metrics: dict | None, dated: pd.DataFrame) -> list[Path]:
    """Write f1_by_language.csv (when there are metrics) and figures_over_time.csv; return the paths."""
    written = []
    if metrics:
        written.append(plots_dir / "f1_by_language.csv")
        write_csv(written[-1], f1_rows(metrics))
    written.append(plots_dir / "figures_over_time.csv")
    write_csv(written[-1], dated.assign(published=dated["published"].dt.strftime("%Y-%m-%d")))
    return written
