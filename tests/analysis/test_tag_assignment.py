from __future__ import annotations

import numpy as np
import pytest

from corpuscope.analysis.tag_assignment import compute_tag_assignment
from corpuscope.errors import InvalidInput

from .conftest import blobs


def test_hand_computed_assignment() -> None:
    X = np.array([[1, 0], [0.96, 0.28], [0, 1], [0.28, 0.96], [-1, 0]], dtype=np.float32)
    result = compute_tag_assignment(X, [[0], [2]], min_similarity=0.5)
    assert result.labels.tolist() == [0, 0, 1, 1, -1]
    np.testing.assert_allclose(result.scores, [1, 0.96, 1, 0.96, 0], atol=1e-6)
    assert [g.tolist() for g in result.groups] == [[0, 1], [2, 3]]
    assert result.unassigned.tolist() == [4]


def test_tagged_images_keep_their_nearest_own_tag() -> None:
    X = np.array([[1, 0], [0.9, 0.436], [0, 1]], dtype=np.float32)
    # image 1 carries tag 1 only, although tag 0's example is closer
    result = compute_tag_assignment(X, [[0], [1, 2]], min_similarity=0.99)
    assert result.labels.tolist() == [0, 1, 1]


def test_blobs_go_to_their_tag_and_noise_stays_unassigned() -> None:
    X, labels = blobs(300, 3, seed=0)
    examples = [np.flatnonzero(labels == t)[:3] for t in range(3)]
    result = compute_tag_assignment(X, examples, min_similarity=0.8)
    assert np.array_equal(result.labels, labels)
    far = np.zeros((1, X.shape[1]), dtype=np.float32)
    far[0, 0] = 1.0
    assert (
        compute_tag_assignment(np.concatenate([X, far]), examples, min_similarity=0.8).labels[-1]
        == -1
    )


def test_text_vectors_blend_and_stand_alone() -> None:
    X = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    text = np.array([[1, 0], [0, 1]], dtype=np.float32)
    only_text = compute_tag_assignment(X, [[], []], text_vectors=text, min_similarity=0.5)
    assert only_text.labels.tolist() == [0, 1, 1]
    blended = compute_tag_assignment(
        X, [[0], []], text_vectors=text, text_weight=0.5, min_similarity=0.0
    )
    np.testing.assert_allclose(blended.scores[0], 1.0, atol=1e-6)  # 0.5 x 1 + 0.5 x 1
    assert blended.labels[1] == 1  # tag 1 has text only: cos 1 beats tag 0's 0.5 x 0 + 0.5 x 0


def test_a_tag_without_images_or_text_is_never_chosen() -> None:
    X = np.array([[1, 0], [0, 1]], dtype=np.float32)
    result = compute_tag_assignment(X, [[0], []], min_similarity=-1.0)
    assert result.labels.tolist() == [0, 0]


def test_bad_parameters() -> None:
    X, _ = blobs(10, 2)
    with pytest.raises(InvalidInput):
        compute_tag_assignment(X, [])
    with pytest.raises(InvalidInput):
        compute_tag_assignment(
            X, [[0]], text_vectors=np.ones((2, 3), dtype=np.float32) / np.sqrt(3)
        )
    with pytest.raises(InvalidInput):
        compute_tag_assignment(X, [[0]], text_weight=1.5)
    with pytest.raises(InvalidInput):
        compute_tag_assignment(X, [[42]])
