"""One BLAS/OpenMP thread wherever fjdata fits models.

Statsmodels fits are many tiny linear-algebra calls: on a 2-core machine, N worker processes each
running N OpenBLAS threads spend their time spinning (a cold ``assess()`` took 30 s instead of 5 s).
Thread variables are read only when a BLAS library is loaded, and numpy loads OpenBLAS when it
is imported, so setting them in a forked worker changes nothing: the pools that are already
loaded are resized through :mod:`threadpoolctl` instead.

- :func:`limit_this_process` is for processes fjdata owns (pool workers, the nightly batch):
  one thread for the rest of the process, and for every child it starts (kernels inherit the
  variables).
- :func:`one_blas_thread` is for work done in a user's own process (a notebook calling
  ``assess()``): one thread while it runs, the user's setting restored afterwards.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from typing import Any

BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def _load_blas() -> None:
    """Load every BLAS the fits use before limiting, so that none starts later with its default
    pool: numpy's and scipy's wheels each bundle their own OpenBLAS."""
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401


def limit_this_process() -> None:
    """One BLAS/OpenMP thread in this process from now on, and in every process it starts."""
    for var in BLAS_THREAD_VARS:
        os.environ[var] = "1"
    _load_blas()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which every loaded BLAS/OpenMP pool has one thread (restored on exit).

    >>> from threadpoolctl import threadpool_info
    >>> with one_blas_thread():
    ...     all(pool["num_threads"] == 1 for pool in threadpool_info())
    True
    """
    _load_blas()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)
