"""Throughput, memory and incremental timings of `python -m pipeline run` on a synthetic corpus.

Usage: python -m benchmarks.run [--sizes 1000 10000] [--configs w1 w2 ray] [--work DIR] [--no-large-w2]
Writes reports/benchmarks.json (figures below) and prints a summary; BENCHMARKS.md holds the table.

Each configuration runs the pipeline in a fresh process (cache off, so all work is done), with the
peak RSS of its whole process tree (workers and Ray processes included) sampled every 0.1 s.
The raw models' throughput is measured in this process on the sentences of the same run: each
language's spaCy pipeline alone, `nlp.pipe` over its sentences.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil
import yaml

from benchmarks.corpus import generate
from pipeline.cli import load_params
from pipeline.constants import DEFAULT_PARAMS, ROOT
from pipeline.tables import read_table

STAGE_DONE = re.compile(r"stage (\w+): done in ([\d.]+)s")
CONFIGS = {"w1": {"workers": 1, "executor": "local"}, "w2": {"workers": 2, "executor": "local"},
           "ray": {"workers": 1, "executor": "ray", "ray_concurrency": 2}}


def write_params(path: Path, **runtime) -> Path:
    params = load_params(DEFAULT_PARAMS)
    params = copy.deepcopy(params)
    params["runtime"].update(runtime)
    params["logging"] = {"level": "INFO"}
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return path


def run_pipeline(params: Path, input_dir: Path, out_dir: Path, cache_dir: Path, name: str | None = None) -> dict:
    """One `python -m pipeline run`: wall seconds, seconds per stage, peak RSS of the process tree."""
    cmd = [sys.executable, "-m", "pipeline", "--params", str(params), "run", "--input", str(input_dir),
           "--out", str(out_dir), "--cache", str(cache_dir)]
    log_path = out_dir.parent / f"{name or out_dir.name}.log"
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "RAY_ADDRESS": ""})
        ps, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None:
            try:
                rss = sum(p.memory_info().rss for p in [ps, *ps.children(recursive=True)])
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.1)
    seconds = time.perf_counter() - t0
    text = log_path.read_text()
    if proc.returncode != 0:
        raise RuntimeError(f"pipeline failed ({proc.returncode}): {text[-2000:]}")
    stages = {m.group(1): float(m.group(2)) for m in STAGE_DONE.finditer(text)}
    reused = dict(re.findall(r"(\w+): (\d+) documents reused", text))
    problems = read_table(out_dir, "problems") if (out_dir / "problems.parquet").exists() else None
    return {"seconds": round(seconds, 2), "stages": stages, "peak_rss_mb": round(peak / 2**20, 1),
            "reused": {k: int(v) for k, v in reused.items()},
            "problems": 0 if problems is None else len(problems)}  # documents a stage dropped (should be 0)


def corpus_size(out_dir: Path) -> tuple[int, int]:
    docs = read_table(out_dir, "documents")
    ok = docs[docs["status"] == "ok"]
    return len(ok), int(sum(len(t.split()) for t in ok["text"]))


def rates(result: dict, docs: int, words: int) -> dict:
    out = {"docs_per_s": round(docs / result["seconds"], 3), "words_per_s": round(words / result["seconds"], 1)}
    out["stages"] = {s: {"seconds": sec, "docs_per_s": round(docs / sec, 3) if sec else None,
                         "words_per_s": round(words / sec, 1) if sec else None} for s, sec in result["stages"].items()}
    return {**result, **out}


def raw_models(out_dir: Path, params: dict) -> dict:
    """Each language's spaCy pipeline alone, nlp.pipe over that language's sentences of the run."""
    import spacy

    from pipeline.models import resolve

    sentences = read_table(out_dir, "sentences")
    models = {"en": params["ner"]["backends"]["en"][0]["model"], "fr": params["ner"]["backends"]["fr"][0]["model"],
              "ar": params["ner"]["backends"]["ar"][0]["model"]}
    out, total = {}, 0.0
    for lang, name in models.items():
        texts = list(sentences.loc[sentences["lang"] == lang, "text"])
        nlp = spacy.load(resolve(name))
        list(nlp.pipe(texts[:20]))  # warm up
        t0 = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=64):
            pass
        sec = time.perf_counter() - t0
        total += sec
        out[lang] = {"model": name, "sentences": len(texts), "seconds": round(sec, 2),
                     "sentences_per_s": round(len(texts) / sec, 1) if sec else None}
    out["seconds_all_languages"] = round(total, 2)
    return out


def machine() -> dict:
    return {"platform": platform.platform(), "python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs=2, default=[1000, 10000], metavar=("SMALL", "LARGE"))
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--work", type=Path, default=Path("/tmp/pipeline-bench"))
    ap.add_argument("--no-large-w2", dest="large_w2", action="store_false", help="skip the 2-worker run at the large size")
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmarks.json")
    args = ap.parse_args(argv)
    small, large = args.sizes
    work = args.work
    params = load_params(DEFAULT_PARAMS)
    report: dict = {"machine": machine(), "sizes": {"small": small, "large": large}, "runs": {}}
    t_start = time.perf_counter()

    corpus = work / "corpus"
    inputs = {}
    for n in (small, large):
        inputs[n] = corpus / str(n)
        if not inputs[n].is_dir():
            generate(inputs[n], n)
    no_cache = {name: write_params(work / f"{name}.yaml", cache=False, **cfg) for name, cfg in CONFIGS.items()}

    # throughput and memory: every configuration at the small size, one worker at the large size
    for name in args.configs:
        res = run_pipeline(no_cache[name], inputs[small], work / "runs" / f"{name}-{small}", work / "unused-cache")
        docs, words = corpus_size(work / "runs" / f"{name}-{small}")
        report["runs"][f"{name}-{small}"] = rates(res, docs, words)
        print(name, small, report["runs"][f"{name}-{small}"]["docs_per_s"], "docs/s", flush=True)
    report["raw_models"] = raw_models(work / "runs" / f"w1-{small}", params)
    docs_small, words_small = corpus_size(work / "runs" / f"w1-{small}")
    raw_docs_per_s = docs_small / report["raw_models"]["seconds_all_languages"]
    report["raw_models"]["docs_per_s"] = round(raw_docs_per_s, 3)

    # the large size, with the cache on: the full run, a no-change re-run, and 1% new documents
    cached = write_params(work / "cached.yaml", cache=True, workers=1, executor="local")
    cache_dir = work / "cache"
    full = run_pipeline(cached, inputs[large], work / "runs" / f"full-{large}", cache_dir)
    docs_large, words_large = corpus_size(work / "runs" / f"full-{large}")
    report["runs"][f"w1-{large}"] = rates(full, docs_large, words_large)
    # the scheduled use: the same command into the same output folder, the next day
    noop = run_pipeline(cached, inputs[large], work / "runs" / f"full-{large}", cache_dir, "noop")
    generate(inputs[large], max(1, large // 100), start=large)
    plus = run_pipeline(cached, inputs[large], work / "runs" / f"full-{large}", cache_dir, "plus1pct")
    report["runs"]["noop_rerun"] = noop
    report["runs"]["plus_1pct_rerun"] = plus
    if "w2" in args.configs and args.large_w2:  # 2 workers at the large size too, where start-up weighs less
        # like the 1-worker full run it is compared with: cache on, starting empty
        cached_w2 = write_params(work / "cached-w2.yaml", cache=True, workers=2, executor="local")
        res = run_pipeline(cached_w2, inputs[large], work / "runs" / f"w2-{large}", work / "cache-w2")
        report["runs"][f"w2-{large}"] = rates(res, *corpus_size(work / "runs" / f"w2-{large}"))

    w1 = report["runs"][f"w1-{small}"]
    report.update({
        "e2e_over_raw": round(w1["docs_per_s"] / raw_docs_per_s, 3),
        # the same ratio at the large size (1 worker, cache on but empty), where start-up weighs less
        "e2e_over_raw_large": round(report["runs"][f"w1-{large}"]["docs_per_s"] / raw_docs_per_s, 3),
        "speedup_2_workers": round(report["runs"][f"w2-{small}"]["docs_per_s"] / w1["docs_per_s"], 3) if f"w2-{small}" in report["runs"] else None,
        "speedup_2_workers_large": round(report["runs"][f"w2-{large}"]["docs_per_s"] / report["runs"][f"w1-{large}"]["docs_per_s"], 3)
        if f"w2-{large}" in report["runs"] else None,
        "speedup_ray": round(report["runs"][f"ray-{small}"]["docs_per_s"] / w1["docs_per_s"], 3) if f"ray-{small}" in report["runs"] else None,
        "rss_large_over_small": round(full["peak_rss_mb"] / w1["peak_rss_mb"], 3),
        "rss_10k_over_1k": round(full["peak_rss_mb"] / w1["peak_rss_mb"], 3) if (small, large) == (1000, 10000) else None,
        "incremental_1pct_over_full": round(plus["seconds"] / full["seconds"], 4),
        "noop_rerun_seconds": noop["seconds"],
        "total_benchmark_seconds": round(time.perf_counter() - t_start, 1),
    })
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k not in ("runs", "machine")}, indent=2))


if __name__ == "__main__":
    main()
