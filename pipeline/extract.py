"""The `extract` stage: troop and casualty figures, and quotes, per document."""

from __future__ import annotations

import logging
from functools import partial

import pandas as pd

from .figures import find_figures
from .models import Parses
from .quotes import find_quotes
from .quotes.core import parse_requests
from .stages import Context, per_document, stage

log = logging.getLogger(__name__)


def _records(df: pd.DataFrame) -> list[dict]:
    return df.to_dict("records")


def figures_rows(doc, sentences: pd.DataFrame, entities: pd.DataFrame, parse: Parses) -> list[dict]:
    """Figures of one document, with sentence-relative results shifted to document offsets."""
    rows = []
    ents = _records(entities)
    for sent in sentences.itertuples(index=False):
        local = [
            {**e, "start": e["start"] - sent.start, "end": e["end"] - sent.start}
            for e in ents
            if e["start"] >= sent.start and e["end"] <= sent.end
        ]
        parser = partial(parse, sent.lang) if sent.lang in parse.models else None
        for fig in find_figures(sent.text, sent.lang, local, parser):
            rows.append({**fig, "doc_id": doc.doc_id, "sent_id": sent.sent_id, "start": sent.start + fig["start"],
                         "end": sent.start + fig["end"], "lang": sent.lang})
    return rows


def parses_for(params: dict) -> Parses:
    return Parses(params["parsers"], int(params.get("batch_size") or 64))


def prepare_batch(docs: pd.DataFrame, inputs: dict, params: dict) -> Parses:
    """The paragraphs the quote rules parse, for the whole batch in one `nlp.pipe` per language."""
    parse = parses_for(params)
    sentences = dict(tuple(inputs["sentences"].groupby("doc_id", sort=False)))
    parse.prefetch([r for doc in docs.itertuples(index=False) if doc.doc_id in sentences
                    for r in parse_requests(doc.text, _records(sentences[doc.doc_id]), parse)])
    return parse


def extract_doc(doc, inputs: dict, parse: Parses | None = None, *, params: dict) -> tuple[list[dict], list[dict]]:
    """Figures and quotes of one document (module level, so worker processes and Ray actors can run it)."""
    sentences, entities = inputs["sentences"], inputs["entities"]
    parse = parses_for(params) if parse is None else parse
    figures = figures_rows(doc, sentences, entities, parse)
    quotes = find_quotes(doc.doc_id, doc.text, _records(sentences), _records(entities), parse)
    return figures, quotes


@stage("extract", requires=("documents", "sentences", "entities"), provides=("figures", "quotes"))
def extract_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Find troop/casualty figures and direct/reported quotes with their speakers."""
    params = ctx.section("extract")
    written = per_document(ctx, "extract", ("sentences", "entities"), partial(extract_doc, params=params), ("figures", "quotes"),
                           prepare=partial(prepare_batch, params=params))
    log.info("extract: %d figures, %d quotes", written["figures"], written["quotes"])
    return {}
