"""One spaCy pass per English or French paragraph, shared by the stages.

`detect_language` parses each such paragraph once (sentences come from that parse) and keeps it
in the `parses` table: `ner` reads the model's entities from it and `extract` its dependency trees,
so the model runs once per paragraph instead of once per stage.

The text parsed is the paragraph with scraped link text split off the word it is glued to
(`glue_split`); `index` maps offsets in it back to the paragraph.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from functools import lru_cache

import srsly.msgpack
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

# Scraped link text glued to the previous word ("saidOpens in a new tab"): parsed as two words.
GLUE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")


@lru_cache(maxsize=1024)
def glue_split(text: str) -> tuple[str, tuple[int, ...]]:
    """The text with a space inserted at glued words, and a map from its offsets back to the original
    (cached: a paragraph is split again for each of its sentences)."""
    parts, index, last = [], [], 0
    for m in GLUE.finditer(text):
        parts += [text[last : m.start()], " "]
        index += [*range(last, m.start()), m.start()]
        last = m.start()
    parts.append(text[last:])
    index += [*range(last, len(text)), len(text)]
    return "".join(parts), tuple(index)


def sentence_spans(doc: Doc, index: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """The parse's sentences as (start, end) in the original text (`index` from `glue_split`), whitespace trimmed."""
    spans = []
    for sent in doc.sents:
        stripped = sent.text.strip()
        if stripped:
            start = sent.start_char + len(sent.text) - len(sent.text.lstrip())
            end = start + len(stripped)
            spans.append((index[start], index[end]) if index is not None else (start, end))
    return spans


def encode_ents(doc: Doc, index: Sequence[int], offset: int) -> str:
    """The model's entities as `start:end:LABEL;…`, in document offsets (`offset`: the paragraph's start).

    An entity starting at a glued word ("reportedlyOpens in a new tab") is scraped link text: left out,
    as the model never sees it apart when it reads the original text.
    """
    return ";".join(f"{offset + index[e.start_char]}:{offset + index[e.end_char]}:{e.label_}" for e in doc.ents
                    if not (e.start_char and index[e.start_char - 1] == index[e.start_char]))


def decode_ents(field: str | None) -> list[tuple[int, int, str]]:
    """The (start, end, label) triples of `encode_ents`."""
    out = []
    for item in (field or "").split(";"):
        if item:
            start, end, label = item.split(":", 2)
            out.append((int(start), int(end), label))
    return out


@lru_cache(maxsize=1)
def _msgpack_extensions_looked_up() -> None:
    """srsly scans the installed packages' entry points for msgpack extensions on every pack and
    unpack, which is most of the cost of a small DocBin: scan them once and keep what was found."""
    for registry in (srsly.msgpack.msgpack_encoders, srsly.msgpack.msgpack_decoders):
        if registry.entry_points:
            for name, func in registry.get_entry_points().items():
                registry.register(name, func=func)
            registry.entry_points = False


def encode_doc(doc: Doc) -> str:
    """A parse as text (base64 of a one-document DocBin: tokens, tags, morphology, heads, entities, sentences)."""
    _msgpack_extensions_looked_up()
    return base64.b64encode(DocBin(docs=[doc], store_user_data=False).to_bytes()).decode("ascii")


def decode_doc(data: str, vocab: Vocab) -> Doc:
    """The parse written by `encode_doc`, in the vocab of the model that made it."""
    _msgpack_extensions_looked_up()
    return next(iter(DocBin().from_bytes(base64.b64decode(data)).get_docs(vocab)))
