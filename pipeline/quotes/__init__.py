"""Quotes: direct quotations and reported speech with resolved speakers, in Arabic, English and French."""

from .core import find_quotes

__all__ = ["find_quotes"]
