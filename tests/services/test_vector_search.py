"""Similar images and recommendations through the cached index (forced on small projects)."""

import numpy as np
import pytest

from corpuscope.analysis import vector_index
from corpuscope.services.recommendations import recommend
from corpuscope.services.similarity import similar_images
from corpuscope.store import vectors as vecstore

from .conftest import planted_vectors, save_planted


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every vector set, however small, searched through an index."""
    monkeypatch.setattr(vector_index, "EXACT_LIMIT", 1)


def _near_copy(X: np.ndarray, row: int, seed: int) -> np.ndarray:
    copy = X[row] + 0.01 * np.random.default_rng(seed).normal(size=X.shape[1])
    return (copy / np.linalg.norm(copy)).astype(np.float32)


def _add_image(project, image_id: int, vector: np.ndarray) -> None:
    with project.write() as conn:
        conn.execute(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'PNG')",
            (image_id, f"s{image_id}"),
        )
        vs = vecstore.load_vector_set(conn, "efficientnet-lite0")
        vecstore.save_vectors(conn, vs, np.array([image_id]), vector[None, :])


def test_the_index_answers_as_the_exact_search_does(project, monkeypatch) -> None:
    X = planted_vectors(150, 4)
    X[300] = _near_copy(X, 40, seed=1)
    save_planted(project, X)
    exact = similar_images(project, [41], limit=30)
    assert exact[0].image_id == 301  # the planted near-copy of image 41 (row 40)
    assert not list(project.cache_dir.glob("index-*"))  # small: no index
    monkeypatch.setattr(vector_index, "EXACT_LIMIT", 1)
    through = similar_images(project, [41], limit=30)
    assert [m.image_id for m in through] == [m.image_id for m in exact]
    assert [m.score for m in through] == pytest.approx([m.score for m in exact], abs=1e-6)
    assert len(list(project.cache_dir.glob("index-*.faiss"))) == 1
    members = list(range(1, 11))
    ours = recommend(project, target="grid:x", image_ids=members, limit=20)
    monkeypatch.setattr(vector_index, "EXACT_LIMIT", 10**9)
    plain = recommend(project, target="grid:x", image_ids=members, limit=20)
    assert [r.image_id for r in ours] == [r.image_id for r in plain]


def test_new_vectors_make_a_new_index(project, indexed) -> None:
    X = planted_vectors(100, 3)
    save_planted(project, X)
    before = similar_images(project, [5], limit=5)
    assert 301 not in [m.image_id for m in before]
    old = {path.name for path in project.cache_dir.glob("index-*.faiss")}
    _add_image(project, 301, _near_copy(X, 4, seed=2))
    after = similar_images(project, [5], limit=5)
    assert after[0].image_id == 301
    new = {path.name for path in project.cache_dir.glob("index-*.faiss")}
    assert len(old) == len(new) == 1 and old != new  # the stale revision's file is gone
    found = recommend(project, target="grid:y", image_ids=[5, 6], limit=5)
    assert found[0].image_id == 301


def test_a_damaged_index_file_is_built_again(project, indexed, monkeypatch) -> None:
    from corpuscope.services import vector_search

    X = planted_vectors(100, 3)
    save_planted(project, X)
    expected = [m.image_id for m in similar_images(project, [7], limit=10)]
    (path,) = project.cache_dir.glob("index-*.faiss")
    path.write_bytes(b"not an index")
    monkeypatch.setattr(vector_search, "_kept", type(vector_search._kept)())
    assert [m.image_id for m in similar_images(project, [7], limit=10)] == expected
    assert path.stat().st_size > 100
