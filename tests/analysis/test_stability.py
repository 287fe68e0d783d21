from __future__ import annotations

import math

import numpy as np
import pytest

from corpuscope.analysis.stability import best_jaccard, compute_stability
from corpuscope.errors import InvalidInput


def test_identical_relabelled_clustering_is_perfectly_stable() -> None:
    labels = np.array([0, 0, 1, 1, 2])
    others = [(np.arange(5), np.array([7, 7, 3, 3, -1]))]
    np.testing.assert_allclose(compute_stability(labels, others), [1, 1, 1])


def test_hand_computed_jaccard() -> None:
    # group 0 = {0,1,2,3}; the other run splits it {0,1} {2,3,4}: best = 2/4 vs 2/5 -> 0.5
    labels = np.array([0, 0, 0, 0, 1])
    other = np.array([5, 5, 6, 6, 6])
    best, present = best_jaccard(labels, other, 2)
    assert best.tolist() == pytest.approx([0.5, 1 / 3])
    assert present.tolist() == [True, True]


def test_subsamples_judge_only_the_images_they_cover() -> None:
    labels = np.array([0, 0, 1, 1])
    others = [(np.array([0, 1]), np.array([4, 4])), (np.array([0, 2, 3]), np.array([1, 2, 2]))]
    out = compute_stability(labels, others)
    assert out[0] == pytest.approx(1.0)  # {0,1} then {0}: both matched exactly
    assert out[1] == pytest.approx(1.0)  # judged by the second run only
    lonely = compute_stability(np.array([0, 1]), [(np.array([0]), np.array([0]))])
    assert math.isnan(lonely[1])


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInput):
        compute_stability(np.array([-1, 0]), [])
    with pytest.raises(InvalidInput):
        compute_stability(np.array([0, 1]), [(np.array([0, 1]), np.array([0]))])
    with pytest.raises(InvalidInput):
        compute_stability(np.array([0, 1]), [(np.array([0, 2]), np.array([0, 0]))])
