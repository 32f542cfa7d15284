"""HTML for the report's sections. Every value from the data goes through `esc`: the inputs are untrusted."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..constants import ENTITY_LABELS, STATUS_OK
from ..textnorm import script_of
from .data import CHARTED_CATEGORIES, ReportData, speaker_names, text

RTL_LANGS = ("ar", "fa")
TOP_ENTITIES = 30
TOP_FIGURES = 20
KIND_ORDER = {"quote": 0, "fig": 1, "ent": 2}  # outermost first when spans start together
REASON_CHARS = 160  # longer reasons (tracebacks) are cut in the table, whole in the tooltip


def esc(value: object) -> str:
    """Escaped text of a cell (missing values become '')."""
    return html.escape(text(value))


def number(value: object) -> str:
    """A figure's value for reading: thousands separated, no '.0'."""
    if text(value) == "":
        return ""
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"


def direction(lang: object) -> str:
    """The dir attribute of a paragraph in language `lang`."""
    lang = text(lang)
    return "rtl" if lang in RTL_LANGS else "ltr" if lang and lang != "und" else "auto"


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "") -> str:
    """A table from escaped header names and ready HTML cells."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def clipped(value: object) -> str:
    """Long text cut to REASON_CHARS, with the whole of it as a tooltip."""
    full = text(value)
    if len(full) <= REASON_CHARS:
        return esc(full)
    return f'<span title="{esc(full)}">{esc(full[: REASON_CHARS - 1])}…</span>'


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{title}</h2>{body}</section>'


def chart(svg: str | None, caption: str) -> str:
    """A figure with an inline SVG chart (from matplotlib, which escapes its text), or a note when empty."""
    if svg is None:
        return f'<p class="note">{caption}: no data.</p>'
    return f'<figure class="chart">{svg}<figcaption>{caption}</figcaption></figure>'


def doc_anchor(doc_id: object) -> str:
    return esc(f"doc-{text(doc_id)}")


def doc_link(doc_id: object) -> str:
    return f'<a href="#{doc_anchor(doc_id)}">{esc(doc_id)}</a>'


# --- run summary ---------------------------------------------------------------------------------


def summary_section(data: ReportData, doc_langs: dict[str, str]) -> str:
    """Documents by status and language, what was skipped and why, and the size of every table."""
    docs = data.documents
    by_status = docs["status"].value_counts()
    ok = data.ok_documents
    langs = ok["doc_id"].map(lambda d: doc_langs.get(d, "und")).value_counts()
    parts = [
        f'<p class="lead">{len(docs)} inputs read; {len(ok)} documents processed.</p>',
        '<div class="cols">',
        "<div><h3>By status</h3>" + table(["status", "documents"], ([esc(s), str(n)] for s, n in by_status.items())) + "</div>",
        "<div><h3>By language</h3>" + table(["language", "documents"], ([esc(s), str(n)] for s, n in langs.items())) + "</div>",
        "<div><h3>Rows per table</h3>" + table(["table", "rows"], ([esc(t), str(n)] for t, n in data.row_counts.items())) + "</div>",
        "</div>",
    ]
    skipped = docs[docs["status"] != STATUS_OK]
    parts.append("<h3>Skipped</h3>")
    parts.append(
        table(["doc_id", "input", "status", "reason"], ([esc(r.doc_id), esc(r.source_path), esc(r.status), clipped(r.reason)] for r in skipped.itertuples()))
        if len(skipped) else '<p class="note">Nothing was skipped.</p>'
    )
    if len(data.problems):
        parts.append("<h3>Dropped by a stage</h3>" + table(
            ["document", "stage", "problem", "reason"],
            ([doc_link(r.doc_id), esc(r.stage), esc(r.kind), clipped(r.reason)] for r in data.problems.itertuples())))
    dup = ok[ok["duplicate_of"].notna()]
    truncated = ok[ok["truncated"]]
    if len(dup) or len(truncated):
        rows = [[doc_link(r.doc_id), f"near-duplicate of {doc_link(r.duplicate_of)}"] for r in dup.itertuples()]
        rows += [[doc_link(r.doc_id), "text truncated at ingest.max_chars"] for r in truncated.itertuples()]
        parts.append("<h3>Processed with a note</h3>" + table(["document", "note"], rows))
    return section("summary", "Run summary", "".join(parts))


# --- quality ---------------------------------------------------------------------------------------


def quality_section(metrics: dict | None, f1_svg: str | None) -> str:
    """P/R/F1 against the gold set, overall and F1 per language group."""
    if not metrics:
        return section("quality", "Quality", '<p class="note">No reports/metrics.json: run the evaluate stage to score against data/gold.</p>')
    groups = [g for g, v in metrics.items() if isinstance(v, dict) and g != "all"]
    overall = metrics.get("all", {})
    rows = []
    for name, s in overall.items():
        if isinstance(s, dict) and "f1" in s:
            per_group = [f"{metrics[g][name]['f1']:.2f}" if name in metrics[g] else "" for g in groups]
            rows.append([esc(name.replace("_", " ")), f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"<b>{s['f1']:.2f}</b>", *per_group])
    headers = ["table", "precision", "recall", "F1", *(f"F1 {esc(g)}" for g in groups)]
    exact = overall.get("languages_exact", {})
    note = (f'<p>{esc(metrics.get("documents_scored", ""))} gold documents scored. '
            f'Languages exactly right in {exact.get("accuracy", 0):.0%} of them.</p>') if exact else ""
    return section("quality", "Quality", note + table(headers, rows, "num") + chart(f1_svg, "F1 per table and language group"))


# --- entities --------------------------------------------------------------------------------------


def items(value: object) -> list[str]:
    """The items of a `;`-separated cell."""
    return [v for v in text(value).split(";") if v]


def aliases_html(aliases: object) -> str:
    """Aliases as chips, Latin script first, Arabic-script ones marked so they can be told apart."""
    chips = []
    for alias in sorted(set(items(aliases)), key=lambda a: (script_of(a) != "latin", a)):
        cls = "alias ar" if script_of(alias) == "arabic" else "alias"
        chips.append(f'<span class="{cls}" dir="auto">{esc(alias)}</span>')
    return " ".join(chips)


def entities_section(entity_index: pd.DataFrame) -> str:
    """The most mentioned people, organisations and places, with their languages and aliases across scripts."""
    index = entity_index[entity_index["label"].isin(ENTITY_LABELS)].sort_values(["mentions", "canonical_name"], ascending=[False, True], kind="stable")
    multilingual = index["languages"].map(lambda v: len(items(v)) > 1)
    rows = [
        [f'<span dir="auto">{esc(r.canonical_name)}</span><br><small>{esc(r.entity_id)}{" · " + esc(r.qid) if text(r.qid) else ""}</small>',
         esc(r.label), str(r.mentions), str(len(items(r.documents))),
         esc(r.languages) + (' <span class="badge">cross-language</span>' if len(items(r.languages)) > 1 else ""), aliases_html(r.aliases)]
        for r in index.head(TOP_ENTITIES).itertuples()
    ]
    intro = (f"<p>{len(index)} people, organisations and places; {int(multilingual.sum())} are mentioned in more than one language. "
             f"The {min(TOP_ENTITIES, len(index))} most mentioned:</p>")
    return section("entities", "Top entities", intro + table(["entity", "label", "mentions", "documents", "languages", "aliases"], rows, "entities"))


# --- figures ---------------------------------------------------------------------------------------


def figures_section(data: ReportData, n_dated: int, time_svg: str | None, actor_svg: str | None) -> str:
    """Figures over time and per actor, and the largest figures stated."""
    figs = data.figures[data.figures["category"].isin(CHARTED_CATEGORIES)]
    largest = figs.sort_values("value", ascending=False, kind="stable").head(TOP_FIGURES)
    rows = [[f'<span dir="auto">{esc(r.text)}</span>', number(r.value), esc(r.category), esc(r.qualifier),
             f'<span dir="auto">{esc(r.actor)}</span>', f'<span dir="auto">{esc(r.location)}</span>', doc_link(r.doc_id)]
            for r in largest.itertuples()]
    body = [
        f"<p>{len(figs)} troop and casualty figures; {n_dated} of them come from documents with a publication date "
        "and are on the time axis.</p>",
        '<div class="cols">',
        chart(time_svg, "Figures by publication date (log scale)"),
        chart(actor_svg, "Figures per actor and category"),
        "</div>",
        f"<h3>The {len(largest)} largest</h3>",
        table(["as written", "value", "category", "qualifier", "actor", "location", "document"], rows),
    ]
    return section("figures", "Troop and casualty figures", "".join(body))


# --- quotes ----------------------------------------------------------------------------------------


def quotes_section(data: ReportData, titles: dict[str, str]) -> str:
    """Every quote in a table, with speaker and language filters (report.js)."""
    quotes = data.quotes.assign(who=speaker_names(data.quotes, data.entity_index))
    speakers = quotes.loc[quotes["who"] != "", "who"].value_counts()
    langs = sorted({text(v) for v in quotes["lang"]} - {""})
    options = "".join(f'<option value="{esc(s)}">{esc(s)} ({n})</option>' for s, n in speakers.items())
    lang_options = "".join(f'<option value="{esc(lang)}">{esc(lang)}</option>' for lang in langs)
    controls = (
        '<div class="filters">'
        f'<label>Speaker <select id="quote-speaker"><option value="">all speakers</option>{options}</select></label>'
        f'<label>Language <select id="quote-lang"><option value="">all languages</option>{lang_options}</select></label>'
        '<output id="quote-count"></output></div>'
    )
    rows = []
    for r in quotes.itertuples():
        as_written = f'<br><small dir="auto">as written: {esc(r.speaker)}</small>' if text(r.speaker) not in ("", r.who) else ""
        source = doc_link(r.doc_id) + (f'<br><small dir="auto">{esc(titles[r.doc_id])}</small>' if titles.get(r.doc_id) else "")
        rows.append(
            f'<tr data-speaker="{esc(r.who)}" data-lang="{esc(r.lang)}">'
            f'<td dir="auto">{esc(r.who) or "<i>unattributed</i>"}{as_written}</td>'
            f'<td dir="auto">{esc(r.speaker_title)}</td>'
            f'<td dir="{direction(r.lang)}" lang="{esc(r.lang)}" class="quote-text"><span class="badge">{esc(r.kind)}</span> {esc(r.quote)}</td>'
            f"<td>{esc(r.lang)}</td><td>{source}</td></tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("speaker", "title", "quote", "language", "source"))
    body = f'<table id="quotes-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return section("quotes", "Quotes", controls + body)


# --- documents -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A highlighted stretch of a document: `kind` is quote, fig or ent."""

    start: int
    end: int
    kind: str
    css: str
    title: str


