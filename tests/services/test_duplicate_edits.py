"""Near-duplicates at the default score on real files: each kind of edited copy, and distinct
low-detail pictures that must stay apart (the pictures of ``corpuscope.calibration``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from corpuscope.calibration import EDITS, compute_edit, load_low_detail
from corpuscope.services.duplicates import run_duplicates
from corpuscope.services.importing import run_import
from corpuscope.store.db import create_project
from corpuscope.store.files import load_image_paths

pytestmark = pytest.mark.slow

PHOTOS = ("astronaut", "coffee", "rocket")
#: Edits the default finds every time on the calibration set (bench/duplicates_quality.py).
ALWAYS_FOUND = ("resize", "reencode", "flip", "blur")
LOW_DETAIL = {"mnist": 40, "digits": 20, "faces": 20, "icons": 20}


@pytest.fixture(scope="module")
def groups(tmp_path_factory: pytest.TempPathFactory) -> list[set[str]]:
    """Path sets of the default run's groups over photographs, their copies and distinct
    low-detail pictures, written as files and imported."""
    from skimage import data

    root = tmp_path_factory.mktemp("edits")
    folder = root / "in"
    folder.mkdir()
    for p, name in enumerate(PHOTOS):
        photo = Image.fromarray(getattr(data, name)()).convert("RGB")
        photo = photo.resize((384, round(384 * photo.height / photo.width)))
        photo.save(folder / f"{name}.png")
        for kind in EDITS:
            compute_edit(photo, kind, seed=p).save(folder / f"{name}-{kind}.jpg", quality=92)
    for kind, count in LOW_DETAIL.items():
        for i, picture in enumerate(load_low_detail(kind, count)):
            picture.save(folder / f"{kind}-{i:03}.png")
    project = create_project(root / "project")
    try:
        run_import(project, [folder])
        view = run_duplicates(project)
        paths = load_image_paths(project.read())
    finally:
        project.close()
    return [{Path(paths[i]).name for i, _ in group.members} for group in view.groups]


@pytest.mark.parametrize("kind", ALWAYS_FOUND)
@pytest.mark.parametrize("name", PHOTOS)
def test_an_edited_copy_lands_with_its_original(
    groups: list[set[str]], name: str, kind: str
) -> None:
    assert any({f"{name}.png", f"{name}-{kind}.jpg"} <= group for group in groups)


@pytest.mark.parametrize("kind", list(EDITS))
def test_a_copy_is_never_grouped_with_another_photograph(groups: list[set[str]], kind: str) -> None:
    for name in PHOTOS:
        for group in groups:
            if f"{name}-{kind}.jpg" in group:
                assert all(member.startswith(name) for member in group), group


def test_distinct_low_detail_pictures_stay_apart(groups: list[set[str]]) -> None:
    grouped = [m for group in groups for m in group if m.split("-")[0] in LOW_DETAIL]
    assert len(grouped) <= 0.02 * sum(LOW_DETAIL.values()), grouped
