"""The report's view of the tables: document languages, publication dates, figures per date and speaker names."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..constants import STATUS_OK, UNDETERMINED

CHARTED_CATEGORIES = ("troops", "killed", "injured")
MIN_LANGUAGE_SHARE = 0.1  # a language under this share of a document's characters does not name it


@dataclass(frozen=True)
class ReportData:
    """The tables the report reads, with the derived columns it needs."""

    documents: pd.DataFrame
    segments: pd.DataFrame
    entities: pd.DataFrame
    entity_index: pd.DataFrame
    figures: pd.DataFrame
    quotes: pd.DataFrame
    problems: pd.DataFrame
    row_counts: dict[str, int]

    @property
    def ok_documents(self) -> pd.DataFrame:
        return self.documents[self.documents["status"] == STATUS_OK]


def text(value: object) -> str:
    """A cell as text: missing values (None, NaN, NA) become ''."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def document_languages(segments: pd.DataFrame) -> dict[str, str]:
    """Each document's languages by share of characters, largest first, joined with '+' ('ar+en')."""
    seg = segments[segments["lang"].notna() & (segments["lang"] != UNDETERMINED)]
    chars = (seg["end"] - seg["start"]).groupby([seg["doc_id"], seg["lang"]]).sum()
    out: dict[str, str] = {}
    for doc_id, per_lang in chars.groupby(level=0):
        shares = per_lang.droplevel(0) / per_lang.sum()
        kept = shares[shares >= MIN_LANGUAGE_SHARE].sort_values(ascending=False, kind="stable")
        out[str(doc_id)] = "+".join(kept.index)
    return out


def published_dates(documents: pd.DataFrame) -> pd.Series:
    """Publication day per doc_id (NaT where `published` is missing or unparseable)."""
    stamps = pd.to_datetime(documents["published"], errors="coerce", utc=True, format="ISO8601")
    return pd.Series(stamps.dt.tz_localize(None).dt.normalize().values, index=documents["doc_id"].values)


def dated_figures(data: ReportData) -> pd.DataFrame:
    """Troop and casualty figures with their document's publication day, undated ones dropped."""
    figs = data.figures[data.figures["category"].isin(CHARTED_CATEGORIES) & data.figures["value"].notna()]
    figs = figs.assign(published=figs["doc_id"].map(published_dates(data.documents)))
    figs = figs[figs["published"].notna()].sort_values(["published", "doc_id", "start"], kind="stable")
    return figs[["published", "category", "value", "actor", "location", "doc_id", "text"]].reset_index(drop=True)


def speaker_names(quotes: pd.DataFrame, entity_index: pd.DataFrame) -> pd.Series:
    """Each quote's speaker for grouping: the linked entity's name, else the speaker as written."""
    names = entity_index.drop_duplicates("entity_id").set_index("entity_id")["canonical_name"]
    linked = quotes["speaker_entity_id"].map(names)
    return linked.where(linked.notna(), quotes["speaker"]).map(text)
