"""The `extract` stage: troop and casualty figures, and quotes, per document."""

from __future__ import annotations

import logging
from functools import partial

import pandas as pd

from .figures import find_figures
from .models import load_spacy
from .quotes import find_quotes
from .stages import Context, per_document, stage
from .tables import frame

log = logging.getLogger(__name__)


def _records(df: pd.DataFrame) -> list[dict]:
    return df.to_dict("records")


def figures_rows(doc, sentences: pd.DataFrame, entities: pd.DataFrame, parsers: dict[str, str]) -> list[dict]:
    """Figures of one document, with sentence-relative results shifted to document offsets."""
    rows = []
    ents = _records(entities)
    for sent in sentences.itertuples(index=False):
        local = [
            {**e, "start": e["start"] - sent.start, "end": e["end"] - sent.start}
            for e in ents
            if e["start"] >= sent.start and e["end"] <= sent.end
        ]
        parsed = load_spacy(parsers[sent.lang])(sent.text) if sent.lang in parsers else None
        for fig in find_figures(sent.text, sent.lang, local, parsed):
            rows.append({**fig, "doc_id": doc.doc_id, "sent_id": sent.sent_id, "start": sent.start + fig["start"],
                         "end": sent.start + fig["end"], "lang": sent.lang})
    return rows


def extract_doc(doc, inputs: dict, params: dict) -> tuple[list[dict], list[dict]]:
    """Figures and quotes of one document (module level, so worker processes and Ray actors can run it)."""
    sentences, entities = inputs["sentences"], inputs["entities"]
    figures = figures_rows(doc, sentences, entities, params["parsers"])
    quotes = find_quotes(doc.doc_id, doc.text, _records(sentences), _records(entities), parsers=params["parsers"])
    return figures, quotes


@stage("extract", requires=("documents", "sentences", "entities"), provides=("figures", "quotes"))
def extract_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Find troop/casualty figures and direct/reported quotes with their speakers."""
    params = ctx.section("extract")
    figures, quotes = per_document(ctx, "extract", ("sentences", "entities"), partial(extract_doc, params=params)) or ([], [])
    log.info("extract: %d figures, %d quotes", len(figures), len(quotes))
    return {"figures": frame("figures", figures), "quotes": frame("quotes", quotes)}
