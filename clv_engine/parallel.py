"""Blocks of rows evaluated on a few threads.

numpy and scipy's special functions release the interpreter lock while they work on an
array, so a likelihood split into row blocks runs on several cores at once. Blocks have a
fixed size and their results are combined in block order, so every number is the same
whatever the number of cores. Where threads cannot be started (Python in a browser, as
Excel's Python runtime is) the blocks run one after another.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["map_blocks", "MAX_THREADS"]

T = TypeVar("T")
R = TypeVar("R")

MAX_THREADS = 4
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_no_threads = False
_inside = threading.local()


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


def _get_pool() -> ThreadPoolExecutor | None:
    global _pool
    with _lock:
        if _pool is None and not _no_threads and _workers() > 1:
            _pool = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="clv-block",
                                       initializer=_mark_worker)
        return _pool if not _no_threads else None


def _forget_pool_after_fork() -> None:
    """A forked child has the pool object but none of its threads (work sent to it would
    wait for ever): it starts its own when it needs one."""
    global _pool, _lock
    _pool = None
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _mark_worker() -> None:
    _inside.worker = True


def map_blocks(func: Callable[[T], R], blocks: Sequence[T]) -> list[R]:
    """``[func(b) for b in blocks]``, on worker threads when there is more than one block.

    Runs in the calling thread when there is one block, one core, no thread support, or
    when called from a worker itself (no waiting on a pool from inside it).
    """
    global _no_threads
    if len(blocks) < 2 or getattr(_inside, "worker", False):
        return [func(b) for b in blocks]
    pool = _get_pool()
    if pool is None:
        return [func(b) for b in blocks]
    try:
        futures = [pool.submit(func, b) for b in blocks]
    except RuntimeError:  # threads cannot be started here (or the interpreter is exiting)
        _no_threads = True
        return [func(b) for b in blocks]
    return [f.result() for f in futures]
