"""Multilingual NER: pluggable backends per language, a cross-script catalog, merging and linking."""

from . import stage  # noqa: F401  (registers the `ner` stage)
