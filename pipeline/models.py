"""Loading models once per process, with clear errors when one is missing."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from .constants import ROOT

log = logging.getLogger(__name__)

# spaCy's hard limit per text; longer texts are cut into pieces before they reach a model.
SPACY_MAX_CHARS = 100_000


class ModelNotFound(RuntimeError):
    """A configured model is not installed or not at its path."""


def resolve(name_or_path: str) -> str:
    """A model path relative to the repo root, or an installed package name unchanged."""
    if "/" in name_or_path or name_or_path.startswith("."):
        return str((ROOT / name_or_path).resolve()) if not Path(name_or_path).is_absolute() else name_or_path
    return name_or_path


def _hint(name: str) -> str:
    if "/" in name:
        return f"model folder {name} not found; build it with `dvc repro train_ner_ar` (or `make model`)"
    return f"spaCy model package '{name}' is not installed; install it with `make install` (pip install {name.replace('_', '-')})"


@lru_cache(maxsize=8)
def load_spacy(name: str, purpose: str = "full") -> Language:
    """Load a spaCy pipeline once per process.

    purpose 'senter' keeps only what sentence segmentation needs (the senter, or the
    parser when the model has no senter); 'ner' keeps tok2vec and ner; 'full' keeps
    everything the model enables.
    """
    path = resolve(name)
    try:
        if purpose == "senter":
            probe = spacy.load(path)
            keep = "senter" if "senter" in probe.component_names else "parser"
            drop = [p for p in probe.component_names if p not in (keep, "tok2vec")]
            nlp = spacy.load(path, exclude=drop)
            if keep in nlp.disabled:
                nlp.enable_pipe(keep)
        elif purpose == "ner":
            probe = spacy.load(path)
            nlp = spacy.load(path, exclude=[p for p in probe.component_names if p not in ("tok2vec", "ner")])
        else:
            nlp = spacy.load(path)
    except OSError as exc:
        raise ModelNotFound(_hint(name)) from exc
    log.info("loaded spaCy model %s (%s) for %s", nlp.meta.get("name"), nlp.meta.get("version"), purpose)
    return nlp


def chunks(text: str, limit: int = SPACY_MAX_CHARS) -> list[tuple[int, str]]:
    """Cut a text into pieces of at most `limit` characters at whitespace, with their offsets."""
    out = []
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + limit)
        if end < len(text):
            cut = text.rfind(" ", pos + limit // 2, end)
            end = cut + 1 if cut > 0 else end
        out.append((pos, text[pos:end]))
        pos = end
    return out
