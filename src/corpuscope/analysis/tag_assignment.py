"""Group a corpus by the tags of a property: each image goes to its nearest tag, or nowhere.

A tag is represented by the centre direction of the images that already carry it ("by
example"), and, when a text-capable model gives a vector for the tag's name, by that text too:

    similarity(x, tag) = (1 - w) * cos(x, centre of the tag's images) + w * cos(x, text vector)

(``w = text_weight``; a tag without images uses its text alone, a tag with neither is never
chosen). Each image goes to the tag of highest similarity if it reaches ``min_similarity``,
otherwise to the unassigned group. Images that already carry tags of the property keep the
nearest of their own tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.centroids import directions
from corpuscope.analysis.inputs import Vectors, check_fraction, check_indices, check_vectors
from corpuscope.errors import InvalidInput

UNASSIGNED = -1


@dataclass(frozen=True)
class TagAssignment:
    """``labels (n,)`` int64: tag position ``0..t-1`` or -1 (unassigned); ``scores (n,)``
    float32: similarity to the chosen tag (to the best tag for unassigned images);
    ``groups``: per tag, its images sorted by decreasing score; ``unassigned``: the rest,
    sorted the same way."""

    labels: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]
    groups: tuple[npt.NDArray[np.int64], ...]
    unassigned: npt.NDArray[np.int64]


def compute_tag_assignment(
    X: npt.ArrayLike,
    tagged: Sequence[npt.ArrayLike],
    *,
    text_vectors: npt.ArrayLike | None = None,
    text_weight: float = 0.5,
    min_similarity: float = 0.5,
) -> TagAssignment:
    """Assign the rows of ``X (n, d)`` to tags; ``tagged[t]``: row indices carrying tag ``t``.

    ``text_vectors (t, d)``: optional unit text vectors of the tag names (same model as X).
    """
    vectors = check_vectors(X)
    if len(tagged) == 0:
        raise InvalidInput("at least one tag is needed to group by tags.")
    examples = [check_indices(t, n=len(vectors), name="tagged images") for t in tagged]
    text = None
    if text_vectors is not None:
        text = check_vectors(text_vectors, name="text_vectors")
        if text.shape != (len(examples), vectors.shape[1]):
            raise InvalidInput(
                "text_vectors must hold one vector per tag, of the image vectors' length."
            )
    w = check_fraction(text_weight, name="text_weight", low=0.0, high=1.0)
    floor = check_fraction(min_similarity, name="min_similarity")
    return tag_assignment_kernel(vectors, examples, text, w, floor)


def tag_assignment_kernel(
    X: Vectors,
    examples: list[npt.NDArray[np.int64]],
    text: Vectors | None,
    text_weight: float,
    min_similarity: float,
) -> TagAssignment:
    """Trusting kernel of ``compute_tag_assignment``."""
    n = len(X)
    sim = tag_similarities(X, examples, text, text_weight)
    carries = np.zeros(sim.shape, dtype=bool)
    for tag, rows in enumerate(examples):
        carries[rows, tag] = True
    tagged = carries.any(axis=1)
    best = sim.argmax(axis=1)
    best_score = sim[np.arange(n), best]
    labels = np.where((best_score >= min_similarity) & np.isfinite(best_score), best, UNASSIGNED)
    own = np.where(carries, sim, -np.inf).argmax(
        axis=1
    )  # images keep the nearest of their own tags
    labels = np.where(tagged, own, labels).astype(np.int64)
    scores = np.where(labels >= 0, sim[np.arange(n), np.maximum(labels, 0)], best_score)
    scores = np.nan_to_num(scores, neginf=-1.0).astype(np.float32)
    groups = tuple(
        _sorted_members(np.flatnonzero(labels == t), scores) for t in range(len(examples))
    )
    return TagAssignment(
        labels, scores, groups, _sorted_members(np.flatnonzero(labels < 0), scores)
    )


def tag_similarities(
    X: Vectors, examples: list[npt.NDArray[np.int64]], text: Vectors | None, text_weight: float
) -> npt.NDArray[np.float32]:
    """``(n, t)`` blended similarity of each row to each tag (-inf for a tag with no signal)."""
    sums = np.stack([X[rows].sum(axis=0, dtype=np.float64) for rows in examples])
    has_images = np.array([len(rows) > 0 for rows in examples])
    by_example = X @ directions(sums).T
    sim = np.full((len(X), len(examples)), -np.inf, dtype=np.float32)
    if text is None:
        sim[:, has_images] = by_example[:, has_images]
        return sim
    by_text = X @ text.T
    both = (1.0 - text_weight) * by_example + text_weight * by_text
    sim[:, has_images] = both[:, has_images]
    sim[:, ~has_images] = by_text[:, ~has_images]
    return sim


def _sorted_members(
    rows: npt.NDArray[np.int64], scores: npt.NDArray[np.float32]
) -> npt.NDArray[np.int64]:
    return rows[np.lexsort((rows, -scores[rows]))].astype(np.int64)
