import numpy as np
import pytest

from corpuscope.errors import InvalidInput
from corpuscope.services.maps import map_coordinates
from corpuscope.store import vectors as vecstore


def test_the_map_separates_families_and_is_cached(project, vectors) -> None:
    ids, xy = map_coordinates(project)
    assert ids.tolist() == list(range(1, 121)) and xy.shape == (120, 2)
    assert np.abs(xy).max() <= 1.0
    centres = np.stack([xy[f * 30 : (f + 1) * 30].mean(axis=0) for f in range(4)])
    spread = max(
        np.linalg.norm(xy[f * 30 : (f + 1) * 30] - centres[f], axis=1).mean() for f in range(4)
    )
    gaps = min(np.linalg.norm(centres[a] - centres[b]) for a in range(4) for b in range(a + 1, 4))
    assert gaps > 2 * spread
    assert (project.cache_dir / "map-1.npz").exists()
    _, again = map_coordinates(project)
    np.testing.assert_array_equal(again, xy)


def test_new_images_are_placed_without_moving_the_others(project, vectors) -> None:
    ids, xy = map_coordinates(project)
    _, X = vectors
    with project.write() as conn:
        conn.execute(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (500, 'new', 1, 1, 'PNG')"
        )
        vs = vecstore.load_vector_set(conn, "efficientnet-lite0")
        vecstore.save_vectors(conn, vs, np.array([500]), X[:1])
    ids2, xy2 = map_coordinates(project)
    assert ids2.tolist() == [*ids.tolist(), 500]
    np.testing.assert_array_equal(xy2[:-1], xy)
    assert np.linalg.norm(xy2[-1] - xy[0]) < 0.2


def test_a_subset_map_and_bad_requests(project, vectors) -> None:
    ids, xy = map_coordinates(project, image_ids=list(range(1, 61)))
    assert len(ids) == 60 and xy.shape == (60, 2)
    with pytest.raises(InvalidInput):
        map_coordinates(project, image_ids=[1])
