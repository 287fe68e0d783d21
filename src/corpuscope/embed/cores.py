"""How many CPU cores the pipeline may use, and how it splits them.

Two layouts (see :mod:`corpuscope.embed.pipeline`):

- a model that worker processes can load (the bundled one) runs one single-threaded copy per
  core, each worker decoding and embedding its own chunks;
- a model that only the main process holds (CLIP through torch) gets every core for its
  threads, beside one decoding worker per four cores: its forward pass costs 20-100 times
  the decoding, so the workers need little CPU.

Measured with ``bench/vectors_bench.py``; docs/models.md has the figures.
"""

from __future__ import annotations

import os


def count_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_workers(cores: int | None = None) -> int:
    """Decoding-only workers beside a main-process model: one per four cores, 1 to 8."""
    cores = count_cores() if cores is None else cores
    return max(1, min(8, cores // 4))
