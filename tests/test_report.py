"""The report stage: highlighting and escaping on small tables, then the sample report in headless Chromium."""

import base64
import json
import os
import re
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from pipeline.constants import ROOT
from pipeline.report.build import render_report
from pipeline.report.data import ReportData, dated_figures, document_languages, speaker_names
from pipeline.report.plots import f1_rows, write_csv
from pipeline.report.render import Span, highlight
from pipeline.schema import OUTPUT_TABLES
from pipeline.stages import context_from_params, run_stage
from pipeline.tables import frame, read_table

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run")
VOID = {"meta", "link", "br", "hr", "img", "input", "path", "use", "rect", "stop", "line", "circle", "polyline", "polygon", "ellipse"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class TagBalance(HTMLParser):
    """Records unbalanced or misnested tags."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        pass

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def balanced(markup: str) -> bool:
    parser = TagBalance()
    parser.feed(markup)
    parser.close()
    return not parser.errors and not parser.stack


# --- on small tables ----------------------------------------------------------------------------------


def test_highlight_nests_crossing_spans_and_escapes_the_text():
    text = "Kirby <b> said 2,000 troops left"
    spans = [Span(0, 5, "ent", "ent ent-PERSON", "PERSON"), Span(3, 20, "quote", "quote", "q"), Span(15, 27, "fig", "fig", 'a "title"')]
    out = highlight(text, 0, len(text), spans)
    assert balanced(out)
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert 'title="a &quot;title&quot;"' in out
    assert re.sub(r"<[^>]+>", "", out) == text.replace("<", "&lt;").replace(">", "&gt;")
    # a paragraph shows only its own stretch; a quote crossing its start is cut at the boundary
    part = highlight(text, 6, 20, spans)
    assert balanced(part) and part.startswith('<mark class="quote"') and re.sub(r"<[^>]+>", "", part) == "&lt;b&gt; said 2,000"


def small_tables() -> ReportData:
    """Two documents (one bilingual) whose every text field is hostile markup."""
    ar, en = "قال جون كيربي إن 2500 جندي باقون", f"Kirby said {HOSTILE} 900 troops"
    text = f"{ar}\n{en}"
    docs = frame("documents", [
        {"doc_id": "mixed", "source_path": "mixed.txt", "format": "txt", "title": HOSTILE, "published": "2024-01-28", "text": text,
         "n_chars": len(text), "content_hash": "0", "truncated": False, "status": "ok"},
        {"doc_id": "bad", "source_path": "bad.bin", "format": "bin", "text": "", "n_chars": 0, "content_hash": "0", "truncated": False,
         "status": "undecodable", "reason": HOSTILE},
    ])
    e0 = len(ar) + 1
    segments = frame("segments", [
        {"doc_id": "mixed", "seg_id": 0, "start": 0, "end": len(ar), "text": ar, "lang": "ar", "lang_score": 1.0},
        {"doc_id": "mixed", "seg_id": 1, "start": e0, "end": len(text), "text": en, "lang": "en", "lang_score": 1.0},
    ])
    entities = frame("entities", [
        {"doc_id": "mixed", "sent_id": "s0", "start": 4, "end": 13, "text": "جون كيربي", "label": "PERSON", "lang": "ar",
         "entity_id": "person/john_kirby", "canonical_name": "John Kirby", "score": 1.0, "source": "catalog"},
        {"doc_id": "mixed", "sent_id": "s1", "start": e0, "end": e0 + 5, "text": "Kirby", "label": "PERSON", "lang": "en",
         "entity_id": "person/john_kirby", "canonical_name": "John Kirby", "score": 1.0, "source": "catalog"},
    ])
    index = frame("entity_index", [{"entity_id": "person/john_kirby", "canonical_name": HOSTILE, "label": "PERSON", "mentions": 2,
                                    "languages": "ar;en", "documents": "mixed", "aliases": f"Kirby;جون كيربي;{HOSTILE}"}])
    fig_at = text.index("900")
    figures = frame("figures", [
        {"doc_id": "mixed", "sent_id": "s1", "start": fig_at, "end": fig_at + 10, "text": "900 troops", "value": 900.0, "low": 900.0,
         "high": 900.0, "category": "troops", "qualifier": "exact", "actor": HOSTILE, "lang": "en"},
    ])
    quotes = frame("quotes", [
        {"doc_id": "mixed", "quote_id": "q1", "kind": "indirect", "quote": HOSTILE, "start": e0 + 11, "end": e0 + 11 + len(HOSTILE),
         "speaker": "Kirby", "speaker_entity_id": "person/john_kirby", "speaker_title": HOSTILE, "lang": "en"},
    ])
    problems = frame("problems", [{"doc_id": "mixed", "stage": "extract", "kind": "error", "reason": HOSTILE}])
    tables = {"documents": docs, "segments": segments, "entities": entities, "entity_index": index, "figures": figures, "quotes": quotes,
              "problems": problems}
    return ReportData(**tables, row_counts={name: len(tables.get(name, ())) for name in OUTPUT_TABLES})


def test_report_escapes_everything_from_the_data_and_sets_each_paragraph_direction():
    data = small_tables()
    metrics = {"all": {"entities": {"precision": 1.0, "recall": 0.5, "f1": 0.6667}}, "en": {"entities": {"precision": 1.0, "recall": 0.5, "f1": 0.6667}},
               "documents_scored": 1}
    page = render_report(data, metrics)
    assert HOSTILE not in page and "<script>alert" not in page and "<img" not in page
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 8  # title, reason, problem, entity, alias, actor, quote, speaker title
    assert re.search(r'<p dir="rtl" lang="ar">قال <mark class="ent ent-PERSON"[^>]*>جون كيربي</mark>', page)
    assert re.search(r'<p dir="ltr" lang="en"><mark class="ent ent-PERSON"[^>]*>Kirby</mark>', page)
    body = page.split("<main>", 1)[1].split("</main>", 1)[0]
    assert balanced(body)
    assert page.count("<script") == 1 and 'http-equiv="Content-Security-Policy"' in page
    assert set(re.findall(r'\s(?:src|href)="([^"#][^"]*)"', page)) == {"data:,"}  # nothing to fetch: only the empty favicon
    assert page.count("<svg") == 3  # F1, figures over time, figures per actor


def test_report_data_helpers():
    data = small_tables()
    assert document_languages(data.segments) == {"mixed": "en+ar"}  # largest share first
    dated = dated_figures(data)
    assert list(dated["published"].dt.strftime("%Y-%m-%d")) == ["2024-01-28"] and list(dated["value"]) == [900.0]
    assert list(speaker_names(data.quotes, data.entity_index)) == [HOSTILE]  # the linked entity's name
    rows = f1_rows({"all": {"entities": {"precision": 1, "recall": 0.5, "f1": 0.67}, "languages_exact": {"accuracy": 1.0}}, "documents_scored": 3})
    assert rows.to_dict("records") == [{"table": "entities", "language": "all", "f1": 0.67, "precision": 1, "recall": 0.5}]


# --- the sample report in Chromium ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_report(params, sample_tables) -> Path:
    """The sample corpus scored and reported; the report's folder."""
    ctx = context_from_params(params, ROOT / "data" / "raw", sample_tables, gold_dir=ROOT / "data" / "gold")
    run_stage("evaluate", ctx)
    run_stage("report", ctx)
    return ctx.reports_dir


def test_report_stage_writes_the_page_and_the_plot_data(sample_report, sample_tables):
    html = (sample_report / "index.html").read_text(encoding="utf-8")
    docs = read_table(sample_tables, "documents")
    assert html.count('<details class="doc"') == (docs["status"] == "ok").sum()
    metrics = json.loads((sample_report / "metrics.json").read_text(encoding="utf-8"))
    f1 = pd.read_csv(sample_report / "plots" / "f1_by_language.csv")
    assert len(f1) == len(f1_rows(metrics)) > 0 and set(f1["language"]) >= {"all", "ar", "en"}
    over_time = pd.read_csv(sample_report / "plots" / "figures_over_time.csv")
    figures = read_table(sample_tables, "figures")
    dated_docs = set(docs.loc[docs["published"].notna(), "doc_id"])
    expected = figures[figures["doc_id"].isin(dated_docs) & figures["category"].isin(["troops", "killed", "injured"])]
    assert len(over_time) == len(expected) > 0
    assert (sample_tables / "extract.duckdb").is_file()


def test_plot_files_neutralise_formulas_from_article_text(tmp_path):
    # pandas text columns reach Arrow as large_string: escaped like the tables' CSV export
    write_csv(tmp_path / "p.csv", pd.DataFrame({"text": ['=HYPERLINK("x")', "ok"], "actor": ["@a", None], "value": [3.0, 0.5]}))
    back = pd.read_csv(tmp_path / "p.csv")
    assert back["text"].tolist() == ["'=HYPERLINK(\"x\")", "ok"] and back["actor"].iloc[0] == "'@a"
    assert back["value"].tolist() == [3.0, 0.5]


class DevTools:
    """Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`)."""

    def __init__(self, profile: Path, log: Path) -> None:
        args = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "--enable-logging=stderr", "about:blank"]
        # Chromium reads commands on fd 3 and writes replies on fd 4: route them to our stdin and stdout pipes.
        self.log = log.open("wb")
        self.proc = subprocess.Popen(["sh", "-c", 'exec "$@" 3<&0 4>&1 </dev/null >&2', "sh", *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        self.buffer = b""
        self.last_id = 0
        self.events: list[dict] = []

    def _message(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            if not select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise TimeoutError("no reply from chromium")
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                raise RuntimeError(f"chromium exited with {self.proc.wait()}")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}, **({"sessionId": session} if session else {})}
        self.proc.stdin.write(json.dumps(message).encode() + b"\0")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") != self.last_id:
                self.events.append(reply)
            elif "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            else:
                return reply.get("result", {})

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._message(deadline))
        return next(e for e in self.events if e.get("method") == method)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Page:
    """One tab of a DevTools browser."""

    def __init__(self, browser: DevTools, width: int = 1280, height: int = 1400) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def open(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired")

    def js(self, expression: str):
        """Evaluate `expression` (awaiting a promise) and return its JSON value."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"]))

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, browser log errors and any request that is not a local file."""
        found = []
        for e in self.browser.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {p['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                found.append(f"console.{p['type']}: {[a.get('value') for a in p.get('args', [])]}")
            elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
                found.append(f"log: {p['entry'].get('text')}")
            elif method == "Network.requestWillBeSent" and not p["request"]["url"].startswith(("file:", "data:")):
                found.append(f"request: {p['request']['url']}")
        return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: `make chromium` installs it")
        pytest.skip(f"{CHROMIUM} missing: `make chromium` installs it")
    tmp = tmp_path_factory.mktemp("chromium")
    devtools = DevTools(tmp / "profile", tmp / "chromium.log")
    yield devtools
    devtools.close()


def visible_quotes(page: Page, speaker: str, lang: str) -> dict:
    """Set the quote filters as a reader would and count the rows left visible."""
    return page.js(f"""(() => {{
        for (const [id, value] of [["quote-speaker", {json.dumps(speaker)}], ["quote-lang", {json.dumps(lang)}]]) {{
            const select = document.getElementById(id);
            select.value = value;
            select.dispatchEvent(new Event("change"));
        }}
        const rows = [...document.querySelectorAll("#quotes-table tbody tr")];
        return {{visible: rows.filter(r => r.getClientRects().length > 0).length, counter: document.getElementById("quote-count").textContent}};
    }})()""")


def test_report_in_headless_chromium(browser, sample_report, sample_tables):
    page = Page(browser)
    page.open((sample_report / "index.html").as_uri())
    assert page.js("document.title") == "News tables: report"
    assert page.js("document.querySelectorAll('figure.chart svg').length") == 3

    # every Arabic paragraph runs right to left; the English paragraphs of the bilingual page do not
    dirs = page.js("""[...document.querySelectorAll('.doc-text p')].map(p => [p.closest('details').id, p.lang, getComputedStyle(p).direction])""")
    arabic = [d for d in dirs if d[1] in ("ar", "fa")]
    assert arabic and all(d[2] == "rtl" for d in arabic)
    mixed = [d for d in dirs if d[0].startswith("doc-mixed_")]
    assert {d[1] for d in mixed} >= {"ar", "en"}
    assert all(d[2] == ("rtl" if d[1] == "ar" else "ltr") for d in mixed if d[1] in ("ar", "en"))

    # the quotes filter
    quotes = read_table(sample_tables, "quotes")
    names = speaker_names(quotes, read_table(sample_tables, "entity_index"))
    top = names[names != ""].value_counts().index[0]
    assert visible_quotes(page, "", "")["visible"] == len(quotes)
    assert visible_quotes(page, top, "") == {"visible": (names == top).sum(), "counter": f"{(names == top).sum()} of {len(quotes)} quotes"}
    assert visible_quotes(page, "", "ar")["visible"] == (quotes["lang"] == "ar").sum() > 0
    both = ((names == top) & (quotes["lang"] == "en")).sum()
    assert visible_quotes(page, top, "en")["visible"] == both
    visible_quotes(page, "", "")
    page.screenshot(ROOT / "reports" / "report.png")

    # a link to a document opens it; screenshot the bilingual page
    mixed_id = mixed[0][0]
    assert page.js(f"""(async () => {{
        location.hash = {json.dumps("#" + mixed_id)};
        await new Promise(r => setTimeout(r, 300));
        return document.getElementById({json.dumps(mixed_id)}).open;
    }})()""")
    page.screenshot(ROOT / "reports" / "report_document.png")
    assert page.problems() == []
