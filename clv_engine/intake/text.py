"""Whole-column text checks without a Python call per cell.

pandas' ``.str`` methods on the ``str``/``object`` dtype call Python once per cell, which
dominates intake time on files with millions of rows. Here a column is joined into one
string (cells separated by ``\\x00``) and searched with C-level string operations;
per-cell work happens only for the few cells a search finds.
Every function returns exactly what the per-cell version would.
"""
from __future__ import annotations

import functools
import re

import numpy as np

__all__ = ["JoinedColumn", "whitespace_chars"]

SEPARATOR = "\x00"  # not whitespace, never produced by lower()/upper()


@functools.cache
def whitespace_chars() -> tuple[str, ...]:
    """Every character ``str.isspace()`` (and regex ``\\s``) accepts; all are below U+3001."""
    return tuple(chr(c) for c in range(0x3001) if chr(c).isspace())


class JoinedColumn:
    """A column of text cells as one ``\\x00``-separated string, with cell lookup by offset."""

    def __init__(self, cells: list[str], text: str):
        self.cells = cells
        self.text = text  # SEPARATOR + cell0 + SEPARATOR + cell1 ... + SEPARATOR
        self._bounds: np.ndarray | None = None

    @classmethod
    def of(cls, values) -> JoinedColumn | None:
        """Join a Series/array of ``str``; None when a cell holds the separator itself or is not text."""
        cells = values.tolist() if hasattr(values, "tolist") else list(values)
        if not cells:
            return cls(cells, SEPARATOR)
        try:
            text = SEPARATOR.join(["", *cells, ""])
        except TypeError:  # a missing value (NaN) among the cells: callers use their per-cell path
            return None
        if text.count(SEPARATOR) != len(cells) + 1:
            return None
        return cls(cells, text)

    def present(self, chars) -> list[str]:
        """The characters of ``chars`` that occur anywhere in the column."""
        return [c for c in chars if c in self.text]

    @property
    def bounds(self) -> np.ndarray:
        """Offsets of the separators: cell ``i`` lies strictly between ``bounds[i]`` and ``bounds[i+1]``."""
        if self._bounds is None:
            lengths = np.fromiter(map(len, self.cells), dtype=np.int64, count=len(self.cells))
            self._bounds = np.concatenate(([0], np.cumsum(lengths + 1)))
        return self._bounds

    def _offsets(self, needle: str) -> np.ndarray:
        found, text, start = [], self.text, 0
        while (pos := text.find(needle, start)) >= 0:
            found.append(pos)
            start = pos + 1
        return np.asarray(found, dtype=np.int64)

    def cells_starting_with(self, needle: str) -> np.ndarray:
        """Positions of cells that start with ``needle``."""
        found = self._offsets(SEPARATOR + needle)
        return np.searchsorted(self.bounds, found) if len(found) else found

    def cells_matching(self, pattern: str, flags: int = 0) -> np.ndarray:
        """Positions of cells that begin with a match of the regular expression ``pattern``
        (one scan of the whole column; ``pattern`` must not match the separator)."""
        found = [m.start() for m in re.finditer(SEPARATOR + "(?:" + pattern + ")", self.text, flags)]
        return np.searchsorted(self.bounds, np.asarray(found, dtype=np.int64)) if found else \
            np.zeros(0, dtype=np.int64)

    def cells_ending_with(self, needle: str) -> np.ndarray:
        """Positions of cells that end with ``needle``."""
        found = self._offsets(needle + SEPARATOR)
        return np.searchsorted(self.bounds, found + len(needle)) - 1 if len(found) else found

    def cells_containing(self, needle: str) -> np.ndarray:
        """Positions of cells that contain ``needle`` (one character)."""
        found = self._offsets(needle)
        return np.unique(np.searchsorted(self.bounds, found, side="right") - 1) if len(found) else found

