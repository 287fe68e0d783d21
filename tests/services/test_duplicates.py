"""Near-duplicates on real image files: copies users mean, and pictures they don't."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD
from corpuscope.errors import Cancelled, InvalidInput
from corpuscope.services.duplicates import refresh_fingerprints, run_duplicates
from corpuscope.services.importing import run_import
from corpuscope.services.runs import list_runs
from corpuscope.store import migrations
from corpuscope.store.files import load_image_paths


@pytest.fixture
def corpus(tmp_path: Path, write_image) -> Path:
    folder = tmp_path / "in"
    original = write_image(folder / "vase.jpg", seed=1, size=(800, 600))
    with Image.open(original) as image:
        image.resize((400, 300)).save(folder / "vase-half.jpg", quality=90)
        image.save(folder / "vase-q70.jpg", quality=70)
        ImageOps.expand(image, border=30, fill=(255, 255, 255)).save(folder / "vase-border.png")
        image.crop((20, 15, 780, 585)).save(folder / "vase-crop.jpg", quality=90)
    for seed in range(2, 8):
        write_image(folder / f"other-{seed}.jpg", seed=seed, size=(800, 600))
    (folder / "copy").mkdir()
    (folder / "copy" / "other-2.jpg").write_bytes((folder / "other-2.jpg").read_bytes())
    return folder


def _named(project, view):
    paths = load_image_paths(project.read())
    return [sorted(paths[i] for i, _ in group.members) for group in view.groups]


def test_resized_reencoded_bordered_and_cropped_copies_land_with_their_original(
    project, corpus
) -> None:
    run_import(project, [corpus])
    view = run_duplicates(project)
    groups = _named(project, view)
    assert [
        "vase-border.png",
        "vase-crop.jpg",
        "vase-half.jpg",
        "vase-q70.jpg",
        "vase.jpg",
    ] in groups
    assert ["copy/other-2.jpg"] in groups  # two files with identical bytes: one image
    assert len(groups) == 2
    near = next(g for g in view.groups if g.size == 5)
    assert DEFAULT_THRESHOLD <= near.similarity <= 1.0
    assert view.run.algorithm == "duplicates" and view.run.params["threshold"] == DEFAULT_THRESHOLD


def test_a_threshold_of_one_keeps_only_identical_content(project, corpus) -> None:
    run_import(project, [corpus])
    groups = _named(project, run_duplicates(project, threshold=1.0))
    assert groups == [["copy/other-2.jpg"]]


def test_bad_thresholds_are_refused(project, corpus) -> None:
    run_import(project, [corpus])
    for bad in (0.0, 1.5, -1.0):
        with pytest.raises(InvalidInput, match="between 0 and 1"):
            run_duplicates(project, threshold=bad)


def test_fingerprints_dropped_by_an_upgrade_come_back_from_the_thumbnails(project, corpus) -> None:
    run_import(project, [corpus])
    conn = project.read()
    before = dict(conn.execute("SELECT id, fingerprint FROM images").fetchall())
    expected = _named(project, run_duplicates(project))
    newest = [sql for _, sql in migrations.MIGRATIONS if any("fingerprint" in s for s in sql)][-1]
    with project.write() as write:  # the last fingerprint migration, as on an older project
        for statement in newest:
            write.execute(statement)
    assert refresh_fingerprints(project) == len(before)
    after = dict(conn.execute("SELECT id, fingerprint FROM images").fetchall())
    assert after.keys() == before.keys()
    for image_id, blob in before.items():  # from the JPEG thumbnail: close, not bit-equal
        old, new = (
            np.frombuffer(b, np.float16).astype(np.float32) for b in (blob, after[image_id])
        )
        assert float(old @ new) > 0.99
    with project.write() as write:
        write.execute("UPDATE images SET fingerprint = NULL")
    assert _named(project, run_duplicates(project)) == expected  # refreshed on the way


def test_an_image_whose_thumbnail_is_gone_stays_out_instead_of_failing(project, corpus) -> None:
    run_import(project, [corpus])
    with project.write() as write:
        write.execute("UPDATE images SET fingerprint = NULL")
    sha1 = (
        project.read()
        .execute(
            "SELECT images.sha1 FROM images JOIN files ON files.image_id = images.id "
            "WHERE files.path = 'vase-q70.jpg'"
        )
        .fetchone()[0]
    )
    for thumbnail in project.thumbs_dir.glob(f"{sha1[:2]}/{sha1}-*.jpg"):
        thumbnail.unlink()
    groups = _named(project, run_duplicates(project))
    assert ["vase-border.png", "vase-crop.jpg", "vase-half.jpg", "vase.jpg"] in groups
    missing = project.read().execute("SELECT COUNT(*) FROM images WHERE fingerprint IS NULL")
    assert missing.fetchone()[0] == 1


def test_stages_are_reported_and_a_cancel_records_nothing(project, corpus) -> None:
    run_import(project, [corpus])
    heard: list[tuple[int, int, str]] = []
    run_duplicates(
        project, report=lambda done, total, message: heard.append((done, total, message))
    )
    assert [done for done, _, _ in heard] == sorted(done for done, _, _ in heard)
    assert heard[-1][0] == heard[-1][1] and all(message for _, _, message in heard)
    before = len(list_runs(project))

    cancel = threading.Event()

    def stop_after_first(done: int, total: int, message: str) -> None:
        cancel.set()

    with pytest.raises(Cancelled):
        run_duplicates(project, report=stop_after_first, cancel=cancel)
    assert len(list_runs(project)) == before
