"""The `ner` stage: per-sentence NER routed by language, merged, linked and indexed."""

from __future__ import annotations

import logging
from functools import lru_cache, partial
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..parsing import decode_ents
from ..stages import Context, per_document, stage
from ..tables import frame
from .backends import Backend, Mention, build, label_of
from .catalog import load_catalog
from .link import link_mentions
from .merge import merge

log = logging.getLogger(__name__)


@lru_cache(maxsize=16)
def _stack(lang: str, specs: tuple) -> list[Backend]:
    return [build(dict(spec), lang) for spec in specs]


def specs_for(params: dict, lang: str) -> tuple[tuple, ...]:
    """The configured backends of a language, as hashable specs in stack order.

    `ner.batch_size` is the spaCy backends' batch size (texts per `nlp.pipe` batch) unless an entry
    sets its own; Stanza and transformers keep their own defaults (their batches cost more memory).
    """
    size = int(params.get("batch_size") or 256)
    specs = [{"batch_size": size, **s} if s.get("type") == "spacy" else s for s in params["backends"].get(lang) or []]
    return tuple(tuple(sorted(s.items())) for s in specs)


def stack_for(params: dict, lang: str) -> list[Backend]:
    """The configured backends of a language (built once per process); empty when none."""
    return _stack(lang, specs_for(params, lang))


Outputs = dict[str, list[list[Mention]]]  # sent_id -> each backend's mentions, in stack order


def parsed_mentions(sentences: pd.DataFrame, parses: pd.DataFrame | None) -> dict[str, tuple[str, list[Mention]]]:
    """sent_id -> (model, its entities) from the `parses` table: what a spaCy backend running that model
    would find, read instead of run (entities crossing a sentence boundary are left out)."""
    if parses is None or parses.empty:
        return {}
    by_seg = {(p.doc_id, int(p.seg_id)): (p.model, decode_ents(p.ents)) for p in parses.itertuples(index=False)}
    out = {}
    for sent in sentences.itertuples(index=False):
        found = by_seg.get((sent.doc_id, int(sent.seg_id)))
        if found is not None:
            model, ents = found
            out[sent.sent_id] = (model, [Mention(a - sent.start, b - sent.start, label_of(label), label, 1.0, "spacy")
                                         for a, b, label in ents if sent.start <= a and b <= sent.end])
    return out


def backend_outputs(sentences: pd.DataFrame, params: dict, parses: pd.DataFrame | None = None) -> Outputs:
    """Every backend's mentions for each sentence, language by language, the texts in one batch per backend.

    A spaCy backend whose model already parsed a sentence's paragraph (`parses`) is not run on it again.
    """
    stored = parsed_mentions(sentences, parses)
    out: Outputs = {}
    for lang, group in sentences.groupby("lang", sort=False):
        texts, ids = list(group["text"]), list(group["sent_id"])
        results = []
        for spec, run in zip(specs_for(params, str(lang)), stack_for(params, str(lang))):
            spec = dict(spec)
            model = spec.get("model") if spec.get("type") == "spacy" else None
            reused = [stored[i][1] if model is not None and i in stored and stored[i][0] == model else None for i in ids]
            todo = [t for t, r in zip(texts, reused) if r is None]
            ran = iter(run(todo) if todo else [])
            results.append([r if r is not None else next(ran) for r in reused])
        for k, sent_id in enumerate(ids):
            out[sent_id] = [r[k] for r in results]
    return out


