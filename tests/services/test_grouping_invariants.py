"""What every grouping method promises, checked on each of them (in the spirit of
scikit-learn's ``check_estimator``): k-means, automatic, near-duplicates and by tags, run as
the CLI and the web app run them (a checked ``RunRequest``) on a small real project (images
imported from files, vectors from the bundled model).

- every image is in exactly one group, the outliers or unassigned included (near-duplicates:
  at most one, in groups of two or more, since an image without a copy is in none);
- the same request (and seed) gives the same groups;
- group scores are in [0, 100], image scores (cosines) in [-1, 1];
- groups are listed by increasing score (near-duplicates: by decreasing similarity, the most
  alike first), outliers or unassigned last; members from typical to odd.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from tests.conftest import picture

from corpuscope.services import annotations as notes
from corpuscope.services.images import load_image_paths
from corpuscope.services.importing import run_import
from corpuscope.services.projects import Project, create_project
from corpuscope.services.run_requests import RunRequest, check_run_request, run_request
from corpuscope.services.runs import RunView
from corpuscope.services.vectors import run_vectors

EPS = 1e-5
LEFT_OVER = ("outliers", "unassigned")
REQUESTS = {
    "kmeans": RunRequest("kmeans", k=3, seed=7),
    "auto": RunRequest("auto", seed=7),
    "duplicates": RunRequest("duplicates"),
    "tags": RunRequest("tags", property="Family"),
}
PARTITIONS = ("kmeans", "auto", "tags")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """14 files: 12 different pictures, a smaller copy of one and an identical copy of
    another (13 images); a tag property with two tags on three images each."""
    root = tmp_path_factory.mktemp("invariants")
    photos = root / "photos"
    photos.mkdir()
    for seed in range(12):
        picture(seed, (160, 120)).save(photos / f"{seed}.png")
    picture(0, (160, 120)).resize((96, 72)).save(photos / "0-small.png")
    shutil.copy(photos / "1.png", photos / "1-copy.png")
    handle = create_project(root / "project")
    run_import(handle, [photos])
    run_vectors(handle)
    prop = notes.create_property(handle, "Family", "tag")
    ids = sorted(load_image_paths(handle))
    for name, members in (("A", ids[:3]), ("B", ids[3:6])):
        tag = notes.create_tag(handle, prop.id, name)
        notes.set_values(handle, prop.id, members, [tag.id])
    yield handle
    handle.close()


def _run(project: Project, method: str) -> RunView:
    return run_request(project, check_run_request(project, REQUESTS[method]))


def _members(view: RunView) -> list[int]:
    return [image_id for group in view.groups for image_id, _ in group.members]


@pytest.mark.parametrize("method", list(REQUESTS))
def test_every_image_is_in_one_group(project: Project, method: str) -> None:
    view = _run(project, method)
    members = _members(view)
    images = sorted(load_image_paths(project))
    assert len(images) == 13
    assert len(members) == len(set(members))
    if method in PARTITIONS:
        assert sorted(members) == images
    else:  # near-duplicates: pictures that look alike, or one picture in identical files
        assert set(members) <= set(images) and members
        for group in view.groups:
            assert group.size >= 2 or (group.score, group.similarity) == (0.0, 1.0), group
    assert [group.size for group in view.groups] == [len(group.members) for group in view.groups]
    assert view.run.n_images == len(images)


@pytest.mark.parametrize("method", list(REQUESTS))
def test_the_same_request_gives_the_same_groups(project: Project, method: str) -> None:
    def shape(view: RunView) -> list[tuple[str, tuple[int, ...], float | None]]:
        return [
            (group.kind, tuple(sorted(i for i, _ in group.members)), group.score)
            for group in view.groups
        ]

    first, second = _run(project, method), _run(project, method)
    assert first.run.id != second.run.id
    assert shape(first) == shape(second)


@pytest.mark.parametrize("method", list(REQUESTS))
def test_scores_are_in_range_and_groups_sorted(project: Project, method: str) -> None:
    view = _run(project, method)
    kept = [group for group in view.groups if group.kind not in LEFT_OVER]
    left = [group for group in view.groups if group.kind in LEFT_OVER]
    assert list(view.groups) == kept + left  # outliers or unassigned last
    scores = [group.score for group in kept]
    assert all(score is not None and 0.0 <= score <= 100.0 for score in scores)
    if method == "duplicates":
        alike = [group.similarity for group in kept]
        assert all(s is not None and -1.0 - EPS <= s <= 1.0 + EPS for s in alike)
        assert alike == sorted(alike, reverse=True)  # type: ignore[type-var]
    else:
        assert scores == sorted(scores)  # type: ignore[type-var]
    for group in view.groups:
        typicality = [score for _, score in group.members]
        assert all(-1.0 - EPS <= score <= 1.0 + EPS for score in typicality)
        assert typicality == sorted(typicality, reverse=True)  # typical to odd
