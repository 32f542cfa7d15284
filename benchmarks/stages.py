"""Per-stage throughput on the sample corpus, with models already loaded (run by hand).

Usage: python -m benchmarks.stages [--repeat N]   → reports/stage_throughput.json
Reports detect_language paragraphs/s, ner sentences/s per language, extract sentences/s and
quotes documents/s, each over the sample corpus repeated N times.
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd

from pipeline.cli import load_params
from pipeline.constants import DEFAULT_PARAMS, ROOT
from pipeline.extract import add_stored, figures_rows, parses_for, records
from pipeline.ingest import ingest
from pipeline.language import language_rows
from pipeline.ner.stage import entity_rows
from pipeline.quotes import find_quotes
from pipeline.schema import TABLES


def rate(count: int, fn) -> float:
    t0 = time.perf_counter()
    fn()
    return round(count / (time.perf_counter() - t0), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="passes over the sample corpus")
    args = ap.parse_args()
    params = load_params(DEFAULT_PARAMS)
    documents, _ = ingest(ROOT / "data" / "raw", params["ingest"])
    docs = list(documents[documents["status"] == "ok"].itertuples(index=False)) * args.repeat
    lang = params["detect_language"]
    for d in docs[:3]:
        language_rows(d.doc_id, d.text, lang)  # load the parsers
    t0 = time.perf_counter()
    rows = [language_rows(d.doc_id, d.text, lang) for d in docs]  # the one spaCy pass per English/French paragraph
    n_par = sum(len(seg) for seg, _, _ in rows)
    paragraphs_per_s = round(n_par / (time.perf_counter() - t0), 1)
    sentences = [pd.DataFrame(s, columns=TABLES["sentences"].names) for _, s, _ in rows]
    parses = [pd.DataFrame(p, columns=TABLES["parses"].names) for _, _, p in rows]
    ner = params["ner"]
    report = {"documents": len(docs), "detect_language": {"paragraphs": n_par, "paragraphs_per_s": paragraphs_per_s}, "ner": {}}
    for code in sorted({lg for s in sentences for lg in s["lang"]}):
        subset = [s[s["lang"] == code] for s in sentences]
        entity_rows(docs[0], subset[0], ner, parses=parses[0])  # load this language's models
        n = sum(len(s) for s in subset)
        report["ner"][code] = {"sentences": n, "sentences_per_s": rate(
            n, lambda subset=subset: [entity_rows(d, s, ner, parses=p) for d, s, p in zip(docs, subset, parses)])}
    entities = [pd.DataFrame(entity_rows(d, s, ner, parses=p), columns=TABLES["entities"].names) for d, s, p in zip(docs, sentences, parses)]
    parse = parses_for(params["extract"])
    for p in parses:
        add_stored(parse, p)
    sents, ents = [records(s) for s in sentences], [records(e) for e in entities]
    n_sent = sum(len(s) for s in sentences)
    report["figures"] = {"sentences_per_s": rate(n_sent, lambda: [figures_rows(d, s, e, parse) for d, s, e in zip(docs, sents, ents)])}
    report["quotes"] = {"documents_per_s": rate(len(docs), lambda: [find_quotes(d.doc_id, d.text, s, e, parse) for d, s, e in zip(docs, sents, ents)])}
    (ROOT / "reports" / "stage_throughput.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
