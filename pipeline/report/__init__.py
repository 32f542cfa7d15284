"""The `report` stage: an offline HTML report, data for `dvc plots`, and a DuckDB file of views over the tables."""

from __future__ import annotations

import pandas as pd

from ..schema import OUTPUT_TABLES
from ..stages import Context, stage


@stage("report", requires=OUTPUT_TABLES, provides=())
def report_stage(ctx: Context) -> dict[str, pd.DataFrame]:
    """Write reports/index.html, reports/plots/*.csv and data/processed/extract.duckdb."""
    from .build import build  # matplotlib loads only when this stage runs

    build(ctx)
    return {}
