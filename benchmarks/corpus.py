"""A synthetic corpus: the sample articles scaled to N documents, each one different.

Every generated document takes one of the sample corpus's ok documents and varies it: numbers are
replaced by other numbers, names from the entity catalog are swapped for other names of the same
type and script, and the sentences of each paragraph are shuffled. No two documents share a text,
so neither the cache nor any memoisation can skip work.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from pipeline.cli import load_params
from pipeline.constants import DEFAULT_PARAMS, ROOT
from pipeline.ingest import ingest
from pipeline.textnorm import script_of

NUMBER = re.compile(r"\d+")
SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
SWAPS = {  # names of one type and script, swapped for each other (all in the catalog)
    "latin": ["Iraq", "Syria", "Jordan", "Lebanon", "Yemen", "Kuwait", "Qatar", "Bahrain"],
    "arabic": ["العراق", "سوريا", "الأردن", "لبنان", "اليمن", "الكويت", "قطر", "البحرين"],
}


def source_documents() -> list[tuple[str, str]]:
    """(doc_id, text) of the ok documents of the sample corpus."""
    params = load_params(DEFAULT_PARAMS)
    docs, _ = ingest(ROOT / "data" / "raw", params["ingest"])
    ok = docs[docs["status"] == "ok"]
    return list(zip(ok["doc_id"], ok["text"]))


def vary(text: str, rng: random.Random) -> str:
    """The same article in other words: other numbers, other place names, sentences reordered."""
    text = NUMBER.sub(lambda m: m.group() if 1900 <= int(m.group()) <= 2100 else str(rng.randint(2, 9 * 10 ** (len(m.group()) - 1) + 1)), text)
    names = SWAPS["arabic" if script_of(text) == "arabic" else "latin"]
    mapping = dict(zip(names, rng.sample(names, len(names))))
    text = re.sub("|".join(map(re.escape, names)), lambda m: mapping[m.group()], text)
    paragraphs = []
    for para in text.split("\n\n"):
        sentences = SENTENCE_END.split(para.strip())
        if len(sentences) > 2:
            head, rest = sentences[0], sentences[1:]
            rng.shuffle(rest)
            sentences = [head, *rest]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def generate(out_dir: Path, n: int, seed: int = 7, start: int = 0) -> list[Path]:
    """Write documents start..start+n-1 of the synthetic corpus as .txt files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = source_documents()
    paths = []
    for i in range(start, start + n):
        doc_id, text = sources[i % len(sources)]
        rng = random.Random(f"{seed}:{i}")
        path = out_dir / f"gen_{i:06d}_{doc_id[:40]}.txt"
        path.write_text(vary(text, rng), encoding="utf-8")
        paths.append(path)
    return paths
