"""The `evaluate` stage: P/R/F1 of the output tables against the project's gold set."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .constants import LABEL_MAP
from .stages import Context, stage
from .tables import atomic_write_bytes
from .textnorm import norm_key

log = logging.getLogger(__name__)

_PROCLITIC = re.compile(r"^(?:[وف]?[بلك]?(?=ال)|[وف](?=\S{3,}))")
_NON_WORD = re.compile(r"[\W_]+")
FIGURE_CATEGORIES = ("troops", "killed", "injured")


def key(text: str) -> str:
    """Matching key: normalised, punctuation folded, one leading proclitic stripped per word."""
    words = _NON_WORD.sub(" ", norm_key(str(text))).split()
    return " ".join(_PROCLITIC.sub("", w) for w in words)


def token_f1(a: str, b: str) -> float:
    ta, tb = Counter(key(a).split()), Counter(key(b).split())
    hit = sum((ta & tb).values())
    if not hit:
        return 0.0
    p, r = hit / sum(tb.values()), hit / sum(ta.values())
    return 2 * p * r / (p + r)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    def scores(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


def match(golds: list, preds: list, score) -> list[tuple[int, int]]:
    """One-to-one matching, best-scoring pairs first."""
    cands = sorted((-s, gi, pi) for gi, g in enumerate(golds) for pi, p in enumerate(preds) if (s := score(g, p)) > 0)
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in cands:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def _mention_score(g: str, p: str) -> float:
    kg, kp = key(g), key(p)
    if not kg or not kp:
        return 0.0
    if kg == kp:
        return 2.0
    short, long_ = sorted((kg, kp), key=len)
    return 1.0 if short in long_ and len(short) / len(long_) >= 0.6 else 0.0


def _part_of(short: str, long_: str) -> bool:
    s, lg = key(short).split(), set(key(long_).split())
    return bool(s) and len(s) < len(lg) and all(t in lg for t in s)


def _speaker_ok(gold: dict, speaker: str) -> bool:
    names = [gold.get("speaker", "")] + list(gold.get("speaker_aliases", []))
    got = {t for t in key(speaker).split() if len(t) >= 3}
    return any(got & {t for t in key(n).split() if len(t) >= 3} for n in names)


def score_documents(golds: dict[str, dict], tables: dict[str, pd.DataFrame]) -> tuple[dict, dict[str, list[str]]]:
    """Scores per metric and language group, and the misses per document."""
    by_doc = {name: dict(tuple(df.groupby("doc_id"))) if len(df) else {} for name, df in tables.items()}
    counts: dict[str, dict[str, Counts]] = defaultdict(lambda: defaultdict(Counts))
    lang_ok: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: dict[str, list[str]] = defaultdict(list)
    empty = pd.DataFrame()
    for doc_id, gold in sorted(golds.items()):
        langs = gold.get("languages", [])
        groups = ("all", "mixed" if len(langs) > 1 else (langs[0] if langs else "unknown"))
        seg = by_doc["segments"].get(doc_id, empty)
        got_langs = set(seg["lang"]) - {"und"} if len(seg) else set()
        for g in groups:
            lang_ok[g][0] += int(got_langs == set(langs))
            lang_ok[g][1] += 1
        # entities
        gents = list({(key(e["text"]), e["label"]): e for e in gold.get("entities", [])}.values())
        ents = by_doc["entities"].get(doc_id, empty)
        pents = list({(key(t), LABEL_MAP.get(lab)): {"text": t, "label": LABEL_MAP.get(lab)}
                      for t, lab in zip(ents.get("text", []), ents.get("label", [])) if LABEL_MAP.get(lab) in ("PERSON", "ORG", "LOC")}.values())
        pairs = match(gents, pents, lambda g, p: _mention_score(g["text"], p["text"]) if g["label"] == p["label"] else 0)
        gm, pm = {g for g, _ in pairs}, {p for _, p in pairs}
        optional = gold.get("optional_entities", [])
        fp = [p for i, p in enumerate(pents) if i not in pm and not any(_mention_score(o["text"], p["text"]) >= 2 for o in optional)
              and not any(_part_of(p["text"], g["text"]) for g in gents)]
        fn = [g for i, g in enumerate(gents) if i not in gm and not any(_part_of(g["text"], gents[j]["text"]) for j in gm)]
        for g in groups:
            counts[g]["entities"].add(len(pairs), len(fp), len(fn))
        misses[doc_id] += [f"ENT miss {e['label']}:{e['text']}" for e in fn] + [f"ENT extra {e['label']}:{e['text']}" for e in fp]
        # figures
        gfig = [f for f in gold.get("figures", []) if f.get("category") in FIGURE_CATEGORIES]
        figs = by_doc["figures"].get(doc_id, empty)
        pfig = [{"value": v, "category": c, "text": t} for v, c, t in zip(figs.get("value", []), figs.get("category", []), figs.get("text", []))
                if c in FIGURE_CATEGORIES and pd.notna(v)]
        pairs = match(gfig, pfig, lambda g, p: float(g["category"] == p["category"] and abs(float(g["value"]) - float(p["value"])) < 1e-6))
        for g in groups:
            counts[g]["figures"].add(len(pairs), len(pfig) - len(pairs), len(gfig) - len(pairs))
        hit_g, hit_p = {g for g, _ in pairs}, {p for _, p in pairs}
        misses[doc_id] += [f"FIG miss {f['category']}={f['value']} ({f['text']})" for i, f in enumerate(gfig) if i not in hit_g]
        misses[doc_id] += [f"FIG extra {f['category']}={f['value']} ({f['text']})" for i, f in enumerate(pfig) if i not in hit_p]
        # quotes
        quotes = by_doc["quotes"].get(doc_id, empty)
        for kind in ("direct", "indirect"):
            gq = [q for q in gold.get("quotes", []) if q.get("kind", "direct") == kind]
            pq = [{"quote": q, "speaker": s if isinstance(s, str) else ""} for q, s, k in
                  zip(quotes.get("quote", []), quotes.get("speaker", []), quotes.get("kind", [])) if k == kind]
            pairs = match(gq, pq, lambda g, p: f if (f := token_f1(g["text"], p["quote"])) >= 0.5 else 0)
            attributed = sum(_speaker_ok(gq[g], pq[p]["speaker"]) for g, p in pairs)
            for g in groups:
                counts[g][f"quotes_{kind}"].add(len(pairs), len(pq) - len(pairs), len(gq) - len(pairs))
                counts[g][f"quotes_{kind}_attributed"].add(attributed, len(pq) - attributed, len(gq) - attributed)
            hit = {g for g, _ in pairs}
            misses[doc_id] += [f"QUO miss {kind}: {q['speaker']}: {q['text'][:70]}" for i, q in enumerate(gq) if i not in hit]
            misses[doc_id] += [f"SPK wrong {kind}: want {gq[g]['speaker']} got {pq[p]['speaker'] or '-'}" for g, p in pairs if not _speaker_ok(gq[g], pq[p]["speaker"])]
    metrics = {
        g: {**{m: c.scores() for m, c in sorted(ms.items())}, "languages_exact": {"accuracy": round(lang_ok[g][0] / lang_ok[g][1], 4), "n": lang_ok[g][1]}}
        for g, ms in sorted(counts.items())
    }
    return metrics, {d: m for d, m in misses.items() if m}


def load_gold(gold_dir: Path) -> dict[str, dict]:
    if not gold_dir.is_dir():
        raise FileNotFoundError(f"gold folder {gold_dir} does not exist")
    return {p.name.removesuffix(".gold.json"): json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.gold.json"))}


@stage("evaluate", requires=("segments", "entities", "figures", "quotes"), provides=())
def evaluate_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Score the tables against the gold set into metrics.json and a miss list."""
    golds = load_gold(ctx.gold_dir or Path(ctx.section("evaluate")["gold_dir"]))
    tables = {name: ctx.table(name) for name in ("segments", "entities", "figures", "quotes")}
    metrics, misses = score_documents(golds, tables)
    metrics["documents_scored"] = len(golds)
    ctx.reports_dir.mkdir(parents=True, exist_ok=True)
    for name, obj in (("metrics.json", metrics), ("misses.json", misses)):
        payload = json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write_bytes(ctx.reports_dir / name, lambda tmp, data=payload: Path(tmp).write_bytes(data))
    summary = {m: v["f1"] for m, v in metrics.get("all", {}).items() if isinstance(v, dict) and "f1" in v}
    log.info("evaluate: %d gold documents; F1 %s", len(golds), summary)
    return {}
