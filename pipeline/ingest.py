"""The `ingest` stage: every input file and record becomes one `documents` row."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import tempfile
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import trafilatura

from . import cache
from .boilerplate import remove_boilerplate
from .cache import ResultCache
from .constants import (
    STATUS_DUPLICATE_ID,
    STATUS_EMPTY,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_UNDECODABLE,
    STATUS_UNSUPPORTED,
)
from .decode import Undecodable, clean_text, decode_bytes
from .dedup import NearDuplicates, signature
from .progress import progress
from .stages import Context, guarded, stage
from .tables import TMP_SUFFIX, TableWriter, frame

log = logging.getLogger(__name__)

FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".json": "json", ".csv": "csv"}
RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
TEXT_FIELDS = ("text", "content", "body")
MAX_ID_CHARS = 120
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
RAW_MARGIN = 2  # raw text kept before cleaning, in multiples of max_chars
BATCH_DOCS = 256  # documents per batch written to the tables
SPOOL_GROUP_DOCS = 64  # documents per row group of the spool (the unit read back)
SPOOL_CACHE_GROUPS = 8  # spool row groups kept in memory while reading back
SPOOL_PREFIX = ".documents.parquet.spool-"  # a `.documents.parquet.*.tmp` name: `remove_stale_temp` clears a killed run's spool
_SPOOLED = ("format", "title", "url", "published", "encoding", "text", "truncated")
SPOOL_SCHEMA = pa.schema(
    [pa.field(name, pa.bool_() if name == "truncated" else pa.string()) for name in _SPOOLED]
    + [pa.field("dropped_line", pa.list_(pa.string())), pa.field("dropped_rule", pa.list_(pa.string())),
       pa.field("signature", pa.list_(pa.uint32()))]
)


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
    signature: list[int] | None = None  # MinHash of the cleaned text (near-duplicates), None when too short


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


def _assign_ids(docs: Sequence[Doc | Entry]) -> None:
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


@dataclass(slots=True)
class Entry:
    """What the first pass keeps of a document: enough to order, name and count it, never its text."""

    doc_id: str
    source_path: str
    status: str
    reason: str | None


class _Spool:
    """The documents' text and other bulky fields in a temporary Parquet file beside the tables.

    First pass: `add(doc)` appends one row, in reading order, and keeps only an `Entry` in memory.
    Second pass (after `finish()`): `rows(positions)` reads rows back by position, in any order,
    holding a few row groups of SPOOL_GROUP_DOCS documents at a time. `remove()` deletes the file.
    Its name matches `remove_stale_temp`'s patterns, so a killed run's spool is cleared at the next run.
    """

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, suffix=TMP_SUFFIX, dir=folder)
        os.close(fd)
        self.path = Path(name)
        self.entries: list[Entry] = []
        self.n_dropped = 0
        self._pending: list[Doc] = []
        self._writer: pq.ParquetWriter | None = None
        self._reader: pq.ParquetFile | None = None
        self._starts = np.zeros(1, dtype=np.int64)
        self._groups: OrderedDict[int, pa.Table] = OrderedDict()
        try:
            self._writer = pq.ParquetWriter(self.path, SPOOL_SCHEMA)
        except BaseException:
            self.path.unlink(missing_ok=True)
            raise

    def add(self, doc: Doc) -> None:
        self.entries.append(Entry(doc.doc_id, doc.source_path, doc.status, doc.reason))
        self.n_dropped += len(doc.dropped)
        self._pending.append(doc)
        if len(self._pending) >= SPOOL_GROUP_DOCS:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        docs, self._pending = self._pending, []
        columns: dict[str, list] = {name: [getattr(d, name) for d in docs] for name in _SPOOLED}
        columns["dropped_line"] = [[line for line, _ in d.dropped] for d in docs]
        columns["dropped_rule"] = [[rule for _, rule in d.dropped] for d in docs]
        columns["signature"] = [d.signature for d in docs]
        self._writer.write_table(pa.Table.from_pydict(columns, schema=SPOOL_SCHEMA))

    def finish(self) -> None:
        """End of the first pass: close the file and open it for reading."""
        self._flush()
        self._writer.close()
        self._writer = None
        self._reader = pq.ParquetFile(self.path)
        meta = self._reader.metadata
        self._starts = np.cumsum([0] + [meta.row_group(g).num_rows for g in range(meta.num_row_groups)])

    def _group(self, g: int) -> pa.Table:
        table = self._groups.get(g)
        if table is None:
            table = self._groups[g] = self._reader.read_row_group(g)
            if len(self._groups) > SPOOL_CACHE_GROUPS:
                self._groups.popitem(last=False)
        else:
            self._groups.move_to_end(g)
        return table

    def rows(self, positions: Sequence[int]) -> list[dict]:
        """The spooled rows at these positions (of the first pass), in the order given."""
        if not positions:
            return []
        pos = np.asarray(positions, dtype=np.int64)
        groups = np.searchsorted(self._starts, pos, side="right") - 1
        parts, where = [], []
        for g in dict.fromkeys(groups.tolist()):  # each row group once, in order of first use
            mine = np.flatnonzero(groups == g)
            parts.append(self._group(g).take(pa.array(pos[mine] - self._starts[g])))
            where.append(mine)
        table = pa.concat_tables(parts)
        return table.take(pa.array(np.argsort(np.concatenate(where), kind="stable"))).to_pylist()

    def remove(self) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
            if self._reader is not None:
                self._reader.close()
        finally:
            self._writer = self._reader = None
            self._groups.clear()
            self.path.unlink(missing_ok=True)


def _read_file_docs(path: Path, rel: str, params: dict, doc_seconds: float) -> tuple[list[Doc], bool]:
    """The documents of one file, cleaned, in source_path order; and whether all went well (cacheable)."""
    max_bytes, max_chars = int(params["max_file_bytes"]), int(params["max_chars"])
    read, kind, reason = guarded(doc_seconds, lambda: list(read_file(path, rel, max_bytes)), fatal=())
    fmt = FORMATS.get(path.suffix.lower(), "unknown")
    if kind is not None:  # one bad file never stops the run
        log.warning("ingest: %s failed: %s", rel, reason)
        return [Doc(sanitize_id(path.stem), rel, fmt, status=STATUS_ERROR, reason=reason)], False
    if not read:
        return [Doc(sanitize_id(path.stem), rel, fmt, status=STATUS_EMPTY, reason="no records in the file")], True
    ok = True
    for doc in read:
        _, kind, reason = guarded(doc_seconds, lambda doc=doc: _finish(doc, params["boilerplate"], max_chars), fatal=())
        if kind is not None:
            log.warning("ingest: %s failed: %s", doc.source_path, reason)
            doc.text, doc.dropped, doc.status, doc.reason = "", [], STATUS_ERROR, reason
            ok = False
        elif doc.status == STATUS_OK:
            sig = signature(doc.text)
            doc.signature = None if sig is None else sig.tolist()
    # "f#10" sorts before "f#2": ordering a file's records here keeps the spool in (nearly) final order
    return sorted(read, key=lambda d: d.source_path), ok


def _read_all(input_dir: Path, params: dict, doc_seconds: float, spool: _Spool, store: ResultCache | None) -> None:
    """First pass: read, clean and spool every document, file by file (each file's records in source_path order).

    With `store`, a file whose path, size and modification time are in the cache (under the same
    ingest fingerprint) is not read again: its documents come from there.
    """
    files, problems = list_inputs(input_dir, params["include"], params["exclude"])
    log.info("ingest: %d files under %s (%d entries not readable)", len(files), input_dir, len(problems))
    for doc in problems:
        spool.add(doc)
    fp = cache.fingerprint("ingest", {"ingest": params}, "pipeline.ingest") if store else ""
    fresh: list[tuple[str, str, str]] = []
    hits: dict = {}
    chunk: list[tuple[str, str]] = []
    reused = 0
    for i, path in enumerate(progress(files, desc="ingest", unit="file")):
        if i % cache.SQL_BATCH == 0:  # one cache query per SQL_BATCH files
            chunk = [_file_key(input_dir, p) for p in files[i : i + cache.SQL_BATCH]]
            if store:
                store.put("ingest", fp, fresh)
                fresh = []
                hits = store.get("ingest", fp, chunk)
        rel, key = chunk[i % cache.SQL_BATCH]
        if (rel, key) in hits:
            docs = [Doc(**d) for d in cache.decode(hits[(rel, key)])[0]]
            reused += 1
        else:
            docs, ok = _read_file_docs(path, rel, params, doc_seconds)
            if ok and store:
                fresh.append((rel, key, cache.encode(([asdict(d) for d in docs],))))
        for doc in docs:
            spool.add(doc)
    if store:
        store.put("ingest", fp, fresh)
        log.info("ingest: %d files reused from the cache, %d read", reused, len(files) - reused)


def _file_key(input_dir: Path, path: Path) -> tuple[str, str]:
    """A file's cache key: its path under the input folder, and its size and modification time."""
    st = path.stat()
    return path.relative_to(input_dir).as_posix(), f"{st.st_size}:{st.st_mtime_ns}"


def _ingest_batches(input_dir: Path, params: dict, spool_dir: Path, doc_seconds: float, batch_docs: int,
                    store: ResultCache | None) -> Iterator[tuple[list[dict], list[dict]]]:
    spool = _Spool(spool_dir)
    try:
        _read_all(input_dir, params, doc_seconds, spool, store)
        spool.finish()
        entries = spool.entries
        # final order: all documents by source_path, ties in reading order (a stable sort, as before streaming)
        order = sorted(range(len(entries)), key=lambda i: entries[i].source_path)
        _assign_ids([entries[i] for i in order])
        finder = NearDuplicates(float(params["near_duplicate_threshold"]))
        for first in range(0, len(order), batch_docs):
            positions = order[first : first + batch_docs]
            rows, dropped = [], []
            for entry, spooled in zip((entries[i] for i in positions), spool.rows(positions)):
                text = spooled["text"]
                rows.append({
                    "doc_id": entry.doc_id, "source_path": entry.source_path, "format": spooled["format"],
                    "title": spooled["title"], "url": spooled["url"], "published": spooled["published"],
                    "encoding": spooled["encoding"], "text": text, "n_chars": len(text),
                    "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    "duplicate_of": finder.add_signature(entry.doc_id, np.asarray(sig, dtype=np.uint32)
                                                         if entry.status == STATUS_OK and (sig := spooled["signature"]) else None),
                    "truncated": spooled["truncated"], "status": entry.status, "reason": entry.reason,
                })
                dropped.extend({"doc_id": entry.doc_id, "line": line, "rule": rule}
                               for line, rule in zip(spooled["dropped_line"], spooled["dropped_rule"]))
            yield rows, dropped
        counts = pd.Series([entries[i].status for i in order]).value_counts().to_dict() if entries else {}
        log.info("ingest: %d documents %s; %d boilerplate lines dropped", len(entries), counts, spool.n_dropped)
    finally:
        spool.remove()


