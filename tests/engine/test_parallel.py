"""Row blocks on threads: same results in the same order, with or without threads."""
import threading

import numpy as np
import pytest

from clv_engine import parallel
from clv_engine.models import BetaGeoModel, base


def test_results_come_back_in_block_order_from_worker_threads():
    seen = []

    def work(k):
        seen.append(threading.current_thread().name)
        return k * k

    assert parallel.map_blocks(work, list(range(20))) == [k * k for k in range(20)]
    if parallel._workers() > 1:
        assert any(name.startswith("clv-block") for name in seen)


def test_one_block_runs_in_the_calling_thread():
    names = parallel.map_blocks(lambda _: threading.current_thread().name, [0])
    assert names == [threading.current_thread().name]


def test_a_worker_asking_for_blocks_runs_them_itself():
    """No waiting on the pool from inside it (that could deadlock a full pool)."""
    def outer(k):
        inner = parallel.map_blocks(lambda _: threading.current_thread().name, [0, 1, 2])
        return len(set(inner)) == 1 and inner[0] == threading.current_thread().name

    assert all(parallel.map_blocks(outer, list(range(8))))


def test_without_threads_blocks_run_one_after_another(monkeypatch):
    class NoThreads:
        def submit(self, *args):
            raise RuntimeError("can't start new thread")

    monkeypatch.setattr(parallel, "_pool", NoThreads())
    monkeypatch.setattr(parallel, "_no_threads", False)
    assert parallel.map_blocks(lambda k: k + 1, [1, 2, 3]) == [2, 3, 4]
    assert parallel._no_threads  # remembered: no second attempt


def test_a_blocked_likelihood_equals_the_whole_one(monkeypatch):
    rng = np.random.default_rng(2)
    n = 5000
    rows = np.column_stack([rng.integers(0, 20, n).astype(float), rng.integers(0, 50, n) / 7,
                            rng.integers(50, 100, n) / 7])
    weights = rng.integers(1, 5, n).astype(float)
    theta = np.log([0.6, 9.0, 1.2, 5.0])
    model = BetaGeoModel()
    whole_objective, whole_objective_and_gradient = model._objectives(rows, weights, weights.sum())
    whole_value, whole_grad = whole_objective_and_gradient(theta)
    whole_moved = whole_objective(theta + 1e-3)
    monkeypatch.setattr(base, "LIKELIHOOD_BLOCK_ROWS", 700)  # 8 blocks, the last one short
    objective, objective_and_gradient = model._objectives(rows, weights, weights.sum())
    value, grad = objective_and_gradient(theta)
    assert value == pytest.approx(whole_value, rel=1e-13)
    assert grad == pytest.approx(whole_grad, rel=1e-10, abs=1e-13)
    assert objective(theta + 1e-3) == pytest.approx(whole_moved, rel=1e-13)
    repeat = [model._objectives(rows, weights, weights.sum())[1](theta) for _ in range(3)]
    assert all(v == value and np.array_equal(g, grad) for v, g in repeat)  # threads never change a bit


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_a_forked_child_starts_its_own_threads():
    """A child forked after the pool started has none of its threads: it must not wait on it."""
    import multiprocessing

    parallel.map_blocks(lambda k: k, [1, 2, 3])  # the parent's pool is running
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=lambda: queue.put(parallel.map_blocks(lambda k: k * 2, [1, 2, 3])))
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung on the parent's thread pool")
    assert queue.get(timeout=5) == [2, 4, 6]
