"""Run requests: checked cheaply up front, dispatched to their service, with progress and cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD
from corpuscope.errors import Cancelled, InvalidInput, NotFound
from corpuscope.services import annotations as notes
from corpuscope.services.importing import run_import
from corpuscope.services.maps import map_coordinates
from corpuscope.services.run_requests import (
    RunRequest,
    check_run_request,
    request_from_params,
    run_request,
    task_kind_of,
)
from corpuscope.services.runs import list_runs
from corpuscope.store.db import Project

Stages = list[tuple[int, int, str]]


def tagged(project: Project) -> int:
    prop = notes.create_property(project, "Family", "tag")
    first = notes.create_tag(project, prop.id, "First")
    notes.set_values(project, prop.id, [1, 2, 3], [first.id])
    return prop.id


def test_a_request_is_completed_and_round_trips_through_task_parameters(
    project: Project, vectors: object
) -> None:
    auto = check_run_request(project, RunRequest(algorithm="auto", k=12, image_ids=(1, 2, 3)))
    assert (auto.k, task_kind_of(auto)) == (-1, "cluster")
    dups = check_run_request(project, RunRequest(algorithm="duplicates"))
    assert dups.threshold == DEFAULT_THRESHOLD and task_kind_of(dups) == "duplicates"
    tagged(project)
    tags = check_run_request(project, RunRequest(algorithm="tags", property="family"))
    assert (tags.property, tags.threshold) == (1, 0.5)
    for request in (auto, dups, tags):
        assert request_from_params(request.to_params()) == request
    with pytest.raises(InvalidInput, match="only these parameters"):
        request_from_params({"algorithm": "kmeans", "clusters": 3})


@pytest.mark.parametrize(
    ("request_", "error", "words"),
    [
        (RunRequest(k=0), InvalidInput, "number of clusters"),
        (RunRequest(algorithm="duplicates", threshold=0.0), InvalidInput, "between 0 and 1"),
        (RunRequest(algorithm="duplicates", within=(1, 1)), InvalidInput, "all images"),
        (RunRequest(k=2, within=(1, 1), image_ids=(1,)), InvalidInput, "not both"),
        (RunRequest(k=2, within=(99, 1)), NotFound, "99"),
        (RunRequest(k=2, image_ids=(1, 999)), NotFound, "999"),
        (RunRequest(k=2, model="clip-vit-b-32"), NotFound, "clip-vit-b-32"),
        (RunRequest(algorithm="tags"), InvalidInput, "tag property"),
        (RunRequest(algorithm="tags", property="Nope"), NotFound, "Nope"),
    ],
)
def test_bad_requests_are_refused_before_any_work(
    project: Project, vectors: object, request_: RunRequest, error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        check_run_request(project, request_)
    assert list_runs(project) == []


def test_without_vectors_a_clustering_is_refused_at_once(project: Project) -> None:
    with pytest.raises(NotFound, match="vectors"):
        check_run_request(project, RunRequest(k=2))


def checked(project: Project, algorithm: str) -> RunRequest:
    """A checked request for k-means (k = 4), automatic or by tags (a tagged property)."""
    if algorithm == "tags":
        return check_run_request(project, RunRequest(algorithm="tags", property=tagged(project)))
    return check_run_request(project, RunRequest(algorithm=algorithm, k=4))  # type: ignore[arg-type]


def recorder() -> tuple[Stages, Callable[[int, int, str], None]]:
    stages: Stages = []
    return stages, lambda done, total, message: stages.append((done, total, message))


@pytest.mark.parametrize("algorithm", ["kmeans", "auto", "tags"])
def test_each_clustering_reports_its_stages(
    project: Project, vectors: object, algorithm: str
) -> None:
    stages, report = recorder()
    view = run_request(project, checked(project, algorithm), report=report)
    dones = [done for done, _, _ in stages]
    totals = {total for _, total, _ in stages}
    assert len(stages) >= 3 and len(totals) == 1
    assert dones[0] == 0 and dones == sorted(dones) and dones[-1] <= totals.pop()
    assert any("120 images" in message for _, _, message in stages)
    assert [run.id for run in list_runs(project)] == [view.run.id]


@pytest.mark.parametrize("algorithm", ["kmeans", "auto", "tags"])
def test_a_cancelled_clustering_records_nothing(
    project: Project, vectors: object, algorithm: str
) -> None:
    request = checked(project, algorithm)
    cancel = threading.Event()

    def cancel_at_the_second_stage(done: int, total: int, message: str) -> None:
        if done == 1:
            cancel.set()  # the work of this stage runs; the next stage stops

    with pytest.raises(Cancelled):
        run_request(project, request, report=cancel_at_the_second_stage, cancel=cancel)
    assert list_runs(project) == []


@pytest.fixture
def photos(project: Project, tmp_path: Path, write_image: Callable[..., Path]) -> Path:
    folder = tmp_path / "in"
    for seed in range(4):
        write_image(folder / f"{seed}.jpg", seed=seed)
    (folder / "copy.jpg").write_bytes((folder / "0.jpg").read_bytes())
    run_import(project, [folder])
    return folder


def test_near_duplicates_report_fingerprinting_and_stop_when_cancelled(
    project: Project, photos: Path
) -> None:
    with project.write() as conn:  # as after a fingerprint change: computed again on the way
        conn.execute("UPDATE images SET fingerprint = NULL")
    stages, report = recorder()
    request = check_run_request(project, RunRequest(algorithm="duplicates"))
    view = run_request(project, request, report=report)
    assert stages[0] == (0, 5, "Reading fingerprints")
    assert stages[1] == (0, 4, "Fingerprinting images")
    assert stages[2:] == [
        (1, 5, "Comparing layouts"),
        (2, 5, "Checking details"),
        (3, 5, "Grouping"),
        (4, 5, "Recording the groups"),
        (5, 5, "Done"),
    ]
    assert view.run.algorithm == "duplicates"
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        run_request(project, request, report=report, cancel=cancel)
    assert len(list_runs(project)) == 1


def test_near_duplicates_stop_between_the_comparisons_stages(
    project: Project, photos: Path
) -> None:
    cancel = threading.Event()
    seen: list[str] = []

    def report(done: int, total: int, message: str) -> None:
        seen.append(message)
        if message == "Comparing layouts":  # the user clicks Cancel while layouts are compared
            cancel.set()

    request = check_run_request(project, RunRequest(algorithm="duplicates"))
    with pytest.raises(Cancelled):
        run_request(project, request, report=report, cancel=cancel)
    assert seen == ["Reading fingerprints", "Comparing layouts"]
    assert list_runs(project) == []


def test_a_cancelled_map_leaves_the_cached_layout_alone(project: Project, vectors: object) -> None:
    cache = project.cache_dir / "map-1.npz"
    cache.write_bytes(b"a layout from before")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        map_coordinates(project, refit=True, cancel=cancel)
    assert cache.read_bytes() == b"a layout from before"


def test_the_folder_scan_stops_when_cancelled(
    project: Project, photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpuscope.services import importing

    cancel = threading.Event()
    real_scan = importing.scan_folder
    seen: list[str] = []

    def scan(root: Path, **kwargs: object) -> object:
        for entry in real_scan(root, **kwargs):  # type: ignore[arg-type]
            seen.append(entry.rel_path)
            cancel.set()  # the user cancels while the scan is under way
            yield entry

    for name in ("a", "b", "c"):
        (photos / name).mkdir()
    monkeypatch.setattr(importing, "scan_folder", scan)
    summary = run_import(project, [photos], importing.ImportOptions(cancel=cancel))
    assert summary.cancelled and summary.seen == 0
    assert len(seen) == 1  # the walk went no further than the entry in hand
