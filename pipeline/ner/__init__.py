"""Multilingual NER: pluggable backends per language, a cross-script catalog, merging and linking."""

from . import stage, train  # noqa: F401  (registers the `ner` and `train_ner_ar` stages and the model's callback)
