"""Everything the report stage writes: reports/index.html, reports/plots/*.csv and the DuckDB file."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from pathlib import Path
from string import Template

from ..schema import OUTPUT_TABLES
from ..stages import Context
from ..tables import atomic_write_bytes
from . import charts, render
from .data import ReportData, dated_figures, document_languages, text
from .database import write_duckdb
from .plots import write_plots

log = logging.getLogger(__name__)

ASSETS = Path(__file__).parent
TITLE_CHARS = 90  # untitled documents are named by the start of their first paragraph


def load_data(ctx: Context) -> ReportData:
    """The tables the report shows, and every table's row count."""
    frames = {name: ctx.table(name) for name in OUTPUT_TABLES}
    shown = ("documents", "segments", "entities", "entity_index", "figures", "quotes", "problems")
    return ReportData(**{name: frames[name] for name in shown}, row_counts={name: len(df) for name, df in frames.items()})


def load_metrics(path: Path) -> dict | None:
    """The evaluate stage's scores, or None when it has not run."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def document_titles(data: ReportData) -> dict[str, str]:
    """A title per processed document: its own, else the start of its first paragraph."""
    first = data.segments.sort_values(["doc_id", "seg_id"]).drop_duplicates("doc_id").set_index("doc_id")["text"]
    titles = {}
    for doc in data.ok_documents.itertuples():
        title = text(doc.title) or text(first.get(doc.doc_id))
        titles[doc.doc_id] = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
    return titles


def script_hash(js: str) -> str:
    """The CSP source that allows exactly this inline script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")


def render_report(data: ReportData, metrics: dict | None) -> str:
    """The whole report as one self-contained HTML page."""
    doc_langs = document_languages(data.segments)
    titles = document_titles(data)
    dated = dated_figures(data)
    sections = [
        render.summary_section(data, doc_langs),
        render.quality_section(metrics, charts.f1_chart(metrics) if metrics else None),
        render.entities_section(data.entity_index),
        render.figures_section(data, len(dated), charts.time_chart(dated), charts.actor_chart(data.figures)),
        render.quotes_section(data, titles),
        render.documents_section(data, doc_langs, titles),
    ]
    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    js = (ASSETS / "report.js").read_text(encoding="utf-8")
    page = Template((ASSETS / "template.html").read_text(encoding="utf-8"))
    return page.substitute(css=css, js=js, script_hash=script_hash(js), sections="\n".join(sections))


def build(ctx: Context) -> dict[str, Path]:
    """Write the report, the plot data and the DuckDB file; return what was written."""
    data = load_data(ctx)
    metrics = load_metrics(ctx.reports_dir / "metrics.json")
    html_path = ctx.reports_dir / "index.html"
    payload = render_report(data, metrics).encode("utf-8")
    atomic_write_bytes(html_path, lambda tmp: Path(tmp).write_bytes(payload))
    plots = write_plots(ctx.reports_dir / "plots", metrics, dated_figures(data))
    db_path = ctx.out_dir / "extract.duckdb"
    views = write_duckdb(ctx.out_dir, db_path)
    log.info("report: wrote %s (%d kB), %d plot files, %s with %d views", html_path, len(payload) // 1024, len(plots), db_path, len(views))
    return {"html": html_path, "duckdb": db_path, **{p.stem: p for p in plots}}
