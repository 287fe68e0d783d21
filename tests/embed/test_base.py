from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from corpuscope.embed.base import check_texts, normalize_rows
from corpuscope.errors import InvalidInput

from .conftest import FakeEmbedder


def test_normalize_rows_gives_unit_float32_rows_and_keeps_zero_rows() -> None:
    X = np.array([[3.0, 4.0], [0.0, 0.0], [1e-3, 0.0]])
    result = normalize_rows(X)
    assert result.dtype == np.float32
    assert np.allclose(result, [[0.6, 0.8], [0.0, 0.0], [1.0, 0.0]])
    assert X[0, 0] == 3.0  # the input is not modified


def test_embed_batch_returns_unit_vectors(fake: FakeEmbedder) -> None:
    batch = np.random.default_rng(0).normal(size=(5, 3, 16, 16)).astype(np.float32)
    vectors = fake.embed_batch(batch)
    assert vectors.shape == (5, 48) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_embed_batch_refuses_the_wrong_shape(fake: FakeEmbedder) -> None:
    with pytest.raises(InvalidInput, match=r"\(n, 3, 16, 16\)"):
        fake.embed_batch(np.zeros((2, 3, 20, 20), np.float32))
    with pytest.raises(InvalidInput):
        fake.embed_batch(np.zeros((3, 16, 16), np.float32))


def test_an_empty_batch_gives_an_empty_result(fake: FakeEmbedder) -> None:
    assert fake.embed_batch(np.zeros((0, 3, 16, 16), np.float32)).shape == (0, 48)
    assert fake.embed_images([]).shape == (0, 48)


def test_embed_images_batches_and_keeps_order(fake: FakeEmbedder) -> None:
    images = [Image.new("RGB", (30, 20), (i * 25, 100, 200 - i * 20)) for i in range(10)]
    together = fake.embed_images(images)
    one_by_one = np.concatenate([fake.embed_images([image]) for image in images])
    assert together.shape == (10, 48)
    assert np.allclose(together, one_by_one)


def test_a_model_without_text_tower_says_so(fake: FakeEmbedder) -> None:
    with pytest.raises(InvalidInput, match="no text encoder"):
        fake.embed_text(["a cat"])


def test_check_texts_refuses_a_bare_string_and_non_strings() -> None:
    assert check_texts(("a", "b")) == ["a", "b"]
    with pytest.raises(InvalidInput, match="list of texts"):
        check_texts("a cat")
    with pytest.raises(InvalidInput, match="string"):
        check_texts(["a", 3])  # type: ignore[list-item]


def test_worker_recipe_defaults_to_none(fake: FakeEmbedder) -> None:
    assert fake.worker_recipe() is None
