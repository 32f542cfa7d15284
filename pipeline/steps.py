"""The pipeline's stages in run order (importing a stage's module registers it)."""

from __future__ import annotations

from . import evaluate, extract, ingest, language, ner, report  # noqa: F401  (registration)
from .stages import REGISTRY

# The per-document pipeline, as `python -m pipeline run` executes it.
RUN_ORDER = ("ingest", "detect_language", "ner", "extract")

__all__ = ["REGISTRY", "RUN_ORDER"]
