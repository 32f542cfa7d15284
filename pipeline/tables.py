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
    tmp = _temp_sibling(path)
    try:
        write(tmp)
        _commit(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        values = out[col]
        if values.dtype != object and pd.api.types.is_string_dtype(values):
            risky = values.str.startswith(FORMULA_PREFIXES, na=False)
            if risky.any():
                out[col] = values.mask(risky, "'" + values)
        elif values.dtype == object:
            out[col] = values.map(escape_formula)
    return out


def _temp_sibling(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    return tmp


def _commit(tmp: str, path: Path) -> None:
    """fsync a finished temporary file and rename it over `path` (and make the rename durable)."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class TableWriter:
    """Write one table a batch at a time: Parquet row groups and CSV chunks, validated per batch.

    Both files grow as temporary siblings and replace the old ones only at `close()`, so readers
    see the previous table or the whole new one; memory holds one batch, never the table.
    Use as a context manager: an exception discards what was written.
    """

    def __init__(self, out_dir: Path, name: str):
        self.name, self.rows = name, 0
        self.path, self.csv_path = out_dir / f"{name}.parquet", out_dir / "csv" / f"{name}.csv"
        self.csv = not TABLES[name].internal  # internal tables are Parquet only
        self._tmp = _temp_sibling(self.path)
        self._parquet = pq.ParquetWriter(self._tmp, TABLES[name].arrow_schema)
        self._csv_tmp, self._tmp_csv_file = None, None
        if self.csv:
            self._csv_tmp = _temp_sibling(self.csv_path)
            self._tmp_csv_file = open(self._csv_tmp, "w", encoding="utf-8", newline="")
            self._tmp_csv_file.write(",".join(TABLES[name].names) + "\n")

    def write(self, df: pd.DataFrame | list[dict]) -> None:
        """Validate and append one batch (a frame, or row dicts in any column order)."""
        if isinstance(df, list):
            df = frame(self.name, df)
        if df.empty:
            return
        arrow = to_arrow(self.name, df)
        self._parquet.write_table(arrow)
        if self._tmp_csv_file is not None:
            # integer_object_nulls: an int column with gaps stays "3", not "3.0", in every chunk
            csv_frame(arrow.to_pandas(integer_object_nulls=True)).to_csv(self._tmp_csv_file, header=False, index=False)
        self.rows += arrow.num_rows

    def close(self) -> Path:
        self._parquet.close()
        _commit(self._tmp, self.path)
        if self._tmp_csv_file is not None:
            self._tmp_csv_file.close()
            _commit(self._csv_tmp, self.csv_path)
        log.info("wrote %s (%d rows)", self.path, self.rows)
        return self.path

    def abort(self) -> None:
        self._parquet.close()
        if self._tmp_csv_file is not None:
            self._tmp_csv_file.close()
        for tmp in (self._tmp, self._csv_tmp):
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_table(out_dir: Path, name: str, df: pd.DataFrame) -> Path:
    """Validate and write one table as Parquet and CSV (both atomically)."""
    with TableWriter(out_dir, name) as writer:
        writer.write(df)
    return writer.path


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
