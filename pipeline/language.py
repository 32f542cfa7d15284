"""The `detect_language` stage: paragraphs with languages, sentences per language, and one parse per
English or French paragraph (see `pipeline.parsing`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import pandas as pd
import pyarrow.parquet as pq
from spacy.tokens import Doc

from .langid import LangDecision, detect_paragraphs, embedded_runs, paragraphs
from .models import SPACY_MAX_CHARS, parse_texts
from .parsing import encode_doc, encode_ents, glue_split, sentence_spans
from .sentences import sentence_id, split_sentences
from .stages import Context, per_document, stage
from .textnorm import script_of

log = logging.getLogger(__name__)


def sentence_lang(text: str, paragraph_lang: str) -> str:
    """A sentence in another script than its paragraph takes that script's language."""
    script = script_of(text)
    if paragraph_lang in ("ar", "fa") and script == "latin":
        return "en"
    if paragraph_lang not in ("ar", "fa", "und") and script == "arabic":
        return "ar"
    return paragraph_lang


@dataclass
class Analysis:
    """One document's paragraphs, their languages, and the parses of those a spaCy model reads."""

    spans: list[tuple[int, int]]
    decisions: list[LangDecision]
    parsed: dict[int, tuple[Doc, Sequence[int]]] = field(default_factory=dict)  # seg_id -> (parse, glue index)


def analyse(texts: list[str], params: dict) -> list[Analysis]:
    """Paragraphs and languages of many documents, then each language's paragraphs parsed in one pass."""
    langs = tuple(params["langs"])
    out = []
    for text in texts:
        spans = paragraphs(text)
        decisions = detect_paragraphs([text[s:e] for s, e in spans], langs, int(params["min_letters"]), float(params["min_score"]))
        out.append(Analysis(spans, decisions))
    for lang, model in params["spacy_models"].items():
        todo = [(a, seg_id, *glue_split(text[s:e])) for text, a in zip(texts, out)
                for seg_id, ((s, e), d) in enumerate(zip(a.spans, a.decisions)) if d.lang == lang and 0 < e - s <= SPACY_MAX_CHARS]
        if not todo:
            continue  # no paragraph in this language: its model is not even loaded
        docs = parse_texts(model, [t for _, _, t, _ in todo], int(params.get("batch_size") or 64))
        for (a, seg_id, _, index), doc in zip(todo, docs):
            a.parsed[seg_id] = (doc, index)
    return out


def language_rows(doc_id: str, text: str, params: dict, analysis: Analysis | None = None) -> tuple[list[dict], list[dict], list[dict]]:
    """Segments, sentences and parses rows for one document."""
    langs = tuple(params["langs"])
    a = analysis if analysis is not None else analyse([text], params)[0]
    segments, sentences, parses = [], [], []
    for seg_id, ((start, end), d) in enumerate(zip(a.spans, a.decisions)):
        seg_text = text[start:end]
        runs = embedded_runs(seg_text, start, d.lang, int(params["embedded_min_chars"]), langs)
        segments.append(
            {"doc_id": doc_id, "seg_id": seg_id, "start": start, "end": end, "text": seg_text, "lang": d.lang,
             "lang_score": round(d.score, 4), "embedded": ";".join(f"{a}-{b}:{lang}" for a, b, lang in runs) or None}
        )
        if seg_id in a.parsed:
            doc, index = a.parsed[seg_id]
            spans = sentence_spans(doc, index)
            parses.append({"doc_id": doc_id, "seg_id": seg_id, "lang": d.lang, "model": params["spacy_models"][d.lang],
                           "ents": encode_ents(doc, index, start), "parse": encode_doc(doc)})
        else:
            spans = split_sentences(seg_text, d.lang, params["spacy_models"])
        for s, e in spans:
            s0, e0 = start + s, start + e
            sent_text = text[s0:e0]
            sentences.append(
                {"doc_id": doc_id, "seg_id": seg_id, "sent_id": sentence_id(doc_id, s0, e0), "start": s0, "end": e0,
                 "text": sent_text, "lang": sentence_lang(sent_text, d.lang)}
            )
    return segments, sentences, parses


def prepare_batch(docs: pd.DataFrame, inputs: dict, params: dict) -> dict[str, Analysis]:
    """Languages and parses for a whole batch of documents (each model sees the batch's paragraphs in one pass)."""
    return dict(zip(docs["doc_id"], analyse(list(docs["text"]), params)))


def language_doc(doc, inputs: dict, batch: dict[str, Analysis] | None = None, *, params: dict) -> tuple[list[dict], ...]:
    """The per-document entry point (module level, so worker processes and Ray actors can run it)."""
    return language_rows(doc.doc_id, doc.text, params, batch.get(doc.doc_id) if batch else None)


@stage("detect_language", requires=("documents",), provides=("segments", "sentences", "parses"))
def detect_language_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Split documents into paragraphs with languages, paragraphs into sentences, and parse English and French ones."""
    params = ctx.section("detect_language")
    written = per_document(ctx, "detect_language", (), partial(language_doc, params=params), ("segments", "sentences", "parses"),
                           prepare=partial(prepare_batch, params=params))
    langs = pq.read_table(ctx.out_dir / "segments.parquet", columns=["lang"])["lang"].value_counts().to_pylist()
    log.info("detect_language: %d paragraphs %s, %d sentences, %d paragraphs parsed", written["segments"],
             {v["values"]: v["counts"] for v in langs}, written["sentences"], written["parses"])
    return {}
