"""Linking mentions to entity ids: the catalog first, then within the document.

- A mention whose text is a catalog alias (or link-only short form) gets that entity's id.
- Otherwise a mention whose words are a subset of an earlier, longer mention of the same
  label ("Ryder" after "Pat Ryder") joins it, across scripts too: Latin-script names are
  compared with Arabic ones through arabnamer's English→Arabic transliteration.
- What remains gets a document-local id derived from the document and the mention key.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from arabnamer import translit

from ..textnorm import norm_key, script_of
from .catalog import Catalog
from .rules import name_dictionary

_WORD = re.compile(r"\w+", re.UNICODE)
_ARTICLE = re.compile(r"^(?:al|el|the)-?", re.IGNORECASE)


@lru_cache(maxsize=20000)
def arabic_form(word: str) -> str:
    """The normalised Arabic spelling of a Latin-script name word: arabnamer's dictionary, else its model."""
    bare = _ARTICLE.sub("", word)
    known = name_dictionary().get(bare.lower())
    return norm_key(known if known else (translit(bare).arabic or ""))


def mention_keys(text: str, transliterate: bool) -> frozenset[str]:
    """Normalised words of a mention; with `transliterate`, Latin words also in Arabic spelling."""
    words = [w for w in _WORD.findall(norm_key(text)) if len(w) > 1]
    if script_of(text) == "latin":
        return frozenset(words) | (frozenset(arabic_form(w) for w in words if w.isalpha()) if transliterate else frozenset())
    return frozenset(re.sub(r"^(?:[وف]?[بل]?ال|[وف])", "", w) if len(w) > 4 else w for w in words) | frozenset(words)


def local_id(doc_id: str, key: str) -> str:
    return "local/" + hashlib.blake2b(f"{doc_id}:{key}".encode(), digest_size=6).hexdigest()


def link_mentions(doc_id: str, mentions: list[dict], catalog: Catalog) -> None:
    """Set entity_id and canonical_name on each mention dict (text, label) in document order."""
    clusters: list[dict] = []  # {"id", "label", "keys", "name"}
    # Transliteration (a model call per new word) only pays where people are named in both scripts.
    scripts = {script_of(m["text"]) for m in mentions if m["label"] == "PERSON"}
    transliterate = {"arabic", "latin"} <= scripts
    # Longer mentions first, so that short forms can join the full name wherever it occurs.
    order = sorted(range(len(mentions)), key=lambda i: (-len(mentions[i]["text"]), mentions[i]["start"]))
    for i in order:
        m = mentions[i]
        ent = catalog.link(m["text"])
        if ent is not None:
            m["entity_id"], m["canonical_name"] = ent.entity_id, ent.canonical_name
            clusters.append({"id": ent.entity_id, "label": m["label"], "keys": mention_keys(m["text"], transliterate), "name": ent.canonical_name})
            continue
        keys = mention_keys(m["text"], transliterate)
        if m["label"] == "PERSON":
            own = frozenset(_WORD.findall(norm_key(m["text"])))
            match = next((c for c in clusters if c["label"] == "PERSON" and own and (own <= c["keys"] or keys & c["keys"] >= own)), None)
        else:
            match = next((c for c in clusters if c["label"] == m["label"] and norm_key(m["text"]) == c.get("key")), None)
        if match is None:
            key = norm_key(m["text"])
            match = {"id": local_id(doc_id, key), "label": m["label"], "keys": keys, "name": m["text"], "key": key}
            clusters.append(match)
        m["entity_id"], m["canonical_name"] = match["id"], match["name"]
