"""The `extract` stage: troop and casualty figures, and quotes, per document."""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from functools import partial

import pandas as pd
from spacy.tokens import Doc

from .figures import find_figures
from .models import Parses, load_spacy
from .parsing import decode_doc, glue_split
from .quotes import find_quotes
from .quotes.core import paragraphs, parse_requests
from .stages import Context, per_document, stage

log = logging.getLogger(__name__)


def records(df: pd.DataFrame) -> list[dict]:
    """Row dicts (a column at a time: much cheaper than `to_dict("records")` on many small frames)."""
    cols = list(df.columns)
    return [dict(zip(cols, row)) for row in zip(*(df[c].tolist() for c in cols))] if len(df) else []


def sentence_parse(parse: Parses, lang: str, text: str, para: tuple[int, int], sent_start: int, sent_end: int) -> Doc:
    """A sentence's parse cut from its paragraph's (the parse the quote rules read), so one pass serves
    both; the sentence is parsed alone when its paragraph has no parse yet or the cut does not match it."""
    sent_text = text[sent_start:sent_end]
    glued, index = glue_split(text[para[0] : para[1]])
    whole = parse.get(lang, glued)
    if whole is not None:
        # a start where a space was inserted maps twice: the word's own offset is the later one
        span = whole.char_span(bisect_right(index, sent_start - para[0]) - 1, bisect_left(index, sent_end - para[0]))
        if span is not None and span.text == sent_text:
            return span.as_doc()
    return parse(lang, sent_text)


def figures_rows(doc, sentences: list[dict], entities: list[dict], parse: Parses) -> list[dict]:
    """Figures of one document, with sentence-relative results shifted to document offsets."""
    rows = []
    ents = sorted(entities, key=lambda e: e["start"])
    starts = [e["start"] for e in ents]
    paras = {p.seg_id: (p.start, p.end) for p in paragraphs(sentences)}  # the spans the quote rules parse
    for sent in sentences:
        start, end, lang = sent["start"], sent["end"], sent["lang"]
        local = [
            {**e, "start": e["start"] - start, "end": e["end"] - start}
            for e in ents[bisect_left(starts, start) : bisect_left(starts, end)]
            if e["end"] <= end
        ]
        para = paras[int(sent["seg_id"])]
        parser = (lambda _, a=start, b=end, p=para, lang=lang: sentence_parse(parse, lang, doc.text, p, a, b)) if lang in parse.models else None
        for fig in find_figures(sent["text"], lang, local, parser):
            rows.append({**fig, "doc_id": doc.doc_id, "sent_id": sent["sent_id"], "start": start + fig["start"],
                         "end": start + fig["end"], "lang": lang})
    return rows


def parses_for(params: dict) -> Parses:
    return Parses(params["parsers"], int(params.get("batch_size") or 64))


def add_stored(parse: Parses, parses: pd.DataFrame) -> None:
    """The parses `detect_language` made with the same model as this stage's parser for that language."""
    for row in parses.itertuples(index=False):
        if parse.models.get(row.lang) == row.model:
            parse.add(row.lang, decode_doc(row.parse, load_spacy(row.model, "parse").vocab))


def prepare_batch(docs: pd.DataFrame, inputs: dict, params: dict) -> Parses:
    """The paragraphs the quote and figure rules read: parsed by `detect_language`, else parsed here for
    the whole batch in one pass per language."""
    parse = parses_for(params)
    add_stored(parse, inputs["parses"])
    sentences = dict(tuple(inputs["sentences"].groupby("doc_id", sort=False)))
    parse.prefetch([r for doc in docs.itertuples(index=False) if doc.doc_id in sentences
                    for r in parse_requests(doc.text, records(sentences[doc.doc_id]), parse)])
    return parse


def extract_doc(doc, inputs: dict, parse: Parses | None = None, *, params: dict) -> tuple[list[dict], list[dict]]:
    """Figures and quotes of one document (module level, so worker processes and Ray actors can run it)."""
    sentences, entities = records(inputs["sentences"]), records(inputs["entities"])
    if parse is None:
        parse = parses_for(params)
        add_stored(parse, inputs["parses"])
    figures = figures_rows(doc, sentences, entities, parse)
    quotes = find_quotes(doc.doc_id, doc.text, sentences, entities, parse)
    return figures, quotes


@stage("extract", requires=("documents", "sentences", "entities", "parses"), provides=("figures", "quotes"))
def extract_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Find troop/casualty figures and direct/reported quotes with their speakers."""
    params = ctx.section("extract")
    written = per_document(ctx, "extract", ("sentences", "entities", "parses"), partial(extract_doc, params=params),
                           ("figures", "quotes"), prepare=partial(prepare_batch, params=params))
    log.info("extract: %d figures, %d quotes", written["figures"], written["quotes"])
    return {}
