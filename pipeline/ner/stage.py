"""The `ner` stage (being written)."""

from __future__ import annotations

import pandas as pd

from ..stages import Context, stage
from ..tables import frame


@stage("ner", requires=("documents", "sentences"), provides=("entities", "entity_index"))
def ner_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Find and link named entities per sentence, routed by language."""
    return {"entities": frame("entities", []), "entity_index": frame("entity_index", [])}
