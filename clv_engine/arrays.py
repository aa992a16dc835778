"""Array helpers for millions of rows: distinct rows of several columns, and grouping by
customer without hashing text.

numpy's stable sort is a timsort for 64-bit integers but a radix sort for 16-bit ones;
sorting a large non-negative integer key 16 bits at a time is exact (each pass is
stable) and about three times faster on a few million rows.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

__all__ = ["python_strings", "text_per_distinct", "distinct_rows", "stable_argsort", "sorted_integers", "renumber_by_first_appearance"]

_RADIX_MIN_ROWS = 100_000


def text_per_distinct(values: np.ndarray, convert) -> np.ndarray:
    """``convert`` (array -> array of text) applied to the distinct values of ``values``
    only, spread back as an object array; NaN and NaT become "". For columns whose values
    repeat (prices, days, order times over line items): the text work is per value."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    text = np.append(np.asarray(convert(np.asarray(distinct)), dtype=object), "").astype(object)
    return text[codes]  # code -1 picks the appended ""


def python_strings(func):
    """Run ``func`` with pandas' text columns stored as Python strings, whether or not
    pyarrow is installed.

    pandas 3 stores ``str`` columns in Arrow arrays when pyarrow is importable. The engine's
    text work (whole-column joins and searches, hashing distinct values, per-distinct-value
    cleaning) is built on Python strings; with Arrow storage every such step first converts,
    which made the command a fifth slower at a million customers. The choice is made here,
    explicitly, for the duration of the call only (the caller's own pandas settings are
    restored afterwards).
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with pd.option_context("mode.string_storage", "python"):
            return func(*args, **kwargs)
    return wrapper
_KEY_LIMIT = 2 ** 62


def distinct_rows(*columns) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of equal-length columns, in order of first appearance.

    Returns ``(unique_columns, inverse, counts)`` with ``unique_columns[k][inverse]`` equal
    to ``columns[k]`` and ``counts`` the number of rows of each. Hash-based (pandas
    factorize, linear in the rows): each column's codes are folded into one integer key,
    which is renumbered whenever the next fold could overflow.
    """
    columns = [np.asarray(c) for c in columns]
    key = np.zeros(len(columns[0]), dtype=np.int64)
    size = 1
    for column in columns:
        codes, uniques = pd.factorize(column, sort=False)
        if size * (len(uniques) + 1) >= _KEY_LIMIT:
            key, seen = pd.factorize(key, sort=False)
            size = len(seen)
        key = key * np.int64(len(uniques) + 1) + codes
        size *= len(uniques) + 1
    inverse, unique_keys = pd.factorize(key, sort=False)
    first = np.empty(len(unique_keys), dtype=np.int64)
    # first row of each pattern: scatter indices in reverse so the first wins
    first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1, dtype=np.int64)
    counts = np.bincount(inverse, minlength=len(unique_keys))
    return [c[first] for c in columns], inverse, counts


def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for an integer array, faster on large inputs."""
    keys = np.asarray(keys)
    # (numpy's own stable sort of 8- and 16-bit keys is already a radix sort)
    if len(keys) < _RADIX_MIN_ROWS or keys.dtype.kind not in "iu" or keys.dtype.itemsize <= 2 or keys.min() < 0:
        return np.argsort(keys, kind="stable")
    top = int(keys.max())
    passes = max(1, (top.bit_length() + 15) // 16)
    if passes > 3:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    for shift in range(16, 16 * passes, 16):
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
    return order


def sorted_integers(keys: np.ndarray) -> np.ndarray:
    """``np.sort(keys)`` for an integer array: on large non-negative keys, sorted 16 bits at
    a time by the values themselves (no index permutation to carry)."""
    keys = np.asarray(keys)
    if len(keys) < _RADIX_MIN_ROWS or keys.dtype.kind not in "iu" or keys.min() < 0:
        return np.sort(keys)
    passes = max(1, (int(keys.max()).bit_length() + 15) // 16)
    if passes > 3:
        return np.sort(keys)
    for shift in range(0, 16 * passes, 16):
        keys = keys[np.argsort(((keys >> shift) & 0xFFFF).astype(np.uint16), kind="stable")]
    return keys


def renumber_by_first_appearance(codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """``(new_codes, old_of_new)``: codes ``0..n_codes-1`` renumbered 0, 1, … in order of
    first appearance in ``codes`` (codes that never appear are dropped), as
    ``pd.factorize(codes)`` would, without a hash table."""
    codes = np.asarray(codes, dtype=np.int64)
    first = np.full(n_codes, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    seen = np.flatnonzero(first < len(codes))
    old_of_new = seen[stable_argsort(first[seen])]
    new_of_old = np.empty(n_codes, dtype=np.int64)
    new_of_old[old_of_new] = np.arange(len(old_of_new), dtype=np.int64)
    return new_of_old[codes], old_of_new
