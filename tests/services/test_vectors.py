"""Vectors of a real imported project, with the bundled model."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.ingest.model_picture import SUFFIX, model_picture_path
from corpuscope.ingest.thumbnails import LARGE, thumbnail_path
from corpuscope.services.importing import run_import
from corpuscope.services.vectors import (
    VectorOptions,
    VectorProgress,
    export_vectors,
    load_project_vectors,
    run_vectors,
)
from corpuscope.store import vectors as vecstore
from corpuscope.store.db import create_project


@pytest.fixture
def imported(project, tmp_path, write_image):
    for seed in range(12):
        write_image(tmp_path / "in" / f"{seed:02}.jpg", seed=seed, size=(640, 480))
    run_import(project, [tmp_path / "in"])
    return project


def test_vectors_are_computed_once_then_only_what_is_missing(imported) -> None:
    reports: list[VectorProgress] = []
    first = run_vectors(
        imported, VectorOptions(batch_size=5, workers=0, on_progress=reports.append)
    )
    assert (first.computed, first.failed, first.already) == (12, 0, 0)
    assert [r.done for r in reports] == [0, 5, 10, 12]
    ids, X, vector_set = load_project_vectors(imported)
    assert ids.tolist() == list(range(1, 13)) and X.shape == (12, 1280)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-5)
    assert vector_set.model == "efficientnet-lite0" and "224" in vector_set.preprocessing
    again = run_vectors(imported, VectorOptions(workers=0))
    assert (again.computed, again.already) == (0, 12)


def test_a_broken_image_is_recorded_and_not_retried(imported) -> None:
    sha1 = imported.read().execute("SELECT sha1 FROM images WHERE id = 3").fetchone()[0]
    thumbnail_path(imported.thumbs_dir, sha1, LARGE).write_bytes(b"not a jpeg any more")
    model_picture_path(imported.thumbs_dir, sha1).write_bytes(b"P6 no longer a picture")
    summary = run_vectors(imported, VectorOptions(workers=0))
    assert (summary.computed, summary.failed) == (11, 1)
    vector_set = vecstore.load_vector_set(imported.read(), "efficientnet-lite0")
    [(image_id, reason)] = vecstore.list_vector_failures(imported.read(), vector_set.id)
    assert image_id == 3 and reason
    assert run_vectors(imported, VectorOptions(workers=0)).failed == 0


def test_cancel_keeps_finished_batches_and_the_next_run_completes(imported) -> None:
    cancel = threading.Event()

    def stop_after_first(report: VectorProgress) -> None:
        if report.done:
            cancel.set()

    options = VectorOptions(batch_size=4, workers=0, on_progress=stop_after_first, cancel=cancel)
    first = run_vectors(imported, options)
    assert first.cancelled and first.computed == 4
    assert len(list(imported.thumbs_dir.rglob(f"*-{SUFFIX}"))) == 8  # those still to embed
    rest = run_vectors(imported, VectorOptions(workers=0))
    assert (rest.computed, rest.already) == (8, 4)
    assert list(imported.thumbs_dir.rglob(f"*-{SUFFIX}")) == []


def test_export_writes_vectors_ids_and_paths(imported, tmp_path) -> None:
    run_vectors(imported, VectorOptions(workers=0))
    count = export_vectors(imported, tmp_path / "out.npz")
    with np.load(tmp_path / "out.npz") as data:
        assert count == 12 and data["vectors"].shape == (12, 1280)
        assert data["image_ids"].tolist() == list(range(1, 13))
        assert data["paths"].tolist() == [f"{seed:02}.jpg" for seed in range(12)]
    with pytest.raises(InvalidInput, match=r"\.npz"):
        export_vectors(imported, tmp_path / "out.csv")


def test_loading_a_subset_and_missing_vectors(imported) -> None:
    with pytest.raises(NotFound, match="corpuscope vectors"):
        load_project_vectors(imported)
    run_vectors(imported, VectorOptions(workers=0))
    ids, X, _ = load_project_vectors(imported, image_ids=[5, 2, 5])
    assert ids.tolist() == [2, 5] and X.shape == (2, 1280)
    with pytest.raises(NotFound, match="no efficientnet-lite0 vectors"):
        load_project_vectors(imported, image_ids=[2, 99])


def test_a_project_imported_before_model_pictures_gets_the_same_vectors(imported, tmp_path) -> None:
    older = create_project(tmp_path / "older")
    run_import(older, [tmp_path / "in"])
    pictures = sorted(older.thumbs_dir.rglob(f"*-{SUFFIX}"))
    assert len(pictures) == 12
    for path in pictures[::2]:  # as if imported before pictures were written
        path.unlink()
    pictures[1].write_bytes(b"P6\n224 224\n255\n cut short")
    run_vectors(imported, VectorOptions(workers=0))
    summary = run_vectors(older, VectorOptions(workers=0))
    assert (summary.computed, summary.failed) == (12, 0)
    assert sorted(older.thumbs_dir.rglob(f"*-{SUFFIX}")) == []  # each consumed by its vector
    ids, X, vector_set = load_project_vectors(imported)
    old_ids, old_X, old_set = load_project_vectors(older)
    assert ids.tolist() == old_ids.tolist() and vector_set.version == old_set.version
    np.testing.assert_allclose(X, old_X, atol=1e-6)
    older.close()


def test_parquet_export_has_the_same_columns_as_the_npz(imported, tmp_path) -> None:
    import pyarrow.parquet as pq

    run_vectors(imported, VectorOptions(workers=0))
    export_vectors(imported, tmp_path / "out.npz")
    assert export_vectors(imported, tmp_path / "out.parquet") == 12
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == ["image_ids", "paths", "vectors", "model"]
    with np.load(tmp_path / "out.npz") as data:
        assert table["image_ids"].to_pylist() == data["image_ids"].tolist()
        assert table["paths"].to_pylist() == data["paths"].tolist()
        vectors = np.stack(table["vectors"].to_numpy(zero_copy_only=False))
        np.testing.assert_array_equal(vectors, data["vectors"])
        assert set(table["model"].to_pylist()) == {str(data["model"])}


def test_without_its_thumbnail_an_image_is_read_from_its_file_whatever_its_name(
    project, tmp_path, write_image
) -> None:
    import os

    data = write_image(tmp_path / "made.jpg", seed=3, size=(640, 480)).read_bytes()
    folder = os.fsencode(tmp_path) + b"/archiv\xe9"
    os.makedirs(folder)
    with open(folder + b"/caf\xe9\n.jpg", "wb") as handle:
        handle.write(data)
    run_import(project, [tmp_path / os.fsdecode(b"archiv\xe9")])
    [(sha1,)] = project.read().execute("SELECT sha1 FROM images").fetchall()
    thumbnail_path(project.thumbs_dir, sha1, LARGE).unlink()
    summary = run_vectors(project, VectorOptions(workers=0))
    assert (summary.computed, summary.failed) == (1, 0)


def test_vectors_of_a_large_set_leave_its_search_index_built(imported, monkeypatch) -> None:
    from corpuscope.analysis import vector_index

    monkeypatch.setattr(vector_index, "EXACT_LIMIT", 10)  # 12 images count as large here
    run_vectors(imported, VectorOptions(batch_size=5, workers=0))
    (built,) = imported.cache_dir.glob("index-*.faiss")
    revision = load_project_vectors(imported)[2].revision
    assert built.name.endswith(f"-r{revision}.faiss")
