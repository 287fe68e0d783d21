"""The one score of a group of images, for every algorithm; see docs/scores.md.

Group score (lower = more coherent), for ``m`` unit vectors ``x_i`` with sum ``s``:

    score = 100 * (1 - mean cosine similarity over the m(m-1) ordered pairs i != j)
          = 100 * (1 - (|s|^2 - m) / (m (m - 1)))

clipped to [0, 100]; 0 for a single image. 0 means identical images, 100 means members as
unrelated as random directions. For large groups it equals the reference tool's
``100 * (1 - |mean|^2)`` (= 100 x mean squared distance to the centroid); it differs by the factor
``m / (m - 1)``, which removes that formula's bias towards small groups (two unrelated images
score 100 here, 50 there).

Image score: cosine similarity of an image to its group's centre direction (higher = more
typical), in [-1, 1]; sorting a group by it descending goes from typical to odd.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.centroids import directions, dots_with, group_sums
from corpuscope.analysis.inputs import Vectors, check_indices, check_vectors
from corpuscope.errors import InvalidInput


def compute_group_score(X: npt.ArrayLike, members: npt.ArrayLike | None = None) -> float:
    """Score in [0, 100] of the rows ``members`` of ``X (n, d)`` (all rows when omitted)."""
    vectors = check_vectors(X)
    if members is not None:
        vectors = vectors[check_indices(members, n=len(vectors), name="members", allow_empty=False)]
    return group_score(vectors.sum(axis=0, dtype=np.float64), len(vectors))


def group_score(total: npt.NDArray[np.float64], m: int) -> float:
    """Score of ``m`` unit vectors from their sum ``total (d,)``; the formula lives here only."""
    if m < 2:
        return 0.0
    mean_pair_cos = (float(total @ total) - m) / (m * (m - 1))
    return float(np.clip(100.0 * (1.0 - mean_pair_cos), 0.0, 100.0))


def compute_image_scores(X: npt.ArrayLike, labels: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """``(n,)`` cosine similarity of each row of ``X (n, d)`` to its group's centre direction.

    ``labels (n,)``: any integers naming each row's group.
    """
    vectors = check_vectors(X)
    arr = np.asarray(labels)
    if arr.shape != (len(vectors),) or not np.issubdtype(arr.dtype, np.integer):
        raise InvalidInput("labels must hold one whole number per row of X.")
    _, inverse = np.unique(arr, return_inverse=True)
    return image_scores(vectors, inverse.astype(np.int64))


def image_scores(X: Vectors, labels: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """Trusting kernel of ``compute_image_scores``: ``labels`` in ``0..k-1``."""
    k = int(labels.max()) + 1 if len(labels) else 0
    centres = directions(group_sums(X, labels, k))
    return dots_with(X, centres, labels)