def entity_rows(doc, sentences: pd.DataFrame, params: dict, outputs: Outputs | None = None,
                parses: pd.DataFrame | None = None) -> list[dict]:
    """Entity mentions of one document, linked (`outputs`: the backends' mentions, when the batch has them)."""
    catalog = load_catalog(params["catalog"]) if params.get("catalog") else load_catalog()
    if outputs is None:
        outputs = backend_outputs(sentences, params, parses)
    rows: list[dict] = []
    for sent in sentences.itertuples(index=False):
        found = outputs.get(sent.sent_id)
        if not found:
            continue
        for m in merge(sent.text, found, catalog, arabic=sent.lang in ("ar", "fa")):
            rows.append({
                "doc_id": doc.doc_id, "sent_id": sent.sent_id, "start": sent.start + m.start, "end": sent.start + m.end,
                "text": sent.text[m.start : m.end], "label": m.label, "source_label": m.source_label, "lang": sent.lang,
                "entity_id": None, "canonical_name": None, "score": m.score, "source": m.source,
            })
    rows.sort(key=lambda r: r["start"])
    link_mentions(doc.doc_id, rows, catalog)
    return rows


INDEX_SQL = """
WITH m AS (SELECT *, file_row_number AS row FROM read_parquet(?, file_row_number = true) WHERE entity_id IS NOT NULL),
labels AS (SELECT entity_id, label, count(*) AS n FROM m GROUP BY ALL),
top AS (SELECT entity_id, arg_min(label, (-n, label)) AS label FROM labels GROUP BY entity_id)
SELECT m.entity_id, arg_min(m.canonical_name, m.row) AS canonical_name, any_value(top.label) AS label,
       count(*) AS mentions, string_agg(DISTINCT m.lang, ';' ORDER BY m.lang) AS languages,
       string_agg(DISTINCT m.doc_id, ';' ORDER BY m.doc_id) AS documents,
       string_agg(DISTINCT m.text, ';' ORDER BY m.text) AS aliases
FROM m JOIN top USING (entity_id) GROUP BY m.entity_id ORDER BY m.entity_id
"""


def entity_index(entities_path: Path, params: dict) -> pd.DataFrame:
    """One row per entity id with counts, languages, documents and aliases, aggregated by DuckDB
    from the written `entities` table (so the mentions never need to fit in memory)."""
    import duckdb

    catalog = load_catalog(params["catalog"]) if params.get("catalog") else load_catalog()
    with duckdb.connect() as con:
        con.execute("SET threads = 1; SET memory_limit = '512MB'; SET preserve_insertion_order = false")
        grouped = con.execute(INDEX_SQL, [str(entities_path)]).df()
    rows = []
    for r in grouped.itertuples(index=False):
        ent = catalog.get(r.entity_id)
        rows.append({
            "entity_id": r.entity_id,
            "canonical_name": ent.canonical_name if ent else r.canonical_name,
            "label": ent.type if ent else r.label,
            "mentions": int(r.mentions), "languages": r.languages, "documents": r.documents, "aliases": r.aliases,
            "qid": ent.qid if ent else None,
        })
    return frame("entity_index", rows)


def prepare_batch(docs: pd.DataFrame, inputs: dict, params: dict) -> Outputs:
    """The backends over all sentences of a batch of documents at once."""
    return backend_outputs(inputs["sentences"], params, inputs.get("parses"))


def entity_doc(doc, inputs: dict, outputs: Outputs | None = None, *, params: dict) -> tuple[list[dict]]:
    """The per-document entry point (module level, so worker processes and Ray actors can run it)."""
    return (entity_rows(doc, inputs["sentences"], params, outputs, inputs.get("parses")),)


@stage("ner", requires=("documents", "sentences", "parses"), provides=("entities", "entity_index"))
def ner_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Find and link named entities per sentence, routed by language."""
    params = ctx.section("ner")
    written = per_document(ctx, "ner", ("sentences", "parses"), partial(entity_doc, params=params), ("entities",),
                           prepare=partial(prepare_batch, params=params))
    ids = pq.read_table(ctx.out_dir / "entities.parquet", columns=["entity_id"])["entity_id"]
    linked = len(ids) - ids.null_count - int(pc.sum(pc.starts_with(ids, "local/")).as_py() or 0)
    log.info("ner: %d mentions, %d linked to the catalog", written["entities"], linked)
    return {"entity_index": entity_index(ctx.out_dir / "entities.parquet", params)}
