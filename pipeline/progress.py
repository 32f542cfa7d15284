"""Progress bars for long loops (shown on a terminal, silent in logs and CI)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, unit: str = "doc", total: int | None = None) -> Iterator[T]:
    """Wrap an iterable in a tqdm bar on stderr; disabled when stderr is not a terminal."""
    yield from tqdm(items, desc=desc, unit=unit, total=total, disable=None, leave=False, dynamic_ncols=True)
