"""Spread independent computations (one series' backtest each) over the machine's cores.

Workers are forked, so they inherit the imported libraries and the warmed state at no cost, and
each uses one BLAS/OpenMP thread (:mod:`fjdata.core.threads`): small statsmodels fits in N
processes × N threads thrash a 2-core machine. Results come back in the order of the inputs, so a parallel run equals a serial
one. ``FJDATA_WORKERS=1`` (or a platform without ``fork``) runs everything in this process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from fjdata.core import config
from fjdata.core.threads import limit_this_process, one_blas_thread

T = TypeVar("T")
R = TypeVar("R")


def worker_count(n_items: int) -> int:
    """How many processes to use for ``n_items`` tasks: ``FJDATA_WORKERS`` or the cores, at most one per task.

    >>> worker_count(1)
    1
    """
    wanted = config.workers() or os.cpu_count() or 1
    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return 1  # no cheap workers here (or a daemon, which may not have children)
    return max(1, min(wanted, n_items))


def ordered_map(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None, desc: str | None = None) -> Iterator[R]:
    """``map(fn, items)`` over forked workers, yielding results in input order as they are ready.

    ``fn`` and its results must pickle; an exception in a worker is raised here. With ``desc``, a
    progress bar so labelled counts the items on a terminal (never in logs, kernels or pipes).

    >>> list(ordered_map(abs, [-1, 2, -3], workers=1))
    [1, 2, 3]
    """
    n = worker_count(len(items)) if workers is None else max(1, min(workers, len(items)))
    with contextlib.ExitStack() as stack:
        bar = None
        if desc and len(items) > 1 and sys.stderr.isatty():
            from tqdm import tqdm

            bar = stack.enter_context(tqdm(total=len(items), desc=desc, leave=False))
        if n <= 1:
            stack.enter_context(one_blas_thread())
            results: Iterator[R] = map(fn, items)
        else:
            ctx = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=limit_this_process)
            results = stack.enter_context(pool).map(fn, items)
        for r in results:
            if bar is not None:
                bar.update(1)
            yield r
