"""Content-keyed cache so several formulas over the same range read and fit once.

Excel recalculates every formula that refers to a range; each call receives a fresh copy
of the values. A range is found by a cheap sample (size, header, a few spread-out rows),
then confirmed by comparing the full contents, so a changed cell is never missed.

One entry per range holds **one** copy of its values and, beside it, every result
computed from them (the intake, then one analysis per combination of settings). Ten
formulas with different settings over a 541,000-row range therefore keep one copy of
the range, not ten.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

SAMPLED_ROWS = 64


def range_sample_key(rows) -> tuple:
    """Cheap key of a rectangular list of rows: size, header and evenly spaced rows."""
    count = len(rows)
    step = max(1, count // SAMPLED_ROWS)
    picked = list(range(0, count, step))
    if count and picked[-1] != count - 1:
        picked.append(count - 1)
    return (count, len(rows[0]) if count else 0) + tuple(tuple(rows[i]) for i in picked)


class _RangeEntry:
    __slots__ = ("rows", "results")

    def __init__(self, rows):
        self.rows = rows
        self.results: OrderedDict = OrderedDict()


class ResultCache:
    """A small thread-safe LRU: ``get_or_compute(rows, settings_key, compute)``.

    ``max_ranges`` ranges are kept (least recently used dropped first), each with up to
    ``max_results`` results. Errors a user can fix (``ClvError``) are cached too, so a bad
    range does not re-run intake for every formula that refers to it.
    """

    def __init__(self, max_ranges: int = 4, max_results: int = 16):
        self.max_ranges = max_ranges
        self.max_results = max_results
        self._ranges: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def entry_for(self, rows) -> _RangeEntry:
        """The entry holding ``rows`` (an equal range found earlier, else a new one)."""
        key = range_sample_key(rows)
        with self._lock:
            entry = self._ranges.get(key)
            if entry is not None:
                self._ranges.move_to_end(key)
        if entry is not None and (entry.rows is rows or entry.rows == rows):
            return entry
        entry = _RangeEntry(rows)
        with self._lock:
            self._ranges[key] = entry
            self._ranges.move_to_end(key)
            while len(self._ranges) > self.max_ranges:
                self._ranges.popitem(last=False)
        return entry

    def get_or_compute(self, rows, settings_key, compute, entry: _RangeEntry | None = None):
        from clv_engine.errors import ClvError

        entry = entry or self.entry_for(rows)
        with self._lock:
            outcome = entry.results.get(settings_key)
            if outcome is not None:
                entry.results.move_to_end(settings_key)
                self.hits += 1
        if outcome is None:
            self.misses += 1
            try:
                outcome = (True, compute())
            except ClvError as error:
                outcome = (False, error)
            with self._lock:
                entry.results[settings_key] = outcome
                while len(entry.results) > self.max_results:
                    first = next(iter(entry.results))
                    if first == ("intake",):  # everything else is built on the intake
                        entry.results.move_to_end(first)
                        first = next(iter(entry.results))
                    entry.results.pop(first)
        ok, value = outcome
        if not ok:
            raise value
        return value

    def copies_of_ranges(self) -> int:
        """How many range copies are held (one per distinct range)."""
        return len(self._ranges)

    def clear(self) -> None:
        with self._lock:
            self._ranges.clear()
            self.hits = 0
            self.misses = 0

    def __len__(self) -> int:
        return sum(len(entry.results) for entry in self._ranges.values())
