"""Reading and writing the output tables: validated, atomic, Parquet plus a safe CSV export."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .schema import TABLES, empty_frame, to_arrow

log = logging.getLogger(__name__)

TMP_SUFFIX = ".tmp"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection list


class MissingInput(RuntimeError):
    """A stage's required table is not there: an earlier stage has not run."""


def atomic_write_bytes(path: Path, write: Callable[[str], object]) -> None:
    """Write a file through a temporary sibling (`.<name>.*.tmp`) and an atomic rename.

    Readers see the old file or the new one, never a part: a run killed mid-write leaves at most
    a stale temporary file, which `remove_stale_temp` clears at the next run.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut
    finally:
        os.close(dir_fd)


def remove_stale_temp(out_dir: Path) -> list[Path]:
    """Delete the tables' temporary files left by a killed run (call only while holding the run lock)."""
    patterns = [f".{name}.parquet.*{TMP_SUFFIX}" for name in TABLES] + [f"csv/.{name}.csv.*{TMP_SUFFIX}" for name in TABLES]
    stale = sorted(p for pattern in patterns for p in out_dir.glob(pattern) if p.is_file())
    for p in stale:
        p.unlink(missing_ok=True)
        log.info("removed %s, left by an interrupted run", p)
    return stale


def escape_formula(value: object) -> object:
    """Neutralise spreadsheet formulas: prefix risky text cells with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The CSV export of a table: text cells with formula prefixes escaped."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_formula)
    return out


def write_table(out_dir: Path, name: str, df: pd.DataFrame) -> Path:
    """Validate and write one table as Parquet and CSV (both atomically)."""
    arrow = to_arrow(name, df)
    path = out_dir / f"{name}.parquet"
    atomic_write_bytes(path, lambda tmp: pq.write_table(arrow, tmp))
    frame = arrow.to_pandas()
    atomic_write_bytes(out_dir / "csv" / f"{name}.csv", lambda tmp: csv_frame(frame).to_csv(tmp, index=False))
    log.info("wrote %s (%d rows)", path, arrow.num_rows)
    return path


def read_table(out_dir: Path, name: str) -> pd.DataFrame:
    """Read one table; a missing table is a clear error naming the stage to run."""
    path = out_dir / f"{name}.parquet"
    if not path.exists():
        raise MissingInput(f"table '{name}' not found at {path}: run the stage that provides it first")
    df = pq.read_table(path).to_pandas()
    if list(df.columns) != TABLES[name].names:
        raise MissingInput(f"table '{name}' at {path} does not match the current schema: re-run its stage")
    return df


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A table frame from row dicts, with the contract's column order (empty when no rows)."""
    if not rows:
        return empty_frame(name)
    return pd.DataFrame(rows, columns=TABLES[name].names)
