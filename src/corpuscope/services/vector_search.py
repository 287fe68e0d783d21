"""The nearest-neighbour index of a project's vector set, built once and kept.

Similar images and recommendations search a set of ``EXACT_LIMIT`` (50,000) vectors or more
through an index (see :mod:`corpuscope.analysis.vector_index`); smaller sets stay exact. The
index belongs to one revision of one vector set: it is built on first use (or right after
``corpuscope vectors``), kept in this process and in ``cache/index-<set>-r<revision>.faiss``,
and a new revision (vectors computed since) makes a new one. A damaged or unreadable file is
built again; the file only saves time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from corpuscope.analysis import vector_index
from corpuscope.analysis.vector_index import VectorIndex
from corpuscope.atomic import write_atomically
from corpuscope.store.db import Project
from corpuscope.store.vectors import VectorSet

#: Indexes kept in this process (the web server's): each about a quarter of its vectors' size.
_KEPT = 2
_kept: OrderedDict[tuple[str, int, int, str], VectorIndex] = OrderedDict()
_building = threading.Lock()


def vector_index_for(
    project: Project, vector_set: VectorSet, X: npt.NDArray[np.float32]
) -> VectorIndex | None:
    """The index over ``X`` (the set's vectors at its current revision), None below the limit."""
    if len(X) < vector_index.EXACT_LIMIT:
        return None
    key = (str(project.root.resolve()), vector_set.id, vector_set.revision, vector_set.created_at)
    with _building:  # one build at a time; a second caller waits for the first one's index
        found = _kept.get(key)
        if found is None or found.n != len(X):
            found = _load_or_build(project.cache_dir, vector_set, X)
            _kept[key] = found
        _kept.move_to_end(key)
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
        return found


def read_index_ahead(project: Project, vector_set: VectorSet) -> None:
    """Read the index file once, so that the cells a search maps in are already in memory
    instead of read from the disk by the first searches (a group's recommendations search the
    cells of up to 17 queries). Nothing happens without a file."""
    try:
        with _index_path(project.cache_dir, vector_set).open("rb", buffering=0) as handle:
            chunk = bytearray(1 << 24)
            while handle.readinto(chunk):
                pass
    except OSError:
        pass  # no index file (yet): nothing to read ahead


def _index_path(cache_dir: Path, vector_set: VectorSet) -> Path:
    return cache_dir / f"index-{vector_set.id}-r{vector_set.revision}.faiss"


def _load_or_build(
    cache_dir: Path, vector_set: VectorSet, X: npt.NDArray[np.float32]
) -> VectorIndex:
    path = _index_path(cache_dir, vector_set)
    try:
        # Memory-mapped: opening takes a millisecond, and the cells are read as searched.
        found = vector_index.vector_index_over(faiss.read_index(str(path), faiss.IO_FLAG_MMAP), X)
        if found.n == len(X) and found.index.d == X.shape[1]:
            return found
    except (OSError, RuntimeError, ValueError):
        pass  # missing or damaged: built again below
    found = vector_index.compute_vector_index(X)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for stale in cache_dir.glob(f"index-{vector_set.id}-r*.faiss"):
            stale.unlink(missing_ok=True)
        with write_atomically(path) as handle:
            handle.write(vector_index.index_to_bytes(found).tobytes())
    except OSError:
        pass  # the file only saves time
    return found
