"""data/processed/extract.duckdb: one DuckDB view per output table, over its Parquet file.

Parquet paths inside the project are stored relative to the project root, so the file keeps
working when the checkout moves: open it from the root, or `SET file_search_path` to the root.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ..constants import ROOT
from ..schema import OUTPUT_TABLES, TABLES


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def parquet_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when inside it, else absolute (POSIX separators)."""
    path = path.resolve()
    return (path.relative_to(root) if path.is_relative_to(root) else path).as_posix()


def write_duckdb(tables_dir: Path, db_path: Path, root: Path = ROOT) -> list[str]:
    """Create `db_path` afresh with a documented view per table; return the view names."""
    root = root.resolve()
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    views = []
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(f"SET file_search_path = {sql_string(root.as_posix())}")
            for table in (TABLES[name] for name in OUTPUT_TABLES):
                source = parquet_path(tables_dir / f"{table.name}.parquet", root)
                con.execute(f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet({sql_string(source)})")
                con.execute(f"COMMENT ON VIEW {table.name} IS {sql_string(table.doc)}")
                for col in table.columns:
                    con.execute(f"COMMENT ON COLUMN {table.name}.{col.name} IS {sql_string(col.doc)}")
                views.append(table.name)
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    return views
