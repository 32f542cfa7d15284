"""Reading and writing the output tables: validated, atomic, Parquet plus a safe CSV export."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .schema import TABLES, check_arrow, empty_frame, rows_to_arrow, to_arrow

log = logging.getLogger(__name__)

TMP_SUFFIX = ".tmp"
CURSOR_ROWS = 4096  # rows per record batch read by a TableCursor
FLUSH_ROWS = 8192  # a TableWriter writes a chunk (a Parquet row group, a CSV chunk) once it holds this many rows
REUSE_DIR = ".reuse"  # in an output folder: what each cached stage wrote (see `pipeline.reuse`)
# a cell starting with =, +, -, @, a tab or a carriage return (OWASP CSV injection list), as Arrow matches it
FORMULA_START = "^[=+\\-@\t\r]"


class MissingInput(RuntimeError):
    """A stage's required table is not there: an earlier stage has not run."""


def atomic_write_bytes(path: Path, write: Callable[[str], object]) -> None:
    """Write a file through a temporary sibling (`.<name>.*.tmp`) and an atomic rename.

    Readers see the old file or the new one, never a part: a run killed mid-write leaves at most
    a stale temporary file, which `remove_stale_temp` clears at the next run.
    """
    tmp = temp_sibling(path)
    try:
        write(tmp)
        commit_file(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temp(out_dir: Path) -> list[Path]:
    """Delete the tables' temporary files left by a killed run (call only while holding the run lock)."""
    patterns = ([f".{name}.parquet.*{TMP_SUFFIX}" for name in TABLES] + [f"csv/.{name}.csv.*{TMP_SUFFIX}" for name in TABLES]
                + [f"{REUSE_DIR}/.*{TMP_SUFFIX}"])
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
        if pa.types.is_large_string(field.type) or pa.types.is_string_view(field.type):  # pandas text columns
            field, values = pa.field(field.name, pa.string()), values.cast(pa.string())
            table = table.set_column(i, field, values)
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


def temp_sibling(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    return tmp


def commit_file(tmp: str, path: Path) -> None:
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
    """Write one table a batch at a time: Parquet row groups and CSV chunks, each batch validated.

    Batches are validated as they come and written in chunks of FLUSH_ROWS rows or more, so
    per-chunk costs are paid a few times per table, not once per batch. Both files grow
    as temporary siblings and replace the old ones only at `close()`, so readers see the previous
    table or the whole new one; memory holds one chunk, never the table.
    Use as a context manager: an exception discards what was written.
    """

    def __init__(self, out_dir: Path, name: str):
        self.name, self.rows = name, 0
        self.path, self.csv_path = out_dir / f"{name}.parquet", out_dir / "csv" / f"{name}.csv"
        self.csv = not TABLES[name].internal  # internal tables are Parquet only
        self._tmp = temp_sibling(self.path)
        self._parquet = pq.ParquetWriter(self._tmp, TABLES[name].arrow_schema)
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._csv_tmp, self._tmp_csv_file = None, None
        if self.csv:
            self._csv_tmp = temp_sibling(self.csv_path)
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
        self._pending.append(arrow)
        self._pending_rows += arrow.num_rows
        self.rows += arrow.num_rows
        if self._pending_rows >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        chunk = pa.concat_tables(self._pending).combine_chunks()
        self._pending, self._pending_rows = [], 0
        self._parquet.write_table(chunk)
        if self._tmp_csv_file is not None:
            write_csv(chunk, self._tmp_csv_file, header=False)

    def close(self) -> Path:
        try:
            self._flush()
        except BaseException:
            self.abort()
            raise
        self._parquet.close()
        commit_file(self._tmp, self.path)
        if self._tmp_csv_file is not None:
            self._tmp_csv_file.close()
            commit_file(self._csv_tmp, self.csv_path)
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


class TableCursor:
    """The rows of one input table for consecutive batches of documents, read in record batches.

    Every table is written in documents order, so the rows of a batch of documents are contiguous:
    a streaming merge on doc_id, holding about one record batch at a time.
    """

    def __init__(self, out_dir: Path, name: str, order: dict[str, int], batch_rows: int):
        """`order`: the position of each ok document's doc_id, in documents order."""
        path = out_dir / f"{name}.parquet"
        if not path.exists():
            raise MissingInput(f"table '{name}' not found at {path}: run the stage that provides it first")
        self.file = pq.ParquetFile(path)
        if self.file.schema_arrow.names != TABLES[name].names:
            self.file.close()
            raise MissingInput(f"table '{name}' at {path} does not match the current schema: re-run its stage")
        self.batches = self.file.iter_batches(batch_size=batch_rows)
        self.order = order
        self.buffer: pa.Table = self.file.schema_arrow.empty_table()
        self.positions = np.empty(0, dtype=np.int64)  # each buffered row's position among the ok documents (-1: none)
        self.done = False

    def close(self) -> None:
        self.file.close()

    def take(self, first: int, last: int) -> pa.Table:
        """Rows of the documents at positions first..last of the ok documents."""
        while not self.done and not (len(self.positions) and self.positions.max() > last):
            batch = next(self.batches, None)
            if batch is None:
                self.done = True
            else:  # positions are looked up once per record batch; the buffer's chunks are not copied
                self.buffer = pa.concat_tables([self.buffer, pa.Table.from_batches([batch])])
                self.positions = np.concatenate([self.positions, positions(batch["doc_id"], self.order)])
        pos = self.positions
        if len(pos) and pos[0] >= 0 and np.all(pos[1:] >= pos[:-1]):  # the usual case: rows in order, sliced without a copy
            lo, hi = np.searchsorted(pos, first, "left"), np.searchsorted(pos, last, "right")
            rows = self.buffer.slice(lo, hi - lo)
            self.buffer, self.positions = self.buffer.slice(hi), pos[hi:]
            return rows
        mine = (pos >= first) & (pos <= last)
        rows = self.buffer.filter(pa.array(mine))
        later = self.positions > last
        if later.all():
            return rows
        self.buffer, self.positions = self.buffer.filter(pa.array(later)), self.positions[later]
        return rows


def positions(doc_ids: pa.Array | pa.ChunkedArray, order: dict[str, int]) -> np.ndarray:
    """Each doc_id's position in `order` (-1: not there), looked up once per distinct doc_id."""
    distinct = pc.unique(doc_ids)
    found = np.array([order.get(d, -1) for d in distinct.to_pylist()], dtype=np.int64)
    return found[pc.index_in(doc_ids, value_set=distinct).to_numpy()] if len(found) else np.empty(0, dtype=np.int64)
