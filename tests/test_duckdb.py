"""extract.duckdb: one view per table over its Parquet file, and the README's example queries on the sample tables."""

import re

import duckdb
import pytest

from pipeline.constants import ROOT
from pipeline.report.database import parquet_path, sql_string, write_duckdb
from pipeline.schema import OUTPUT_TABLES, TABLES
from pipeline.tables import read_table


def readme_queries() -> list[str]:
    """The ```sql blocks of the README's "Reading the results" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reading the results", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def database(sample_tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("duckdb") / "extract.duckdb"
    assert write_duckdb(sample_tables, path) == list(OUTPUT_TABLES)  # internal tables get no view
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


def test_every_table_is_a_documented_view_with_the_parquet_rows(database, sample_tables):
    views = dict(database.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    assert views == {name: TABLES[name].doc for name in OUTPUT_TABLES}
    for name in OUTPUT_TABLES:
        assert database.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == len(read_table(sample_tables, name))
    comments = dict(database.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'figures'").fetchall())
    assert comments == {c.name: c.doc for c in TABLES["figures"].columns}


def test_the_three_readme_queries_return_rows(database):
    queries = readme_queries()
    assert len(queries) == 3
    for sql in queries:
        rows = database.execute(sql).fetchall()
        assert rows, sql


def test_largest_troop_figure_query_agrees_with_the_table(database, sample_tables):
    figures = read_table(sample_tables, "figures")
    troops = figures[(figures["category"] == "troops") & figures["location"].notna()]
    rows = database.execute(readme_queries()[0]).fetchall()
    assert {r[0]: r[1] for r in rows} == troops.groupby("location")["value"].max().to_dict()


def test_paths_inside_the_project_are_stored_relative_to_its_root(tmp_path):
    assert parquet_path(ROOT / "data" / "processed" / "figures.parquet", ROOT) == "data/processed/figures.parquet"
    assert parquet_path(tmp_path / "figures.parquet", ROOT) == (tmp_path / "figures.parquet").resolve().as_posix()
    assert sql_string("Ain al-Asad's") == "'Ain al-Asad''s'"


def test_views_follow_the_root_not_the_working_directory(sample_tables, tmp_path, monkeypatch):
    path = tmp_path / "extract.duckdb"
    write_duckdb(sample_tables, path, root=sample_tables.parent)
    monkeypatch.chdir(tmp_path)
    with duckdb.connect(str(path), read_only=True) as con:
        with pytest.raises(duckdb.IOException):
            con.execute("SELECT count(*) FROM documents").fetchone()
        con.execute(f"SET file_search_path = {sql_string(sample_tables.parent.as_posix())}")
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(read_table(sample_tables, "documents"))
