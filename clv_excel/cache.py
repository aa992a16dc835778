"""Content-keyed LRU cache so several formulas over the same range fit once.

Excel recalculates every formula that refers to a range; each call receives a fresh copy
of the values. Entries are found by a cheap sample of the range (size, header, a few
spread-out rows) plus the settings, then confirmed by comparing the full contents, so
equal ranges share one intake and one model fit and a changed cell is never missed.
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


class ResultCache:
    """A small thread-safe LRU: ``get_or_compute(rows, settings_key, compute)``.

    Errors a user can fix (``ClvError``) are cached too, so a bad range does not re-run
    intake for every formula that refers to it.
    """

    def __init__(self, max_items: int = 16):
        self.max_items = max_items
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, rows, settings_key, compute):
        from clv_engine.errors import ClvError

        key = (range_sample_key(rows), settings_key)
        with self._lock:
            entry = self._items.get(key)
            if entry is not None and entry[0] == rows:
                self._items.move_to_end(key)
                self.hits += 1
                outcome = entry[1]
            else:
                entry = None
        if entry is None:
            self.misses += 1
            try:
                outcome = (True, compute())
            except ClvError as error:
                outcome = (False, error)
            with self._lock:
                self._items[key] = (rows, outcome)
                self._items.move_to_end(key)
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
        ok, value = outcome
        if not ok:
            raise value
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = 0
            self.misses = 0

    def __len__(self) -> int:
        return len(self._items)