def ingest_batches(input_dir: Path, params: dict, spool_dir: Path, doc_seconds: float = 0.0,
                   batch_docs: int = BATCH_DOCS, store: ResultCache | None = None) -> Iterator[tuple[list[dict], list[dict]]]:
    """The `documents` and `dropped` rows of the input folder, `batch_docs` documents at a time, in table order.

    Two passes: the first reads every file (each within `doc_seconds`, 0: no limit; a file or document
    over the budget, or failing, becomes an error row and the run goes on), and spools the texts to a
    temporary file in `spool_dir`, keeping a few fields per document in memory; the second assigns
    unique doc_ids and near-duplicates in the final order and streams the rows back. Memory holds
    one file's documents or one batch of texts, never the corpus. The spool is deleted at the end,
    on error, or when the iterator is closed. With `store`, unchanged files come from the cache (`_read_all`).
    """
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist")
    return _ingest_batches(input_dir, params, spool_dir, doc_seconds, batch_docs, store)


def write_ingest(input_dir: Path, params: dict, out_dir: Path, doc_seconds: float = 0.0,
                 store: ResultCache | None = None) -> tuple[int, int]:
    """Stream the input folder into the `documents` and `dropped` tables of `out_dir`; (rows, dropped rows).

    Both tables replace the old ones only when complete: on an error, neither is changed.
    """
    batches = ingest_batches(input_dir, params, out_dir, doc_seconds, store=store)
    with closing(batches), TableWriter(out_dir, "documents") as documents, TableWriter(out_dir, "dropped") as dropped:
        for doc_rows, dropped_rows in batches:
            documents.write(doc_rows)
            dropped.write(dropped_rows)
    return documents.rows, dropped.rows


def ingest(input_dir: Path, params: dict, doc_seconds: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the input folder into the `documents` and `dropped` tables, as whole frames.

    For tests and benchmarks: the frames hold every text. The stage streams with `write_ingest`.
    """
    rows: list[dict] = []
    dropped: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        for doc_rows, dropped_rows in ingest_batches(input_dir, params, Path(tmp), doc_seconds):
            rows += doc_rows
            dropped += dropped_rows
    return frame("documents", rows), frame("dropped", dropped)


@stage("ingest", requires=(), provides=("documents", "dropped"))
def ingest_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Read every input file and record into `documents` (and the boilerplate it dropped).

    Streams: writes both tables itself (listed in `ctx.written`) and returns no frame.
    """
    store = ResultCache(ctx.cache_dir) if ctx.cache_dir is not None else None
    try:
        write_ingest(ctx.input_dir, ctx.section("ingest"), ctx.out_dir, ctx.doc_seconds, store)
    finally:
        if store:
            store.close()
    ctx.written.update(("documents", "dropped"))
    return {}
