"""Reusing a stage's previous tables in place, so a daily run into the same output folder does not
read one cache payload per unchanged document.

Beside its tables, a cached stage leaves `.reuse/<stage>.parquet`: the doc_id and document key of
each document it wrote rows for, in table order, with the stage's fingerprint and the identity
(size and modification time) of each Parquet table it wrote. The next run of the stage streams
the rows of unchanged documents (same doc_id and key) back from those tables, which it replaces
only when done. It does so only when all of that still holds: the same fingerprint, the table
files untouched since, and the documents in the same relative order as now. Otherwise, as after
a DVC checkout or when DVC removed the outs, the per-document cache (`pipeline.cache`) serves.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import TABLES
from .tables import CURSOR_ROWS, REUSE_DIR, TableCursor, commit_file, positions, temp_sibling

log = logging.getLogger(__name__)

SCHEMA = pa.schema([pa.field("doc_id", pa.string(), nullable=False), pa.field("doc_key", pa.string(), nullable=False)])


def _identity(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


class PreviousTables:
    """The previous run's rows of a stage's tables, for the documents whose key is unchanged."""

    def __init__(self, keys: dict[str, str], cursors: list[TableCursor]):
        self.keys, self.cursors = keys, cursors

    @classmethod
    def open(cls, out_dir: Path, stage: str, fp: str, provides: tuple[str, ...], order: dict[str, int]) -> PreviousTables | None:
        """The previous tables when they can be trusted (see the module docstring), else None."""
        path = out_dir / REUSE_DIR / f"{stage}.parquet"
        if not path.exists():
            return None
        try:
            record = pq.ParquetFile(path)
            meta = json.loads(record.metadata.metadata[b"reuse"])
            table = record.read()
            record.close()
            files = {name: out_dir / f"{name}.parquet" for name in provides}
            if meta["fingerprint"] != fp or any(not f.exists() or _identity(f) != meta["files"].get(name) for name, f in files.items()):
                return None
            if any(not pq.read_schema(f).equals(TABLES[name].arrow_schema) for name, f in files.items()):
                return None  # written under another contract
            found = positions(table["doc_id"], order)
            found = found[found >= 0]
            if np.any(np.diff(found) <= 0):  # the documents' order changed: rows would not stream in order
                return None
            keys = dict(zip(table["doc_id"].to_pylist(), table["doc_key"].to_pylist()))
            cursors = [TableCursor(out_dir, name, order, CURSOR_ROWS) for name in provides]
        except (OSError, KeyError, ValueError, TypeError, pa.ArrowException) as exc:
            log.info("%s: previous tables not reused (%s)", stage, exc)
            return None
        return cls(keys, cursors)

    def close(self) -> None:
        for cursor in self.cursors:
            cursor.close()

    def take(self, first: int, last: int, doc_ids: list[str], keys: list[str]) -> dict[tuple[str, str], list[pa.Table]]:
        """For the documents at positions first..last of the ok documents (`doc_ids`, `keys`), the
        tables of each one whose key is unchanged. Called for every batch, in order."""
        rows = [cursor.take(first, last) for cursor in self.cursors]
        same = [(d, k) for d, k in zip(doc_ids, keys) if self.keys.get(d) == k]
        if not same:
            return {}
        ids = pa.array([d for d, _ in same], type=pa.string())
        out: dict[tuple[str, str], list[pa.Table]] = {item: [] for item in same}
        for table in rows:
            if len(same) < len(doc_ids):  # leave out the rows of changed documents
                table = table.filter(pc.is_in(table["doc_id"], value_set=ids))
            where = pc.index_in(table["doc_id"], value_set=ids).to_numpy()  # nondecreasing: tables are in document order
            bounds = np.searchsorted(where, np.arange(len(same) + 1))
            for i, item in enumerate(same):
                out[item].append(table.slice(bounds[i], bounds[i + 1] - bounds[i]))
        return out


class ReuseRecord:
    """Writes `.reuse/<stage>.parquet` as the stage writes its tables, a batch of (doc_id, key) at a time.
    A context manager: the record is dropped unless committed."""

    def __init__(self, out_dir: Path, stage: str):
        self.path = out_dir / REUSE_DIR / f"{stage}.parquet"
        self._tmp = temp_sibling(self.path)
        self._writer = pq.ParquetWriter(self._tmp, SCHEMA)
        self._done = False

    def add(self, items: list[tuple[str, str]]) -> None:
        if items:
            self._writer.write_table(pa.table([pa.array([d for d, _ in items]), pa.array([k for _, k in items])], schema=SCHEMA))

    def commit(self, out_dir: Path, fp: str, provides: tuple[str, ...]) -> None:
        """Once the tables are in place: record the fingerprint and the files' identity."""
        meta = {"fingerprint": fp, "files": {name: _identity(out_dir / f"{name}.parquet") for name in provides}}
        self._writer.add_key_value_metadata({"reuse": json.dumps(meta)})
        self._writer.close()
        commit_file(self._tmp, self.path)
        self._done = True

    def __enter__(self) -> ReuseRecord:
        return self

    def __exit__(self, *exc) -> None:
        if not self._done:
            self._writer.close()
            Path(self._tmp).unlink(missing_ok=True)
