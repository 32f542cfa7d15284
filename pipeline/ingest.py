"""The `ingest` stage: every input file and record becomes one `documents` row."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import pandas as pd
import trafilatura

from .boilerplate import remove_boilerplate
from .constants import (
    STATUS_DUPLICATE_ID,
    STATUS_EMPTY,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_UNDECODABLE,
    STATUS_UNSUPPORTED,
)
from .decode import Undecodable, clean_text, decode_bytes
from .dedup import near_duplicates
from .progress import progress
from .stages import Context, guarded, stage
from .tables import frame

log = logging.getLogger(__name__)

FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".json": "json", ".csv": "csv"}
RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
TEXT_FIELDS = ("text", "content", "body")
MAX_ID_CHARS = 120
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
RAW_MARGIN = 2  # raw text kept before cleaning, in multiples of max_chars


@dataclass
class Doc:
    """A document before it is a row: what was read and what happened."""

    doc_id: str
    source_path: str
    format: str
    text: str = ""
    title: str | None = None
    url: str | None = None
    published: str | None = None
    encoding: str | None = None
    status: str = STATUS_OK
    reason: str | None = None
    truncated: bool = False
    dropped: list[tuple[str, str]] = field(default_factory=list)


def sanitize_id(raw: str) -> str:
    """A doc_id safe as a file name on any system: no separators, no reserved names."""
    s = re.sub(r"[^\w.\-]+", "_", str(raw).strip(), flags=re.UNICODE)
    s = re.sub(r"\.{2,}", "_", s).strip("._-")[:MAX_ID_CHARS] or "doc"
    if s.split(".")[0].lower() in RESERVED_NAMES:
        s = "_" + s
    return s


def _text_of(record: dict) -> str | None:
    for key in TEXT_FIELDS:
        value = record.get(key)
        if isinstance(value, str):
            return value
    return None


def _opt_str(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    s = str(value).strip()
    return s or None


def _from_record(record: object, source: str, fmt: str, index: int) -> Doc:
    if not isinstance(record, dict):
        return Doc(f"record_{index}", source, fmt, status=STATUS_ERROR, reason="record is not an object")
    raw_id = record.get("id")
    doc = Doc(sanitize_id(raw_id) if _opt_str(raw_id) else f"record_{index}", source, fmt)
    doc.title, doc.url, doc.published = (_opt_str(record.get(k)) for k in ("title", "url", "published"))
    text = _text_of(record)
    if _opt_str(raw_id) is None:
        doc.status, doc.reason = STATUS_ERROR, "record has no id"
    if text is None:
        doc.status, doc.reason = STATUS_ERROR, f"record has no text field ({'/'.join(TEXT_FIELDS)})"
    else:
        doc.text = text
    return doc


def _read_records(data: str, path: str, fmt: str) -> Iterator[Doc]:
    if fmt == "jsonl":
        for n, line in enumerate(data.split("\n"), 1):
            if not line.strip():
                continue
            source = f"{path}#{n}"
            try:  # ValueError: malformed, or an integer past Python's digit limit
                yield _from_record(json.loads(line), source, fmt, n)
            except (ValueError, RecursionError) as exc:
                yield Doc(f"line_{n}", source, fmt, status=STATUS_ERROR, reason=f"malformed JSON line: {exc}")
    elif fmt == "json":
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError) as exc:
            yield Doc("", path, fmt, status=STATUS_ERROR, reason=f"malformed JSON: {exc}")
            return
        records = obj if isinstance(obj, list) else [obj]
        for n, rec in enumerate(records, 1):
            yield _from_record(rec, f"{path}#{n}", fmt, n)
    else:  # csv
        csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))  # a long article is one field; the file size is capped already
        reader = csv.DictReader(io.StringIO(data.replace("\x00", "")))
        try:
            for n, rec in enumerate(reader, 1):
                yield _from_record(rec, f"{path}#{n}", fmt, n)
        except csv.Error as exc:
            yield Doc("", path, fmt, status=STATUS_ERROR, reason=f"malformed CSV: {exc}")


def _read_html(data: str, doc: Doc) -> None:
    """Main content and metadata of a page; nothing is fetched and no entity is resolved."""
    data = _XML_DECLARATION.sub("", data, count=1)  # with one, lxml may drop the page (and never needs it: the text is decoded)
    result = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False, include_tables=False, deduplicate=False)
    extracted = result.as_dict() if result is not None else {}
    if not extracted.get("text"):
        doc.status, doc.reason = STATUS_EMPTY, "no main content found in the HTML page"
        return
    doc.text = extracted["text"]
    doc.title = _opt_str(extracted.get("title"))
    doc.url = _opt_str(extracted.get("url"))
    doc.published = _opt_str(extracted.get("date"))


def read_file(path: Path, rel: str, max_bytes: int) -> Iterator[Doc]:
    """Yield the documents of one input file (several for JSONL/JSON/CSV)."""
    suffix = path.suffix.lower()
    fmt = FORMATS.get(suffix)
    stem_id = sanitize_id(path.stem)
    if fmt is None:
        yield Doc(stem_id, rel, suffix.lstrip(".") or "none", status=STATUS_UNSUPPORTED, reason=f"unsupported file type '{suffix or path.name}'")
        return
    size = path.stat().st_size
    if size > max_bytes:
        yield Doc(stem_id, rel, fmt, status=STATUS_ERROR, reason=f"file of {size} bytes exceeds ingest.max_file_bytes={max_bytes}")
        return
    data = path.read_bytes()
    if not data.strip():
        yield Doc(stem_id, rel, fmt, status=STATUS_EMPTY, reason="empty file")
        return
    try:
        text, encoding = decode_bytes(data)
    except Undecodable as exc:
        yield Doc(stem_id, rel, fmt, status=STATUS_UNDECODABLE, reason=str(exc))
        return
    if fmt in ("jsonl", "json", "csv"):
        for doc in _read_records(text, rel, fmt):
            doc.encoding = encoding
            yield doc
        return
    doc = Doc(stem_id, rel, fmt, encoding=encoding)
    if fmt == "html":
        _read_html(text, doc)
    else:
        doc.text = text
    yield doc


def list_inputs(input_dir: Path, include: list[str], exclude: list[str]) -> tuple[list[Path], list[Doc]]:
    """Input files in a stable order, and error rows for entries that cannot be read safely."""
    files: list[Path] = []
    problems: list[Doc] = []
    for path in sorted(input_dir.rglob("*"), key=lambda p: str(p)):
        rel = path.relative_to(input_dir).as_posix()
        if any(fnmatch(rel, pat) or fnmatch(path.name, pat) for pat in exclude):
            continue
        if path.is_symlink():
            problems.append(Doc(sanitize_id(path.stem), rel, "symlink", status=STATUS_UNSUPPORTED, reason="symbolic link not followed"))
        elif path.is_file():
            files.append(path)
        elif not path.is_dir():
            problems.append(Doc(sanitize_id(path.stem), rel, "special", status=STATUS_UNSUPPORTED, reason="not a regular file"))
    if include:
        kept = [p for p in files if any(fnmatch(p.relative_to(input_dir).as_posix(), pat) or fnmatch(p.name, pat) for pat in include)]
        for p in sorted(set(files) - set(kept)):
            problems.append(
                Doc(sanitize_id(p.stem), p.relative_to(input_dir).as_posix(), p.suffix.lstrip(".").lower() or "none",
                    status=STATUS_UNSUPPORTED, reason="file does not match ingest.include")
            )
        files = kept
    return files, problems


def _finish(doc: Doc, boilerplate_path: str, max_chars: int) -> None:
    """Clean the text, drop boilerplate, cut at max_chars (flagged); an empty result is status empty."""
    if doc.status != STATUS_OK:
        return
    raw = doc.text
    if len(raw) > RAW_MARGIN * max_chars:  # cleaning only shortens text: never clean more than can be kept
        raw = raw[: RAW_MARGIN * max_chars]
        doc.truncated = True
        doc.reason = f"text truncated to ingest.max_chars={max_chars}"
    text = clean_text(raw)
    text, doc.dropped = remove_boilerplate(text, boilerplate_path)
    if len(text) > max_chars:
        text = text[:max_chars]
        doc.truncated = True
        doc.reason = f"text truncated to ingest.max_chars={max_chars}"
    doc.text = text
    if not text.strip():
        doc.status, doc.reason = STATUS_EMPTY, "no text after cleaning"


def _assign_ids(docs: list[Doc]) -> None:
    """Unique doc_ids: the first keeps its id, a later collision becomes an error row."""
    seen: dict[str, str] = {}
    for doc in docs:
        if not doc.doc_id:
            doc.doc_id = sanitize_id(doc.source_path)
        if doc.doc_id in seen:
            digest = hashlib.sha1(doc.source_path.encode("utf-8")).hexdigest()[:8]
            original = doc.doc_id
            doc.doc_id = f"{original}~{digest}"
            if doc.status == STATUS_OK:
                doc.status = STATUS_DUPLICATE_ID
                doc.reason = f"doc_id '{original}' already used by {seen[original]}"
        seen.setdefault(doc.doc_id, doc.source_path)


def ingest(input_dir: Path, params: dict, doc_seconds: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the input folder into the `documents` and `dropped` tables.

    Reading a file, and cleaning each of its documents, runs within `doc_seconds` (0: no limit);
    a file or document over the budget, or failing, becomes an error row and the run goes on.
    """
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist")
    files, docs = list_inputs(input_dir, params["include"], params["exclude"])
    log.info("ingest: %d files under %s (%d entries not readable)", len(files), input_dir, len(docs))
    max_bytes, max_chars = int(params["max_file_bytes"]), int(params["max_chars"])
    for path in progress(files, desc="ingest", unit="file"):
        rel = path.relative_to(input_dir).as_posix()
        read, kind, reason = guarded(doc_seconds, lambda path=path, rel=rel: list(read_file(path, rel, max_bytes)), fatal=())
        fmt = FORMATS.get(path.suffix.lower(), "unknown")
        if kind is not None:  # one bad file never stops the run
            log.warning("ingest: %s failed: %s", rel, reason)
            docs.append(Doc(sanitize_id(path.stem), rel, fmt, status=STATUS_ERROR, reason=reason))
            continue
        if not read:
            docs.append(Doc(sanitize_id(path.stem), rel, fmt, status=STATUS_EMPTY, reason="no records in the file"))
        for doc in read:
            _, kind, reason = guarded(doc_seconds, lambda doc=doc: _finish(doc, params["boilerplate"], max_chars), fatal=())
            if kind is not None:
                log.warning("ingest: %s failed: %s", doc.source_path, reason)
                doc.text, doc.dropped, doc.status, doc.reason = "", [], STATUS_ERROR, reason
            docs.append(doc)
    docs.sort(key=lambda d: d.source_path)
    _assign_ids(docs)
    hashes = [hashlib.sha256(d.text.encode("utf-8")).hexdigest() for d in docs]
    dup_of = near_duplicates([(d.doc_id, d.text if d.status == STATUS_OK else "") for d in docs], float(params["near_duplicate_threshold"]))
    rows = [
        {
            "doc_id": d.doc_id, "source_path": d.source_path, "format": d.format, "title": d.title, "url": d.url,
            "published": d.published, "encoding": d.encoding, "text": d.text, "n_chars": len(d.text),
            "content_hash": h, "duplicate_of": dup_of.get(d.doc_id), "truncated": d.truncated,
            "status": d.status, "reason": d.reason,
        }
        for d, h in zip(docs, hashes)
    ]
    dropped = [{"doc_id": d.doc_id, "line": line, "rule": rule} for d in docs for line, rule in d.dropped]
    counts = pd.Series([d.status for d in docs]).value_counts().to_dict() if docs else {}
    log.info("ingest: %d documents %s; %d boilerplate lines dropped", len(docs), counts, len(dropped))
    return frame("documents", rows), frame("dropped", dropped)


@stage("ingest", requires=(), provides=("documents", "dropped"))
def ingest_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Read every input file and record into `documents` (and the boilerplate it dropped)."""
    documents, dropped = ingest(ctx.input_dir, ctx.section("ingest"), ctx.doc_seconds)
    return {"documents": documents, "dropped": dropped}
