"""Copies of low-contrast pictures with a quiet margin of their own (a micrograph, the moon, a
clock on a dark ground), on real files: the border trim takes that margin for a frame on the
original and not on a rotated copy (black corners), so the finer check also compares the
untrimmed pictures; a caption or a sticker covers a band of such a picture, so the finer check
also compares the rest with that band left out, in either orientation (the layout of such a
pair, far either way, may propose the mirror). A faint small picture (a 102-pixel micrograph)
and its half-size copy, trimmed to different framings, go to the finer check because their
vectors stand out from the rest. A framed copy re-encoded at JPEG quality 70 is
still matched trimmed, and distinct low-detail pictures stay apart (with the bundled model's
vectors, as ``make run`` leaves a project)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageOps

from corpuscope.calibration import compute_edit
from corpuscope.services.duplicates import run_duplicates
from corpuscope.services.importing import run_import
from corpuscope.services.vectors import VectorOptions, run_vectors
from corpuscope.store.db import create_project
from corpuscope.store.files import load_image_paths

from .conftest import write_low_detail

QUIET = ("cell", "moon", "clock")
OTHERS = ("astronaut", "coffee", "camera")
LOW_DETAIL = {"mnist": 40, "digits": 20, "icons": 20}
#: Found since the finer check compares the untrimmed pictures too (missed before).
FOUND = [("cell", "rotation"), ("clock", "rotation")] + [(name, "framed") for name in QUIET]
#: Found since it leaves out the band an overlay covers and tries both orientations.
UNCOVERED = [("cell", "overlay"), ("moon", "rotation"), ("moon", "overlay"), ("clock", "overlay")]
#: Found since a pair whose vectors stand out goes to the finer check whatever its layouts.
FAINT = [("microaneurysms", "half")]

pytestmark = pytest.mark.slow


def _framed_q70(photo: Image.Image, path: Path) -> None:
    half = photo.resize((photo.width // 2, photo.height // 2), Image.Resampling.LANCZOS)
    ImageOps.expand(half, border=16, fill=(0, 0, 0)).save(path, quality=70)


@pytest.fixture(scope="module")
def groups(tmp_path_factory: pytest.TempPathFactory) -> list[set[str]]:
    """File names of the default run's groups (layouts, finer pictures and vectors)."""
    from skimage import data

    root = tmp_path_factory.mktemp("framings")
    folder = root / "in"
    folder.mkdir()
    for p, name in enumerate((*QUIET, *OTHERS)):
        photo = Image.fromarray(getattr(data, name)()).convert("RGB")
        photo = photo.resize((384, round(384 * photo.height / photo.width)))
        photo.save(folder / f"{name}.png")
        if name in QUIET:
            for kind in ("rotation", "overlay"):
                compute_edit(photo, kind, seed=p).save(folder / f"{name}-{kind}.jpg", quality=92)
            _framed_q70(photo, folder / f"{name}-framed.jpg")
    faint = Image.fromarray(data.microaneurysms()).convert("RGB")  # 102 x 102, as it comes
    faint.save(folder / "microaneurysms.png")
    half = faint.resize((faint.width // 2, faint.height // 2), Image.Resampling.BICUBIC)
    half.save(folder / "microaneurysms-half.jpg", quality=70)  # the demo corpus's copy
    write_low_detail(folder, LOW_DETAIL)
    project = create_project(root / "project")
    try:
        run_import(project, [folder])
        run_vectors(project, VectorOptions(workers=0))
        view = run_duplicates(project)
        assert view.run.params["signal"] == "layout+detail+vectors"
        paths = load_image_paths(project.read())
    finally:
        project.close()
    return [{Path(paths[i]).name for i, _ in group.members} for group in view.groups]


@pytest.mark.parametrize(("name", "kind"), FOUND + UNCOVERED + FAINT)
def test_a_copy_of_a_picture_with_a_quiet_margin_lands_with_its_original(
    groups: list[set[str]], name: str, kind: str
) -> None:
    assert any({f"{name}.png", f"{name}-{kind}.jpg"} <= group for group in groups), groups


def test_no_group_mixes_pictures_and_distinct_low_detail_pictures_stay_apart(
    groups: list[set[str]],
) -> None:
    for group in groups:
        assert len({member.split("-")[0].split(".")[0] for member in group}) == 1, group
    grouped = [m for group in groups for m in group if m.split("-")[0] in LOW_DETAIL]
    assert len(grouped) <= 0.02 * sum(LOW_DETAIL.values()), grouped