def document_spans(entities: pd.DataFrame, figures: pd.DataFrame, quotes: pd.DataFrame) -> list[Span]:
    """The highlights of one document: people, organisations and places, figures, quotes."""
    entities = entities[entities["label"].isin(ENTITY_LABELS)]
    spans = [Span(r.start, r.end, "ent", f"ent ent-{text(r.label)}", f"{text(r.label)}: {text(r.canonical_name) or text(r.text)} ({text(r.entity_id)})")
             for r in entities.itertuples()]
    spans += [Span(r.start, r.end, "fig", f"fig fig-{text(r.category)}",
                   " · ".join(p for p in (f"{text(r.category)} {number(r.value)} ({text(r.qualifier)})", text(r.actor), text(r.location)) if p))
              for r in figures.itertuples()]
    spans += [Span(r.start, r.end, "quote", f"quote quote-{text(r.kind)}", f"{text(r.kind)} quote: {text(r.speaker) or 'unattributed'}")
              for r in quotes.itertuples()]
    return spans


def highlight(doc_text: str, start: int, end: int, spans: list[Span]) -> str:
    """doc_text[start:end] as HTML with the spans that overlap it marked, properly nested.

    The stretch is cut at every span boundary; a span that crosses the end of an inner one is
    closed and reopened, so overlapping highlights never produce broken markup.
    """
    inside = sorted((s for s in spans if s.start < end and s.end > start and s.end > s.start),
                    key=lambda s: (s.start, -s.end, KIND_ORDER.get(s.kind, 9)))
    cuts = sorted({start, end} | {max(start, min(end, p)) for s in inside for p in (s.start, s.end)})
    out: list[str] = []
    stack: list[Span] = []
    for a, b in zip(cuts, cuts[1:]):
        active = [s for s in inside if s.start <= a and s.end >= b]
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep] is active[keep]:
            keep += 1
        out.extend("</mark>" for _ in stack[keep:])
        stack = stack[:keep]
        for s in active[keep:]:
            out.append(f'<mark class="{esc(s.css)}" title="{esc(s.title)}">')
            stack.append(s)
        out.append(esc(doc_text[a:b]))
    out.extend("</mark>" for _ in stack)
    return "".join(out)


