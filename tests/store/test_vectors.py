import numpy as np
import pytest

from corpuscope.errors import NotFound
from corpuscope.store import vectors as vecstore


@pytest.fixture
def images(project):
    with project.write() as conn:
        folder = conn.execute(
            "INSERT INTO folders (path) VALUES ('/photos') RETURNING id"
        ).fetchone()[0]
        for i in range(1, 8):
            conn.execute(
                "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'PNG')",
                (i, f"s{i}"),
            )
            conn.execute(
                "INSERT INTO files (folder_id, path, sha1, image_id, status) VALUES (?, ?, ?, ?, 'ok')",
                (folder, f"{i}.png", f"s{i}", i),
            )
    return list(range(1, 8))


def _set(project, version="1"):
    with project.write() as conn:
        return vecstore.save_vector_set(
            conn, model="m", version=version, dim=4, preprocessing="p", runtime="r"
        )


def _unit(n, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, 4)).astype(np.float32)
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def test_vectors_load_back_exactly_sorted_by_image_with_and_without_cache(project, images) -> None:
    vs = _set(project)
    X = _unit(5)
    with project.write() as conn:
        vecstore.save_vectors(conn, vs, np.array([5, 1, 3], dtype=np.int64), X[:3])
        vecstore.save_vectors(conn, vs, np.array([2, 4], dtype=np.int64), X[3:], [(6, "damaged")])
    ids, loaded = vecstore.load_vectors(project.read(), vs)
    assert ids.tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(loaded, X[[1, 3, 2, 4, 0]])
    assert loaded.flags["C_CONTIGUOUS"] and loaded.dtype == np.float32
    _, cached = vecstore.load_vectors(project.read(), vs, project.cache_dir)
    again_ids, again = vecstore.load_vectors(project.read(), vs, project.cache_dir)
    assert len(list(project.cache_dir.glob("vectors-*.npy"))) == 2
    np.testing.assert_array_equal(cached, loaded)
    np.testing.assert_array_equal(again, loaded)
    np.testing.assert_array_equal(again_ids, ids)


def test_vectors_read_in_several_chunks_come_back_whole(project, images, monkeypatch) -> None:
    monkeypatch.setattr(vecstore, "_READ_CHUNK", 2)
    vs = _set(project)
    X = _unit(7, seed=3)
    with project.write() as conn:
        vecstore.save_vectors(conn, vs, np.array(images[::-1], dtype=np.int64), X[::-1])
    ids, loaded = vecstore.load_vectors(project.read(), vs)
    assert ids.tolist() == images
    np.testing.assert_array_equal(loaded, X)
    assert loaded.flags.c_contiguous


def test_a_new_batch_invalidates_the_cache(project, images) -> None:
    vs = _set(project)
    with project.write() as conn:
        vecstore.save_vectors(conn, vs, np.array([1], dtype=np.int64), _unit(1))
    assert len(vecstore.load_vectors(project.read(), vs, project.cache_dir)[0]) == 1
    with project.write() as conn:
        vecstore.save_vectors(conn, vs, np.array([2], dtype=np.int64), _unit(1, seed=3))
    assert len(vecstore.load_vectors(project.read(), vs, project.cache_dir)[0]) == 2
    assert len(list(project.cache_dir.glob("vectors-*.npy"))) == 2  # the stale revision is gone


def test_images_to_embed_exclude_done_and_failed_ones(project, images) -> None:
    vs = _set(project)
    with project.write() as conn:
        vecstore.save_vectors(conn, vs, np.array([1, 2], dtype=np.int64), _unit(2), [(3, "bad")])
    todo = vecstore.list_images_without_vectors(project.read(), vs.id)
    assert [row[0] for row in todo] == [4, 5, 6, 7]
    assert todo[0][2:] == ("/photos", "4.png")


def test_a_new_model_version_is_a_separate_set_never_mixed(project, images) -> None:
    old = _set(project, "1")
    with project.write() as conn:
        vecstore.save_vectors(conn, old, np.array([1, 2], dtype=np.int64), _unit(2))
    new = _set(project, "2")
    assert new.id != old.id
    assert vecstore.load_vector_set(project.read(), "m").id == new.id
    assert len(vecstore.load_vectors(project.read(), new)[0]) == 0
    with pytest.raises(NotFound, match="corpuscope vectors"):
        vecstore.load_vector_set(project.read(), "other-model")


@pytest.mark.parametrize("damage", ["empty ids", "cut vectors", "wrong shape"])
def test_a_damaged_cache_is_made_again(project, images, damage) -> None:
    """After a power loss a cache file may be empty or cut short: read the database instead."""
    vs = _set(project)
    X = _unit(5)
    with project.write() as conn:
        vecstore.save_vectors(conn, vs, np.array([1, 2, 3, 4, 5]), X)
    vecstore.load_vectors(project.read(), vs, project.cache_dir)
    [vectors_file] = project.cache_dir.glob("vectors-*-r*[0-9].npy")
    [ids_file] = project.cache_dir.glob("vectors-*.ids.npy")
    if damage == "empty ids":
        ids_file.write_bytes(b"")
    elif damage == "cut vectors":
        vectors_file.write_bytes(vectors_file.read_bytes()[:100])
    else:
        np.save(vectors_file, np.zeros((5, 3), dtype=np.float32))
    ids, loaded = vecstore.load_vectors(project.read(), vs, project.cache_dir)
    np.testing.assert_array_equal(ids, [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(loaded, X)
    ids, cached = vecstore.load_vectors(project.read(), vs, project.cache_dir)
    np.testing.assert_array_equal(cached, X)  # and the cache was written again, whole
    assert not [p for p in project.cache_dir.iterdir() if p.name.endswith(".tmp")]


def _reads_of(conn, table: str) -> list[str]:
    """Start recording the statements' reads of ``table`` (SQLite's authorizer)."""
    import sqlite3

    reads: list[str] = []

    def authorize(action, name, *_):
        if action == sqlite3.SQLITE_READ and name == table:
            reads.append(name)
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorize)
    return reads


def test_vectors_are_counted_from_the_load_cache_of_the_current_revision(project, images) -> None:
    """Counting in the table reads every vector (seconds at a million): the project's status
    counts from the cache when it holds the current revision, else from the table."""
    vs = _set(project)
    with project.write() as conn:
        vecstore.save_vectors(conn, vs, np.array([1, 2, 3], dtype=np.int64), _unit(3))
    conn = project.read()
    assert vecstore.count_vectors(conn, vs, cache_dir=project.cache_dir) == 3  # no cache yet
    vecstore.load_vectors(conn, vs, project.cache_dir)
    reads = _reads_of(conn, "vectors")
    try:
        [(found, count)] = vecstore.list_vector_sets(conn, cache_dir=project.cache_dir)
        assert (found.id, count) == (vs.id, 3)
        assert reads == []
        with project.write() as writer:  # a new revision: the cache no longer says it
            vecstore.save_vectors(writer, vs, np.array([4], dtype=np.int64), _unit(1, seed=2))
        assert vecstore.count_vectors(conn, vs, cache_dir=project.cache_dir) == 4
        assert reads
    finally:
        conn.set_authorizer(None)
    vecstore.load_vectors(conn, vs, project.cache_dir)
    [ids_file] = project.cache_dir.glob("vectors-*.ids.npy")
    ids_file.write_bytes(b"")  # damaged: counted in the table
    assert vecstore.count_vectors(conn, vs, cache_dir=project.cache_dir) == 4
    assert vecstore.find_vector_set_by_id(conn, vs.id).revision == 2
    assert vecstore.find_vector_set_by_id(conn, vs.id + 1) is None
