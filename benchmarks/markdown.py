"""BENCHMARKS.md from reports/benchmarks.json (so no figure is ever typed by hand).

Usage: python -m benchmarks.markdown [--notes FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.constants import ROOT


def _row(name: str, run: dict) -> str:
    stages = run.get("stages", {})
    per_stage = ", ".join(f"{s} {v['docs_per_s']}" for s, v in stages.items() if isinstance(v, dict) and v.get("docs_per_s"))
    return (f"| {name} | {run['seconds']} | {run.get('docs_per_s', '')} | {run.get('words_per_s', '')} | "
            f"{run['peak_rss_mb']} | {run.get('problems', '')} | {per_stage} |")


def render(report: dict, notes: str = "") -> str:
    m = report["machine"]
    small, large = report["sizes"]["small"], report["sizes"]["large"]
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (`python -m benchmarks.run`), all figures from one run, written to",
        "`reports/benchmarks.json`. This file is generated from it by `python -m benchmarks.markdown`.",
        "",
        "## Machine",
        "",
        f"{m['platform']}, Python {m['python']}, {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB RAM. "
        f"Load average when the run started: {', '.join(map(str, m['load_average_at_start']))}.",
        "",
        "## Summary",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| `e2e_over_raw` (end-to-end docs/s over the raw models' docs/s, 1 worker, N={small}) | {report['e2e_over_raw']} | ≥ 0.7 |",
        f"| `e2e_over_raw_large` (the same, N={large}) | {report.get('e2e_over_raw_large')} | |",
        f"| `speedup_2_workers` (N={small}) | {report['speedup_2_workers']} | ≥ 1.7 |",
        f"| `speedup_2_workers_large` (N={large}) | {report.get('speedup_2_workers_large')} | |",
        f"| `speedup_ray` (2 actors, N={small}) | {report.get('speedup_ray')} | |",
        f"| `rss_10k_over_1k` | {'not measured' if report['rss_10k_over_1k'] is None else report['rss_10k_over_1k']} | ≤ 1.2 |",
        f"| `rss_large_over_small` (N={large} over N={small}) | {report['rss_large_over_small']} | |",
        f"| `incremental_1pct_over_full` (N={large}) | {report['incremental_1pct_over_full']} | ≤ 0.05 |",
        f"| `noop_rerun_seconds` (N={large}) | {report['noop_rerun_seconds']} | < 10 |",
        "",
        "## Runs",
        "",
        "Seconds are wall-clock time of `python -m pipeline run`, process start and model loading included.",
        "Peak RSS is that of the whole process tree (worker processes and Ray processes included).",
        "",
        "| run | seconds | docs/s | words/s | peak RSS (MB) | dropped docs | docs/s per stage |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_row(name, run) for name, run in report["runs"].items()]
    raw = report["raw_models"]
    lines += ["", "## Raw models", "",
              "Each language's spaCy pipeline alone, `nlp.pipe(batch_size=64)` over that language's sentences of the "
              f"N={small} run, in the benchmark process: {raw['docs_per_s']} docs/s over all languages.", "",
              "| language | model | sentences | seconds | sentences/s |", "|---|---|---|---|---|"]
    lines += [f"| {lang} | {v['model']} | {v['sentences']} | {v['seconds']} | {v['sentences_per_s']} |"
              for lang, v in raw.items() if isinstance(v, dict)]
    if notes:
        lines += ["", "## Notes", "", notes.strip()]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.markdown")
    ap.add_argument("--report", type=Path, default=ROOT / "reports" / "benchmarks.json")
    ap.add_argument("--notes", type=Path, help="a Markdown file appended as the Notes section")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = ap.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    notes = args.notes.read_text(encoding="utf-8") if args.notes else ""
    args.out.write_text(render(report, notes), encoding="utf-8")


if __name__ == "__main__":
    main()
