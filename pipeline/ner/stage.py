"""The `ner` stage: per-sentence NER routed by language, merged, linked and indexed."""

from __future__ import annotations

import logging
from functools import lru_cache, partial

import pandas as pd

from ..stages import Context, per_document, stage
from ..tables import frame
from .backends import Backend, build
from .catalog import load_catalog
from .link import link_mentions
from .merge import merge

log = logging.getLogger(__name__)


@lru_cache(maxsize=16)
def _stack(lang: str, specs: tuple) -> list[Backend]:
    return [build(dict(spec), lang) for spec in specs]


def stack_for(params: dict, lang: str) -> list[Backend]:
    """The configured backends of a language (built once per process); empty when none."""
    specs = params["backends"].get(lang) or []
    return _stack(lang, tuple(tuple(sorted(s.items())) for s in specs))


def entity_rows(doc, sentences: pd.DataFrame, params: dict) -> list[dict]:
    """Entity mentions of one document, linked."""
    catalog = load_catalog(params["catalog"]) if params.get("catalog") else load_catalog()
    rows: list[dict] = []
    for lang, group in sentences.groupby("lang", sort=False):
        backends = stack_for(params, str(lang))
        if not backends:
            continue
        texts = list(group["text"])
        outputs = [b(texts) for b in backends]
        for k, sent in enumerate(group.itertuples(index=False)):
            mentions = merge(sent.text, [out[k] for out in outputs], catalog, arabic=lang in ("ar", "fa"))
            for m in mentions:
                rows.append({
                    "doc_id": doc.doc_id, "sent_id": sent.sent_id, "start": sent.start + m.start, "end": sent.start + m.end,
                    "text": sent.text[m.start : m.end], "label": m.label, "source_label": m.source_label, "lang": lang,
                    "entity_id": None, "canonical_name": None, "score": m.score, "source": m.source,
                })
    rows.sort(key=lambda r: r["start"])
    link_mentions(doc.doc_id, rows, catalog)
    return rows


def entity_index(entities: pd.DataFrame, params: dict) -> pd.DataFrame:
    """One row per entity id with counts, languages, documents and aliases."""
    if entities.empty:
        return frame("entity_index", [])
    catalog = load_catalog(params["catalog"]) if params.get("catalog") else load_catalog()
    rows = []
    for entity_id, g in entities.groupby("entity_id", sort=True):
        ent = catalog.get(entity_id)
        rows.append({
            "entity_id": entity_id,
            "canonical_name": ent.canonical_name if ent else g["canonical_name"].iloc[0],
            "label": ent.type if ent else g["label"].mode().iloc[0],
            "mentions": len(g),
            "languages": ";".join(sorted(set(g["lang"]))),
            "documents": ";".join(sorted(set(g["doc_id"]))),
            "aliases": ";".join(sorted(set(g["text"]))),
            "qid": ent.qid if ent else None,
        })
    return frame("entity_index", rows)


def entity_doc(doc, inputs: dict, params: dict) -> tuple[list[dict]]:
    """The per-document entry point (module level, so worker processes and Ray actors can run it)."""
    return (entity_rows(doc, inputs["sentences"], params),)


@stage("ner", requires=("documents", "sentences"), provides=("entities", "entity_index"))
def ner_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Find and link named entities per sentence, routed by language."""
    params = ctx.section("ner")
    (rows,) = per_document(ctx, "ner", ("sentences",), partial(entity_doc, params=params)) or ([],)
    entities = frame("entities", rows)
    log.info("ner: %d mentions, %d linked to the catalog", len(entities), int((~entities["entity_id"].fillna("local/").str.startswith("local/")).sum()))
    return {"entities": entities, "entity_index": entity_index(entities, params)}
