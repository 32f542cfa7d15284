"""Loading models once per process, with clear errors when one is missing."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

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


def pipeline_names(path: str) -> list[str]:
    """The component names of a model (package or folder), read from its config without loading it."""
    base = Path(path) if Path(path).is_dir() else spacy.util.get_package_path(path)
    config = base / "config.cfg"
    if not config.is_file():  # an installed package keeps its model in a versioned sub-folder
        config = next(base.glob("*/config.cfg"))
    return list(spacy.util.load_config(config)["nlp"]["pipeline"])


def check_spacy(name: str) -> None:
    """Raise ModelNotFound unless the model is installed (or its folder is there), without loading it."""
    try:
        pipeline_names(resolve(name))
    except (OSError, ImportError, StopIteration) as exc:
        raise ModelNotFound(_hint(name)) from exc


@lru_cache(maxsize=8)
def load_spacy(name: str, purpose: str) -> Language:
    """Load a spaCy pipeline once per process (each model is read from disk once per purpose).

    purpose 'senter' keeps only what sentence segmentation needs (the senter, or the
    parser when the model has no senter); 'ner' keeps tok2vec and ner; 'parse' keeps everything
    the model enables, and the senter too (see `parse_texts`).
    """
    path = resolve(name)
    try:
        if purpose == "parse":
            nlp = spacy.load(path)
            if "senter" in nlp.disabled:
                nlp.enable_pipe("senter")
        else:
            names = pipeline_names(path)
            keep = {"ner": ("tok2vec", "ner"), "senter": ("tok2vec", "senter" if "senter" in names else "parser")}[purpose]
            nlp = spacy.load(path, exclude=[p for p in names if p not in keep])
            for p in keep:
                if p in nlp.disabled:
                    nlp.enable_pipe(p)
    except (OSError, ImportError, StopIteration) as exc:
        raise ModelNotFound(_hint(name)) from exc
    log.info("loaded spaCy model %s (%s) for %s", nlp.meta.get("name"), nlp.meta.get("version"), purpose)
    return nlp


def parse_order(nlp: Language) -> list[str]:
    """The enabled components in the order `parse_texts` runs them: the senter just before the parser,
    so that the parse keeps the senter's sentence boundaries (the parser respects preset ones)."""
    names = list(nlp.pipe_names)
    if "senter" in names and "parser" in names:
        names.remove("senter")
        names.insert(names.index("parser"), "senter")
    return names


def parse_texts(name: str, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
    """Full parses (sentences, tags, dependencies, entities) of texts, in one pass of the model `name`,
    `batch_size` texts at a time: the one place the pipeline parses English and French."""
    nlp = load_spacy(name, "parse")
    docs: Iterable[Doc] = (nlp.make_doc(t) for t in texts)
    for component in parse_order(nlp):
        proc = nlp.get_pipe(component)
        docs = proc.pipe(docs, batch_size=batch_size) if hasattr(proc, "pipe") else map(proc, docs)
    return iter(docs)


class Parses:
    """spaCy parses by language: `prefetch` parses many texts in one pass, `add` keeps parses made
    earlier (the `parses` table); calling it returns a text's parse, from those or parsed there and then.

    `models` maps a language to its parser (package or folder); `batch_size` is `nlp.pipe`'s.
    """

    def __init__(self, models: dict[str, str], batch_size: int = 64):
        self.models, self.batch_size = dict(models), batch_size
        self._done: dict[tuple[str, str], Doc] = {}

    def prefetch(self, requests: list[tuple[str, str]]) -> None:
        """Parse (lang, text) pairs, each language's texts in one `nlp.pipe`."""
        by_lang: dict[str, list[str]] = {}
        for lang, text in requests:
            if (lang, text) not in self._done:
                by_lang.setdefault(lang, []).append(text)
        for lang, texts in by_lang.items():
            texts = list(dict.fromkeys(texts))
            for text, doc in zip(texts, parse_texts(self.models[lang], texts, self.batch_size)):
                self._done[(lang, text)] = doc

    def add(self, lang: str, doc: Doc) -> None:
        """A parse made earlier, of `doc.text`."""
        self._done[(lang, doc.text)] = doc

    def get(self, lang: str, text: str) -> Doc | None:
        """A parse made or added already, else None (nothing is parsed)."""
        return self._done.get((lang, text))

    def __call__(self, lang: str, text: str) -> Doc:
        doc = self._done.get((lang, text))
        return doc if doc is not None else next(parse_texts(self.models[lang], [text]))


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
