"""The `train_ner_ar` stage: our own Arabic NER, trained with spaCy on our annotated corpus.

Corpus lines use inline markup, `[[جون كيربي|PERSON]]`; a fixed hash of each line puts it
in the train or the held-out dev split. The model's tokens get a normalised NORM
(textnorm keys, proclitics before the article folded) so that spelling variants share features.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path

import spacy
from spacy.cli.init_config import init_config
from spacy.cli.train import train as spacy_train
from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Example
from spacy.util import filter_spans

from ..constants import ROOT
from ..stages import Context, stage
from ..tables import atomic_write_bytes
from ..textnorm import norm_key

log = logging.getLogger(__name__)

MARKUP = re.compile(r"\[\[([^\[\]|]+)\|(PERSON|ORG|LOC)\]\]")
LABELS = ("PERSON", "ORG", "LOC")
_ARTICLE_CLITIC = re.compile(r"^(?:[وف]?[بكل]|[وف])ال")


def arabic_norm(text: str) -> str:
    """NORM of an Arabic token: normalised, with a proclitic before the article folded (وبالبيت → البيت)."""
    key = norm_key(text)
    if key.startswith("لل") and len(key) > 4:
        return "ال" + key[2:]
    return _ARTICLE_CLITIC.sub("ال", key) if len(key) > 4 else key


@spacy.registry.callbacks("pipeline.arabic_norm.v1")
def arabic_norm_callback():
    """`nlp.after_creation` callback installing `arabic_norm` as the NORM getter."""

    def install(nlp: Language) -> Language:
        from spacy.attrs import NORM

        nlp.vocab.lex_attr_getters[NORM] = arabic_norm
        return nlp

    return install


def parse_line(line: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Plain text and (start, end, label) spans of one marked-up line."""
    text, spans, pos = [], [], 0
    last = 0
    for m in MARKUP.finditer(line):
        text.append(line[last : m.start()])
        pos += m.start() - last
        surface = m.group(1)
        spans.append((pos, pos + len(surface), m.group(2)))
        text.append(surface)
        pos += len(surface)
        last = m.end()
    text.append(line[last:])
    plain = "".join(text)
    if "[[" in plain or "]]" in plain:
        raise ValueError(f"malformed markup: {line[:80]}")
    return plain, spans


def read_corpus(directory: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    examples = []
    for path in sorted(directory.glob("*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    examples.append(parse_line(line.strip()))
                except ValueError as exc:
                    log.warning("train_ner_ar: %s:%d skipped: %s", path.name, n, exc)
    return examples


def is_dev(text: str, fraction: float) -> bool:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 1000 < fraction * 1000


def to_docbin(nlp: Language, examples: list[tuple[str, list[tuple[int, int, str]]]]) -> tuple[DocBin, int]:
    db, dropped = DocBin(), 0
    for text, spans in examples:
        doc = nlp.make_doc(text)
        ents = [doc.char_span(s, e, label=lab, alignment_mode="expand") for s, e, lab in spans]
        kept = filter_spans([e for e in ents if e is not None])
        dropped += len(spans) - len(kept)
        doc.ents = kept
        db.add(doc)
    return db, dropped


def _examples(nlp: Language, part: list[tuple[str, list[tuple[int, int, str]]]]) -> list[Example]:
    out = []
    for text, spans in part:
        ref = nlp.make_doc(text)
        ref.ents = filter_spans([e for s, e_, lab in spans if (e := ref.char_span(s, e_, label=lab, alignment_mode="expand")) is not None])
        out.append(Example(nlp.make_doc(text), ref))
    return out


def train_model(params: dict, corpus_dir: Path, output: Path, metrics_path: Path) -> dict:
    """Train, copy the best model to `output`, and write its held-out scores."""
    examples = read_corpus(corpus_dir)
    if not examples:
        raise FileNotFoundError(f"no annotated lines under {corpus_dir}")
    dev = [ex for ex in examples if is_dev(ex[0], float(params["dev_fraction"]))]
    train = [ex for ex in examples if not is_dev(ex[0], float(params["dev_fraction"]))]
    config = init_config(lang="ar", pipeline=["ner"], optimize="efficiency")
    config["nlp"]["after_creation"] = {"@callbacks": "pipeline.arabic_norm.v1"}
    config["system"]["seed"] = int(params["seed"])
    config["training"].update(
        max_steps=int(params["max_steps"]), patience=int(params["patience"]), eval_frequency=int(params["eval_frequency"]), dropout=float(params["dropout"])
    )
    config["components"]["tok2vec"]["model"]["encode"]["width"] = int(params["width"])
    config["components"]["tok2vec"]["model"]["embed"]["rows"] = [int(r) for r in params["embed_rows"]]
    nlp = spacy.blank("ar")
    arabic_norm_callback()(nlp)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for name, part in (("train", train), ("dev", dev)):
            db, dropped = to_docbin(nlp, part)
            db.to_disk(tmp_path / f"{name}.spacy")
            log.info("train_ner_ar: %s split %d examples (%d spans not aligned)", name, len(part), dropped)
        config.to_disk(tmp_path / "config.cfg")
        spacy_train(tmp_path / "config.cfg", tmp_path / "out", overrides={"paths.train": str(tmp_path / "train.spacy"), "paths.dev": str(tmp_path / "dev.spacy")})
        trained = spacy.load(tmp_path / "out" / "model-best")
        perf = trained.evaluate(_examples(trained, dev))
        output.parent.mkdir(parents=True, exist_ok=True)
        staged = output.with_name(output.name + ".tmp")
        shutil.rmtree(staged, ignore_errors=True)
        trained.to_disk(staged)
        retired = output.with_name(output.name + ".old")
        shutil.rmtree(retired, ignore_errors=True)
        if output.exists():
            output.rename(retired)  # the swap leaves no moment without a model folder but this one
        staged.rename(output)
        shutil.rmtree(retired, ignore_errors=True)
    metrics = {
        "held_out": {"precision": perf["ents_p"], "recall": perf["ents_r"], "f1": perf["ents_f"], "per_type": perf["ents_per_type"]},
        "train_examples": len(train),
        "dev_examples": len(dev),
    }
    payload = json.dumps(metrics, ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write_bytes(metrics_path, lambda tmp: Path(tmp).write_bytes(payload))
    log.info("train_ner_ar: held-out P %.3f R %.3f F1 %.3f", perf.get("ents_p", 0), perf.get("ents_r", 0), perf.get("ents_f", 0))
    return metrics


@stage("train_ner_ar", requires=(), provides=())
def train_stage(ctx: Context) -> dict:
    """Train our Arabic NER model from data/train/ar into models/ner-ar."""
    params = ctx.section("train_ner_ar")
    train_model(params, ROOT / params["corpus"], ROOT / params["output"], ROOT / params["metrics"])
    return {}
