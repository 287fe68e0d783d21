"""One BLAS/OpenMP thread for the kernels that lose from more on a busy 2-core machine.

Many small matrix products (a cell of a partition against its neighbours, k-means++ seeding)
run several times slower with two BLAS threads than with one when the cores are shared, and
OpenMP in faiss spins while it waits. ``threadpoolctl`` scans the loaded libraries on every
``threadpool_limits`` call (~10 ms); the controller here scans once.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any

from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def prepare_thread_limits() -> None:
    """Scan the loaded libraries now (about 30 ms), once BLAS and faiss are loaded, instead of
    in the first request that limits threads. Changes no limit: a background thread may call it."""
    _controller()


def single_threaded() -> AbstractContextManager[Any]:
    """Context manager: BLAS and OpenMP limited to one thread inside it."""
    limiter: AbstractContextManager[Any] = _controller().limit(limits=1)
    return limiter
