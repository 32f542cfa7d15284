import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.constants import ROOT
from pipeline.schema import TABLES, SchemaError, empty_frame, rows_to_arrow, schema_markdown, to_arrow
from pipeline.tables import TableWriter, csv_ready, read_table, write_table


@pytest.mark.parametrize("name", sorted(TABLES))
def test_empty_tables_are_valid_and_round_trip(name, tmp_path):
    path = write_table(tmp_path, name, empty_frame(name))
    assert pq.read_schema(path).names == TABLES[name].names
    assert read_table(tmp_path, name).empty
    if TABLES[name].internal:  # passed between stages in Parquet only
        assert not (tmp_path / "csv" / f"{name}.csv").exists()
    else:
        assert (tmp_path / "csv" / f"{name}.csv").read_text(encoding="utf-8").strip() == ",".join(TABLES[name].names)


def figure_row(**kw):
    row = {"doc_id": "d", "sent_id": "s", "start": 0, "end": 10, "text": "2,000 troops", "value": 2000.0, "low": 2000.0,
           "high": 2000.0, "category": "troops", "qualifier": "exact", "actor": None, "actor_entity_id": None,
           "location": None, "location_entity_id": None, "lang": "en"}
    return pd.DataFrame([{**row, **kw}])


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"category": "wounded"}, "not in"),
        ({"qualifier": "roughly"}, "not in"),
        ({"start": 12}, "end < start"),
        ({"doc_id": None}, "null"),
        ({"value": "two thousand"}, "figures"),
    ],
)
def test_invalid_rows_are_rejected(bad, message):
    with pytest.raises(SchemaError, match=message):
        to_arrow("figures", figure_row(**bad))


def test_missing_or_extra_columns_are_rejected():
    with pytest.raises(SchemaError, match="missing columns"):
        to_arrow("figures", figure_row().drop(columns=["lang"]))
    with pytest.raises(SchemaError, match="unexpected"):
        to_arrow("figures", figure_row().assign(extra=1))


@pytest.mark.parametrize("bad, message", [({"category": "wounded"}, "not in"), ({"start": 12}, "end < start"),
                                          ({"doc_id": None}, "null"), ({"value": "two thousand"}, "two thousand"),
                                          ({"start": 1.5}, "truncated"), ({"end": "10"}, "integer column"), ({"end": 2**70}, "figures")])
def test_invalid_row_dicts_are_rejected(bad, message):
    with pytest.raises(SchemaError, match=message):
        rows_to_arrow("figures", figure_row(**bad).to_dict("records"))


def test_row_dicts_and_frames_give_the_same_arrow_table():
    rows = figure_row(value=float("nan"), actor="Iran").to_dict("records")
    arrow = rows_to_arrow("figures", [dict(reversed(rows[0].items()))])  # key order does not matter
    assert arrow.equals(to_arrow("figures", figure_row(value=float("nan"), actor="Iran")))
    assert arrow["value"].null_count == 1  # NaN is a null, as in the pandas path


def test_an_arrow_table_of_another_schema_is_rejected(tmp_path):
    with TableWriter(tmp_path, "figures") as writer, pytest.raises(SchemaError, match="schema"):
        writer.write(pa.table({"doc_id": ["d"]}))


@pytest.mark.parametrize("cell, safe", [("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
                                        ("\tx", "'\tx"), ("\rx", "'\rx"), ("ok", "ok"), ("a=b", "a=b"), (None, None)])
def test_csv_export_neutralises_formulas(cell, safe):
    assert csv_ready(pa.table({"text": pa.array([cell], pa.string())}))["text"].to_pylist() == [safe]


@pytest.mark.parametrize("value, shown", [(3.0, "3.0"), (-2.0, "-2.0"), (0.5, "0.5"), (1e20, "1e+20"), (None, None)])
def test_csv_export_keeps_floats_floats(value, shown):
    assert csv_ready(pa.table({"value": pa.array([value], pa.float64())}))["value"].to_pylist() == [shown]


def test_csv_keeps_parquet_values(tmp_path):
    df = figure_row(text="=HYPERLINK(\"x\")", actor="Smith, \"Jr\"\nsecond line")
    write_table(tmp_path, "figures", df)
    assert read_table(tmp_path, "figures")["text"].iloc[0] == '=HYPERLINK("x")'
    exported = pd.read_csv(tmp_path / "csv" / "figures.csv")
    assert exported["text"].iloc[0] == "'=HYPERLINK(\"x\")"
    assert exported["actor"].iloc[0] == 'Smith, "Jr"\nsecond line'
    assert exported["value"].dtype == "float64" and exported["value"].iloc[0] == 2000.0
    assert exported["location"].isna().all() and exported["start"].dtype == "int64"


def test_docs_schema_is_generated_from_the_code():
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert doc.strip() == schema_markdown().strip(), "docs/schema.md drifted: run `make schema-doc`"
    for table in TABLES.values():
        for col in table.columns:
            assert f"| `{col.name}` |" in doc
