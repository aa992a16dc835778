"""Array helpers: distinct rows and the radix argsort agree with numpy's slow answers."""
import numpy as np
import pytest

from clv_engine.arrays import distinct_rows, stable_argsort


def _check_distinct(columns):
    unique, inverse, counts = distinct_rows(*columns)
    for u, c in zip(unique, columns):
        assert np.array_equal(u[inverse], c)
    stacked = np.column_stack([np.asarray(u, dtype=float) for u in unique])
    assert len(np.unique(stacked, axis=0)) == len(stacked)  # really distinct
    assert counts.sum() == len(columns[0]) and np.array_equal(counts, np.bincount(inverse))
    return unique, inverse


def test_distinct_rows_in_order_of_first_appearance():
    x = np.array([3.0, 1.0, 3.0, 2.0, 1.0])
    t = np.array([5.0, 4.0, 5.0, 4.0, 4.0])
    (ux, ut), inverse = _check_distinct([x, t])
    assert ux.tolist() == [3.0, 1.0, 2.0] and ut.tolist() == [5.0, 4.0, 4.0]
    assert inverse.tolist() == [0, 1, 0, 2, 1]


def test_distinct_rows_when_the_combined_key_would_overflow_int64():
    rng = np.random.default_rng(0)
    n = 200_000  # four columns of ~200k distinct values: 200k**4 > 2**62
    columns = [rng.random(n).round(6) for _ in range(4)]
    columns = [np.concatenate([c, c[:1000]]) for c in columns]  # 1000 repeated rows
    unique, inverse = _check_distinct(columns)
    assert len(unique[0]) == n


@pytest.mark.parametrize("top", [10, 70_000, 2 ** 40])
def test_stable_argsort_matches_numpy(top):
    keys = np.random.default_rng(1).integers(0, top, size=150_000)
    assert np.array_equal(stable_argsort(keys), np.argsort(keys, kind="stable"))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint16, np.int32, np.uint32])
def test_stable_argsort_of_narrow_keys_matches_numpy(dtype):
    """Category codes come as int8/int16/int32 (a shop of a few thousand customers with
    hundreds of thousands of orders has int16 codes)."""
    top = min(np.iinfo(dtype).max, 3_000_000)
    keys = np.random.default_rng(2).integers(0, top, size=150_000).astype(dtype)
    assert np.array_equal(stable_argsort(keys), np.argsort(keys, kind="stable"))
