"""An approximate nearest-neighbour index over a set of unit vectors, for large sets only.

Similar images and recommendations score every vector exactly up to ``EXACT_LIMIT`` rows (a
scan of 50,000 x 1280 vectors takes ~20 ms). Above it they ask this index for candidates and
score only those exactly, so a query reads a few percent of the vectors instead of all of them
(5.1 GB at 1,000,000 x 1280):

- a faiss inverted file (``IndexIVFScalarQuantizer``, inner product): ``sqrt(n)`` k-means cells
  trained on a sample of ``40`` rows per cell, each vector stored as 8-bit codes (a quarter of
  its float32 size), and ``nprobe = max(16, cells / 16)`` cells searched per query;
- the candidates' exact cosines then come from the vectors themselves, so the scores returned
  are exact and only the candidate set is approximate (recall ~1.0 on clustered vectors);
- a fixed random sample of ``SAMPLE_ROWS`` rows, whose scores estimate the corpus average and
  spread that z-scores need without scanning every row.
"""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt

from corpuscope.analysis.inputs import Vectors, check_seed
from corpuscope.analysis.threads import single_threaded

#: Below this many rows, searches stay exact (no index is built).
EXACT_LIMIT = 50_000
#: Rows whose scores stand for the corpus in z-scores, when the index is used.
SAMPLE_ROWS = 2048
_TRAIN_PER_CELL = 40
_TRAIN_ITERATIONS = 10
_MIN_PROBES = 16
_MIN_CANDIDATES = 256
_CODE_MARGIN = 0.02


@dataclass(frozen=True)
class VectorIndex:
    """``index``: the faiss inverted file over all ``n`` rows; ``sample``: a copy of the rows
    whose scores estimate the corpus average and spread (``(SAMPLE_ROWS, d)``, contiguous)."""

    index: faiss.Index
    sample: Vectors
    n: int


def compute_vector_index(X: Vectors, *, seed: int = 0) -> VectorIndex:
    """Train and fill the index over the rows of ``X (n, d)`` (unit float32 rows)."""
    n, d = X.shape
    rng = np.random.default_rng(check_seed(seed))
    cells = max(1, int(np.sqrt(n)))
    train = np.ascontiguousarray(X[_sample_rows(rng, n, cells * _TRAIN_PER_CELL)])
    index = faiss.IndexIVFScalarQuantizer(
        faiss.IndexFlatIP(d), d, cells, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.niter = _TRAIN_ITERATIONS
    index.cp.seed = int(rng.integers(2**31))
    index.train(train)
    block = 65_536
    for start in range(0, n, block):  # a memory-mapped X is read one block at a time
        index.add(np.ascontiguousarray(X[start : start + block], dtype=np.float32))
    index.nprobe = _probes(cells)
    return VectorIndex(index, _sample(X, seed), n)


def _probes(cells: int) -> int:
    return max(_MIN_PROBES, cells // 16)


def _sample(X: Vectors, seed: int) -> Vectors:
    """The fixed sample of rows an index uses for z-scores, copied together."""
    rows = _sample_rows(np.random.default_rng([check_seed(seed), 1]), len(X), SAMPLE_ROWS)
    return np.ascontiguousarray(X[rows], dtype=np.float32)


def _sample_rows(rng: np.random.Generator, n: int, count: int) -> npt.NDArray[np.int64]:
    if count >= n:
        return np.arange(n, dtype=np.int64)
    return np.sort(rng.choice(n, count, replace=False)).astype(np.int64)


def index_to_bytes(found: VectorIndex) -> npt.NDArray[np.uint8]:
    """The faiss index as bytes (the sample is not kept: it is drawn again from ``X``)."""
    data: npt.NDArray[np.uint8] = faiss.serialize_index(found.index)
    return data


def index_from_bytes(data: npt.NDArray[np.uint8], X: Vectors, *, seed: int = 0) -> VectorIndex:
    """The index :func:`index_to_bytes` wrote over the rows of ``X``."""
    return vector_index_over(faiss.deserialize_index(data), X, seed=seed)


def vector_index_over(index: faiss.Index, X: Vectors, *, seed: int = 0) -> VectorIndex:
    """A faiss inverted file read back (for example memory-mapped from a file) over ``X``."""
    inverted = faiss.extract_index_ivf(index)
    inverted.nprobe = _probes(inverted.nlist)
    return VectorIndex(index, _sample(X, seed), index.ntotal)


def search_candidates(found: VectorIndex, queries: Vectors, want: int) -> npt.NDArray[np.int64]:
    """Sorted distinct rows among the best ``want`` (at least ``_MIN_CANDIDATES``) of each of
    ``queries (q, d)`` by inner product, as the index finds them."""
    k = min(found.n, max(_MIN_CANDIDATES, 2 * want))
    with single_threaded():  # a few queries: OpenMP threads only spin on a shared machine
        _, rows = found.index.search(
            np.ascontiguousarray(queries, dtype=np.float32), k, params=_params(found, len(queries))
        )
    out: npt.NDArray[np.int64] = np.unique(rows[rows >= 0]).astype(np.int64)
    return out


def search_above(
    found: VectorIndex, queries: Vectors, threshold: float, *, most: int
) -> npt.NDArray[np.int64]:
    """Sorted distinct rows whose inner product with any of ``queries`` reaches ``threshold``,
    as the index finds them (a margin covers the 8-bit codes' rounding); when more than
    ``most`` do, the ``most`` of highest approximate inner product."""
    with single_threaded():
        _, sims, rows = found.index.range_search(
            np.ascontiguousarray(queries, dtype=np.float32),
            float(threshold) - _CODE_MARGIN,
            params=_params(found, len(queries)),
        )
    distinct, first = np.unique(rows, return_inverse=True)
    if len(distinct) > most:
        best = np.full(len(distinct), -np.inf, dtype=np.float32)
        np.maximum.at(best, first, sims)
        distinct = np.sort(distinct[np.argpartition(-best, most - 1)[:most]])
    out: npt.NDArray[np.int64] = distinct.astype(np.int64)
    return out


def _params(found: VectorIndex, queries: int) -> faiss.SearchParametersIVF:
    """Cells searched: several queries (a group's centre and modes, which lie close together
    and share cells) search fewer each, about twice one query's in all, at least 4 each."""
    inverted = faiss.extract_index_ivf(found.index)
    probes = inverted.nprobe if queries == 1 else max(4, 2 * inverted.nprobe // queries)
    params = faiss.SearchParametersIVF()
    params.nprobe = min(probes, inverted.nlist)
    return params


def sample_spread(scores: npt.NDArray[np.float32]) -> tuple[float, float]:
    """The mean and standard deviation of a sample's scores (float64 sums)."""
    return float(scores.mean(dtype=np.float64)), float(scores.std(dtype=np.float64))
