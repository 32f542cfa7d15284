"""The `detect_language` stage: paragraphs with languages, and sentences per language."""

from __future__ import annotations

import logging
from functools import partial

import pandas as pd
import pyarrow.parquet as pq

from .langid import detect_paragraphs, embedded_runs, paragraphs
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


def language_rows(doc_id: str, text: str, params: dict) -> tuple[list[dict], list[dict]]:
    """Segments and sentences rows for one document."""
    langs = tuple(params["langs"])
    spans = paragraphs(text)
    decisions = detect_paragraphs([text[s:e] for s, e in spans], langs, int(params["min_letters"]), float(params["min_score"]))
    segments, sentences = [], []
    for seg_id, ((start, end), d) in enumerate(zip(spans, decisions)):
        seg_text = text[start:end]
        runs = embedded_runs(seg_text, start, d.lang, int(params["embedded_min_chars"]), langs)
        segments.append(
            {"doc_id": doc_id, "seg_id": seg_id, "start": start, "end": end, "text": seg_text, "lang": d.lang,
             "lang_score": round(d.score, 4), "embedded": ";".join(f"{a}-{b}:{lang}" for a, b, lang in runs) or None}
        )
        for s, e in split_sentences(seg_text, d.lang, params["spacy_models"]):
            s0, e0 = start + s, start + e
            sent_text = text[s0:e0]
            sentences.append(
                {"doc_id": doc_id, "seg_id": seg_id, "sent_id": sentence_id(doc_id, s0, e0), "start": s0, "end": e0,
                 "text": sent_text, "lang": sentence_lang(sent_text, d.lang)}
            )
    return segments, sentences


def language_doc(doc, inputs: dict, params: dict) -> tuple[list[dict], list[dict]]:
    """The per-document entry point (module level, so worker processes and Ray actors can run it)."""
    return language_rows(doc.doc_id, doc.text, params)


@stage("detect_language", requires=("documents",), provides=("segments", "sentences"))
def detect_language_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Split documents into paragraphs with languages, and paragraphs into sentences."""
    params = ctx.section("detect_language")
    written = per_document(ctx, "detect_language", (), partial(language_doc, params=params), ("segments", "sentences"))
    langs = pq.read_table(ctx.out_dir / "segments.parquet", columns=["lang"])["lang"].value_counts().to_pylist()
    log.info("detect_language: %d paragraphs %s, %d sentences", written["segments"],
             {v["values"]: v["counts"] for v in langs}, written["sentences"])
    return {}
