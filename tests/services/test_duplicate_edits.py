"""Near-duplicates at the default score on real files: each kind of edited copy, and distinct
low-detail pictures that must stay apart (the pictures of ``corpuscope.calibration``), first
with the layout fingerprint alone, then with the bundled model's vectors."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from corpuscope.calibration import EDITS, compute_edit
from corpuscope.services.duplicates import run_duplicates
from corpuscope.services.importing import run_import
from corpuscope.services.vectors import VectorOptions, run_vectors
from corpuscope.store.db import create_project
from corpuscope.store.files import load_image_paths

from .conftest import write_low_detail

pytestmark = pytest.mark.slow

PHOTOS = ("astronaut", "coffee", "rocket")
#: Edits the default finds every time on the calibration set (bench/duplicates_quality.py).
ALWAYS_FOUND = ("resize", "reencode", "flip", "blur")
#: With vectors, copies whose layout moved are found too.
FOUND_WITH_VECTORS = (*ALWAYS_FOUND, "rotation", "overlay", "light_crop", "border")
LOW_DETAIL = {"mnist": 40, "digits": 20, "faces": 20, "icons": 20}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[set[str]]]:
    """Path sets of the default run's groups over photographs, their copies and distinct
    low-detail pictures, written as files and imported: ``layout`` before the vectors are
    computed, ``vectors`` after."""
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
    write_low_detail(folder, LOW_DETAIL)
    project = create_project(root / "project")
    try:
        run_import(project, [folder])
        layout = run_duplicates(project)
        run_vectors(project, VectorOptions(workers=0))
        vectors = run_duplicates(project)
        paths = load_image_paths(project.read())
    finally:
        project.close()
    assert (layout.run.params["signal"], vectors.run.params["signal"]) == (
        "layout+detail",
        "layout+detail+vectors",
    )
    return {
        name: [{Path(paths[i]).name for i, _ in group.members} for group in view.groups]
        for name, view in (("layout", layout), ("vectors", vectors))
    }


@pytest.mark.parametrize(
    ("signal", "kind"),
    [("layout", kind) for kind in ALWAYS_FOUND] + [("vectors", k) for k in FOUND_WITH_VECTORS],
)
@pytest.mark.parametrize("name", PHOTOS)
def test_an_edited_copy_lands_with_its_original(
    runs: dict[str, list[set[str]]], name: str, signal: str, kind: str
) -> None:
    """Rotated and overlaid copies with vectors; the others from the layout alone too."""
    assert any({f"{name}.png", f"{name}-{kind}.jpg"} <= group for group in runs[signal])


@pytest.mark.parametrize("signal", ["layout", "vectors"])
@pytest.mark.parametrize("kind", list(EDITS))
def test_a_copy_is_never_grouped_with_another_photograph(
    runs: dict[str, list[set[str]]], kind: str, signal: str
) -> None:
    for name in PHOTOS:
        for group in runs[signal]:
            if f"{name}-{kind}.jpg" in group:
                assert all(member.startswith(name) for member in group), group


@pytest.mark.parametrize("signal", ["layout", "vectors"])
def test_distinct_low_detail_pictures_stay_apart(
    runs: dict[str, list[set[str]]], signal: str
) -> None:
    grouped = [m for group in runs[signal] for m in group if m.split("-")[0] in LOW_DETAIL]
    assert len(grouped) <= 0.02 * sum(LOW_DETAIL.values()), grouped
