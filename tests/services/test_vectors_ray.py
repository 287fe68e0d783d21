"""Vectors on a real local Ray instance (2 CPUs): the same vectors and failures as the local
path, batches of both kinds mixed in one project, cancel, and a SIGKILL of the driver mid-run
followed by a resume. Ray starts slowly, so the module shares one instance and keeps runs few."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import picture
from tests.services.killing import all_gone, count_rows, descendants

from corpuscope.embed.ray_pipeline import RayOptions
from corpuscope.ingest.model_picture import model_picture_path
from corpuscope.ingest.thumbnails import LARGE, thumbnail_path
from corpuscope.services.importing import run_import
from corpuscope.services.vectors import (
    VectorOptions,
    VectorProgress,
    load_project_vectors,
    run_vectors,
)
from corpuscope.store import vectors as vecstore
from corpuscope.store.db import Project, create_project, open_project

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow
COUNT = 20
ODD_NAME = b"caf\xe9 05.jpg"  # Latin-1, as old archives hold


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(
            address="local",
            num_cpus=2,
            object_store_memory=256 * 1024 * 1024,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
        try:
            yield
        finally:
            ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ray-corpus")
    for seed in range(COUNT):
        picture(seed, (480, 360) if seed % 3 else (300, 500)).save(folder / f"{seed:02}.jpg")
    (folder / "05.jpg").rename(os.fsdecode(os.fsencode(folder) + b"/" + ODD_NAME))
    return folder


def _project(root: Path, corpus: Path) -> Project:
    """The corpus imported; two images as if imported before model pictures, one read from its
    original file (a name that is not UTF-8), one unusable."""
    project = create_project(root)
    run_import(project, [corpus])
    rows = project.read().execute("SELECT id, sha1 FROM images ORDER BY id").fetchall()
    for _, sha1 in rows[3:5]:
        model_picture_path(project.thumbs_dir, sha1).unlink()
    [(odd,)] = (
        project.read()
        .execute(
            "SELECT images.sha1 FROM images JOIN files ON files.image_id = images.id"
            " WHERE files.path_bytes = ?",
            (ODD_NAME,),
        )
        .fetchall()
    )
    for path in (
        thumbnail_path(project.thumbs_dir, odd, LARGE),
        model_picture_path(project.thumbs_dir, odd),
    ):
        path.unlink(missing_ok=True)  # read from its original file, whose name is not UTF-8
    broken = rows[7][1]
    thumbnail_path(project.thumbs_dir, broken, LARGE).write_bytes(b"no longer a JPEG")
    model_picture_path(project.thumbs_dir, broken).write_bytes(b"P6 no longer a picture")
    return project


def _failures(project: Project) -> list[tuple[int, str]]:
    vector_set = vecstore.load_vector_set(project.read(), "efficientnet-lite0")
    return vecstore.list_vector_failures(project.read(), vector_set.id)


def _assert_same_vectors(project: Project, reference: Project) -> None:
    ids, X, vector_set = load_project_vectors(project)
    ref_ids, ref_X, ref_set = load_project_vectors(reference)
    assert ids.tolist() == ref_ids.tolist() and len(ids) == COUNT - 1
    assert vector_set.version == ref_set.version
    assert np.min(np.sum(X * ref_X, axis=1)) >= 0.9999
    assert _failures(project) == _failures(reference)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[Project]:
    project = _project(tmp_path_factory.mktemp("local") / "project", corpus)
    summary = run_vectors(project, VectorOptions(workers=0))
    assert (summary.computed, summary.failed) == (COUNT - 1, 1)
    yield project
    project.close()


def test_ray_batches_mix_with_local_ones_and_a_cancel_keeps_what_finished(
    ray_instance: None, local: Project, corpus: Path, tmp_path: Path
) -> None:
    project = _project(tmp_path / "mixed", corpus)
    cancel = threading.Event()
    reports: list[VectorProgress] = []

    def stop_after_first(report: VectorProgress) -> None:
        reports.append(report)
        if report.done:
            cancel.set()

    options = VectorOptions(
        batch_size=4, on_progress=stop_after_first, cancel=cancel, ray=RayOptions()
    )
    first = run_vectors(project, options)
    assert first.cancelled and 0 < first.computed + first.failed < COUNT
    assert [r.total for r in reports] == [COUNT, COUNT] and reports[0].done == 0
    rest = run_vectors(project, VectorOptions(workers=0))  # the rest on this machine
    assert rest.computed + rest.failed + first.computed + first.failed == COUNT
    _assert_same_vectors(project, local)
    project.close()


def test_workers_given_the_bytes_by_the_driver_compute_the_same_vectors(
    ray_instance: None, local: Project, corpus: Path, tmp_path: Path
) -> None:
    project = _project(tmp_path / "driver", corpus)
    reports: list[VectorProgress] = []
    options = VectorOptions(on_progress=reports.append, ray=RayOptions(images="driver"))
    summary = run_vectors(project, options)
    assert (summary.computed, summary.failed, summary.cancelled) == (COUNT - 1, 1, False)
    assert reports[0].done == 0 and reports[-1] == VectorProgress(
        "efficientnet-lite0", COUNT, COUNT, 1
    )
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    _assert_same_vectors(project, local)
    project.close()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux /proc")
def test_a_killed_ray_run_keeps_its_batches_and_resumes(ray_instance: None, tmp_path: Path) -> None:
    total = 600
    (tmp_path / "in").mkdir()
    for seed in range(total):
        picture(seed, (256, 192)).save(tmp_path / "in" / f"{seed:03}.jpg")
    root = tmp_path / "project"
    with create_project(root) as handle:
        run_import(handle, [tmp_path / "in"])
    db = root / "project.db"
    command = [sys.executable, "-m", "corpuscope", "vectors", str(root), "--ray", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if count_rows(db, "SELECT COUNT(*) FROM vectors") > 0:
                break
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before it could be killed"
        helpers = descendants(process.pid)  # Ray's head processes and its workers
        assert len(helpers) >= 3
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    committed = count_rows(db, "SELECT COUNT(*) FROM vectors")
    assert 0 < committed < total
    # Ray's head and workers go at once; its two agents notice within about a minute.
    assert all_gone(helpers, seconds=180), "Ray processes outlived the killed driver"
    with open_project(root) as handle:
        assert handle.read().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        summary = run_vectors(handle, VectorOptions(ray=RayOptions()))
        assert (summary.computed, summary.already) == (total - committed, committed)
    assert count_rows(db, "SELECT COUNT(*) FROM vectors") == total