def paragraph(lang: object, inner: str) -> str:
    """A paragraph with its own direction (rtl for Arabic and Persian) and language."""
    d = direction(lang)
    lang_attr = f' lang="{esc(lang)}"' if d != "auto" else ""
    return f'<p dir="{d}"{lang_attr}>{inner}</p>'


def documents_section(data: ReportData, doc_langs: dict[str, str], titles: dict[str, str]) -> str:
    """Each processed document's paragraphs, each with its own direction, entities, figures and quotes marked."""
    by_doc = {name: dict(tuple(df.groupby("doc_id", sort=False))) for name, df in
              (("segments", data.segments), ("entities", data.entities), ("figures", data.figures), ("quotes", data.quotes))}
    empty = {name: frame.iloc[0:0] for name, frame in
             (("segments", data.segments), ("entities", data.entities), ("figures", data.figures), ("quotes", data.quotes))}
    parts = ['<p class="legend">Marked: <mark class="ent ent-PERSON">person</mark> <mark class="ent ent-ORG">organisation</mark> '
             '<mark class="ent ent-LOC">place</mark> <mark class="fig fig-troops">figure</mark> '
             '<mark class="quote quote-direct">direct quote</mark> <mark class="quote quote-indirect">reported speech</mark>. '
             "Hover a mark for details.</p>"]
    for doc in data.ok_documents.itertuples():
        got = {name: by_doc[name].get(doc.doc_id, empty[name]) for name in by_doc}
        spans = document_spans(got["entities"], got["figures"], got["quotes"])
        paragraphs = "".join(paragraph(seg.lang, highlight(doc.text, seg.start, seg.end, spans))
                             for seg in got["segments"].sort_values("seg_id").itertuples())
        meta = " · ".join(p for p in (esc(doc_langs.get(doc.doc_id, "und")), esc(doc.published), esc(doc.source_path),
                                      f'{len(got["entities"])} entities, {len(got["figures"])} figures, {len(got["quotes"])} quotes') if p)
        title = esc(titles.get(doc.doc_id, ""))
        parts.append(
            f'<details class="doc" id="{doc_anchor(doc.doc_id)}"><summary><b>{esc(doc.doc_id)}</b> '
            f'<span dir="auto">{title}</span><br><small>{meta}</small></summary>'
            f'<div class="doc-text">{paragraphs}</div></details>'
        )
    return section("documents", "Documents", "".join(parts))
