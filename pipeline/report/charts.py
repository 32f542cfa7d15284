"""The report's charts: matplotlib figures rendered to SVG for inlining (text stays text, for the browser to shape)."""

from __future__ import annotations

from io import StringIO

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .data import CHARTED_CATEGORIES, text

CATEGORY_COLORS = {"troops": "#3b6ea5", "killed": "#b8423a", "injured": "#e0a030"}
CATEGORY_MARKERS = {"troops": "o", "killed": "s", "injured": "^"}
GROUP_COLORS = ("#4c566a", "#3b6ea5", "#b8423a", "#6a9f58", "#e0a030", "#8f6bb3", "#5fa3a8")
TOP_ACTORS = 12
NO_ACTOR = "(not stated)"


def to_svg(fig: Figure, name: str) -> str:
    """The figure as an <svg> element: no XML prolog, no date, ids salted by `name` so charts can share a page."""
    buf = StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def f1_chart(metrics: dict) -> str | None:
    """F1 per table (scored metric) as horizontal bars, one bar per language group."""
    groups = [g for g, v in metrics.items() if isinstance(v, dict)]
    names = [m for m, v in metrics.get("all", {}).items() if isinstance(v, dict) and "f1" in v]
    if not groups or not names:
        return None
    fig = Figure(figsize=(7.5, 0.5 + 0.55 * len(names)))
    ax = fig.add_subplot()
    height = 0.8 / len(groups)
    ys = np.arange(len(names))
    for i, group in enumerate(groups):
        values = [metrics[group].get(m, {}).get("f1", np.nan) for m in names]
        ax.barh(ys + i * height, values, height, label=group, color=GROUP_COLORS[i % len(GROUP_COLORS)])
    ax.set_yticks(ys + height * (len(groups) - 1) / 2, [n.replace("_", " ") for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("F1 against data/gold")
    ax.legend(title="language", loc="lower left", bbox_to_anchor=(1.01, 0), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return to_svg(fig, "f1")


def time_chart(dated: pd.DataFrame) -> str | None:
    """Each dated figure as a point: publication day against the number stated (log scale), by category."""
    if dated.empty:
        return None
    fig = Figure(figsize=(7.5, 3.6))
    ax = fig.add_subplot()
    for cat in CHARTED_CATEGORIES:
        rows = dated[dated["category"] == cat]
        if len(rows):
            ax.scatter(rows["published"], rows["value"], label=cat, color=CATEGORY_COLORS[cat], marker=CATEGORY_MARKERS[cat], alpha=0.8)
    ax.set_yscale("log")
    first, last = dated["published"].min(), dated["published"].max()
    pad = max((last - first) * 0.05, pd.Timedelta(days=10))
    ax.set_xlim(first - pad, last + pad)
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("publication date")
    ax.set_ylabel("number stated")
    ax.legend(loc="lower left", bbox_to_anchor=(1.01, 0), frameon=False)
    ax.grid(alpha=0.3)
    return to_svg(fig, "time")


def actor_chart(figures: pd.DataFrame) -> str | None:
    """Number of figures per actor (most frequent first), stacked by category."""
    figs = figures[figures["category"].isin(CHARTED_CATEGORIES)]
    if figs.empty:
        return None
    actors = figs["actor"].map(text).replace("", NO_ACTOR)
    counts = pd.crosstab(actors, figs["category"]).reindex(columns=list(CHARTED_CATEGORIES), fill_value=0)
    totals = counts.sum(axis=1).sort_values(ascending=False, kind="stable")
    order = [a for a in totals.index if a != NO_ACTOR][:TOP_ACTORS] + [a for a in totals.index if a == NO_ACTOR]
    counts = counts.loc[order]  # most frequent first, "not stated" last
    fig = Figure(figsize=(7.5, 0.6 + 0.32 * len(counts)))
    ax = fig.add_subplot()
    left = np.zeros(len(counts))
    for cat in CHARTED_CATEGORIES:
        ax.barh(counts.index, counts[cat], left=left, label=cat, color=CATEGORY_COLORS[cat])
        left += counts[cat].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("figures reported")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower left", bbox_to_anchor=(1.01, 0), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return to_svg(fig, "actors")
