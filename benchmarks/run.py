"""Throughput of the per-document stages on the sample corpus, repeated to a target size.

Usage: python -m benchmarks.run [--docs N]   (writes reports/benchmarks.json)
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import pandas as pd

from pipeline.cli import load_params
from pipeline.constants import DEFAULT_PARAMS, ROOT
from pipeline.extract import figures_rows
from pipeline.ingest import ingest
from pipeline.language import language_rows
from pipeline.ner.stage import entity_rows
from pipeline.quotes import find_quotes


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200, help="documents to process (the sample corpus repeated)")
    args = ap.parse_args()
    params = load_params(DEFAULT_PARAMS)
    documents, _ = ingest(ROOT / "data" / "raw", params["ingest"])
    ok = documents[documents["status"] == "ok"]
    docs = pd.concat([ok] * (args.docs // len(ok) + 1)).head(args.docs)
    lang_params, ner_params = params["detect_language"], params["ner"]
    language_rows("warm", ok["text"].iloc[0], lang_params)
    results, seconds = timed(lambda: [language_rows(d.doc_id, d.text, lang_params) for d in docs.itertuples()])
    n_par = sum(len(seg) for seg, _ in results)
    n_sent = sum(len(s) for _, s in results)
    report = {"machine": {"cpu": platform.processor() or platform.machine(), "python": platform.python_version()},
              "documents": len(docs), "detect_language": {"paragraphs_per_s": round(n_par / seconds, 1), "seconds": round(seconds, 2)}}
    sentences = [pd.DataFrame(s) for _, s in results]
    entity_rows(docs.iloc[0], sentences[0], ner_params)  # load the models before timing
    ents, seconds = timed(lambda: [entity_rows(d, s, ner_params) for d, s in zip(docs.itertuples(), sentences)])
    per_lang: dict[str, int] = {}
    for s in sentences:
        for lang, n in s["lang"].value_counts().items():
            per_lang[lang] = per_lang.get(lang, 0) + int(n)
    report["ner"] = {"sentences_per_s": round(n_sent / seconds, 1), "seconds": round(seconds, 2), "sentences_by_lang": per_lang}
    for lang in sorted(per_lang):
        subset = [s[s["lang"] == lang] for s in sentences]
        _, sec = timed(lambda subset=subset: [entity_rows(d, s, ner_params) for d, s in zip(docs.itertuples(), subset)])
        report["ner"][f"{lang}_sentences_per_s"] = round(per_lang[lang] / sec, 1)
    entities = [pd.DataFrame(e, columns=["doc_id", "sent_id", "start", "end", "text", "label", "entity_id", "canonical_name"]) for e in ents]
    parsers = params["extract"]["parsers"]
    _, seconds = timed(lambda: [figures_rows(d, s, e, parsers) for d, s, e in zip(docs.itertuples(), sentences, entities)])
    report["figures"] = {"sentences_per_s": round(n_sent / seconds, 1), "seconds": round(seconds, 2)}
    _, seconds = timed(lambda: [find_quotes(d.doc_id, d.text, s.to_dict("records"), e.to_dict("records")) for d, s, e in zip(docs.itertuples(), sentences, entities)])
    report["quotes"] = {"documents_per_s": round(len(docs) / seconds, 1), "seconds": round(seconds, 2)}
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "benchmarks.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
