"""How reproducible each group of a clustering is, judged against other clusterings.

The stability of a group ``A`` is the mean, over the other clusterings, of its best-match
Jaccard index ``max_B |A n B| / |A u B|``, where both ``A`` and the groups ``B`` are restricted to
the images that the other clustering covered (a clustering of a subsample, typically). 1 means
that every rerun found the same group; values below ~0.5 mean the group is an accident of the
seed or of the sample (Hennig, 2007, "Cluster-wise assessment of cluster stability").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from corpuscope.analysis.inputs import check_indices
from corpuscope.errors import InvalidInput

Labels = npt.NDArray[np.int64]


def compute_stability(
    labels: npt.ArrayLike, others: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]]
) -> npt.NDArray[np.float64]:
    """``(k,)`` stability in [0, 1] of each group ``0..k-1`` of ``labels (n,)``.

    ``others``: one ``(indices (m,), labels (m,))`` pair per other clustering, giving the labels
    it assigned to the images ``indices`` (any integers, -1 included, name its groups). A group
    with no image in a clustering's ``indices`` is not judged by that clustering; a group judged
    by none gets NaN.
    """
    main = np.asarray(labels)
    if (
        main.ndim != 1
        or not np.issubdtype(main.dtype, np.integer)
        or (main.size and main.min() < 0)
    ):
        raise InvalidInput("labels must be a 1-D array of group numbers 0..k-1.")
    pairs = []
    for indices, other in others:
        idx = check_indices(indices, n=len(main), name="indices")
        lab = np.asarray(other)
        if lab.shape != idx.shape or not np.issubdtype(lab.dtype, np.integer):
            raise InvalidInput("each other clustering needs one label per index.")
        pairs.append((idx, lab.astype(np.int64)))
    return stability_kernel(main.astype(np.int64), pairs)


def stability_kernel(
    labels: Labels, others: Sequence[tuple[Labels, Labels]]
) -> npt.NDArray[np.float64]:
    """Trusting kernel of ``compute_stability`` (``indices`` sorted and distinct)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    total = np.zeros(k)
    judged = np.zeros(k)
    for indices, other in others:
        best, present = best_jaccard(labels[indices], other, k)
        total += np.where(present, best, 0.0)
        judged += present
    with np.errstate(invalid="ignore", divide="ignore"):
        out: npt.NDArray[np.float64] = np.where(judged > 0, total / np.maximum(judged, 1), np.nan)
    return out


def best_jaccard(
    a: Labels, b: Labels, k: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """For each group ``0..k-1`` of ``a``: best Jaccard index against the groups of ``b``
    (same images, any integer labels), and whether the group has any image here."""
    _, b_ids = np.unique(b, return_inverse=True)
    kb = int(b_ids.max()) + 1 if len(b_ids) else 0
    inter = sparse.coo_matrix((np.ones(len(a)), (a, b_ids.ravel())), shape=(k, max(kb, 1))).tocsr()
    size_a = np.bincount(a, minlength=k).astype(np.float64)
    size_b = np.bincount(b_ids.ravel(), minlength=max(kb, 1)).astype(np.float64)
    coo = inter.tocoo()
    jaccard = coo.data / (size_a[coo.row] + size_b[coo.col] - coo.data)
    best = np.zeros(k)
    np.maximum.at(best, coo.row, jaccard)
    return best, size_a > 0
