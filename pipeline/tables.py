"""Reading and writing the output tables: validated, atomic, Parquet plus a safe CSV export."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .schema import TABLES, check_arrow, empty_frame, rows_to_arrow, to_arrow

log = logging.getLogger(__name__)

TMP_SUFFIX = ".tmp"
# a cell starting with =, +, -, @, a tab or a carriage return (OWASP CSV injection list), as Arrow matches it
FORMULA_START = "^[=+\\-@\t\r]"


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


def csv_ready(table: pa.Table) -> pa.Table:
    """A table as its CSV export shows it: a text cell that starts with a formula prefix gets a leading
    quote, and a whole float keeps its ".0" (3.0, not 3), so readers still see a float column."""
    for i, field in enumerate(table.schema):
        values = table.column(i)
        if pa.types.is_string(field.type):
            risky = pc.match_substring_regex(values, FORMULA_START)
            if pc.any(risky).as_py():
                table = table.set_column(i, field, pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values))
        elif pa.types.is_floating(field.type):
            text = pc.cast(values, pa.string())
            bare = pc.invert(pc.match_substring_regex(text, r"[.eEnN]"))  # "3", not "3.5", "1e+20", "inf" or "nan"
            table = table.set_column(i, pa.field(field.name, pa.string()),
                                     pc.if_else(bare, pc.binary_join_element_wise(text, ".0", ""), text))
    return table


def write_csv(table: pa.Table, sink, header: bool = True) -> None:
    """Write `table` as CSV to a path or binary file (see `csv_ready`): strings quoted, a null an empty field."""
    pa_csv.write_csv(csv_ready(table), sink, pa_csv.WriteOptions(include_header=header, quoting_style="needed"))


def to_ipc(table: pa.Table) -> bytes:
    """A table as Arrow IPC stream bytes (schema included)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.BufferReader(data)).read_all()


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
            self._tmp_csv_file = open(self._csv_tmp, "wb")
            self._tmp_csv_file.write((",".join(TABLES[name].names) + "\n").encode("utf-8"))

    def write(self, data: pa.Table | pd.DataFrame | list[dict]) -> None:
        """Validate and append one batch (an Arrow table, a frame, or row dicts in any column order)."""
        if isinstance(data, list):
            arrow = rows_to_arrow(self.name, data)
        elif isinstance(data, pd.DataFrame):
            arrow = to_arrow(self.name, data)
        else:
            arrow = check_arrow(self.name, data)
        if arrow.num_rows == 0:
            return
        self._parquet.write_table(arrow)
        if self._tmp_csv_file is not None:
            write_csv(arrow, self._tmp_csv_file, header=False)
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
