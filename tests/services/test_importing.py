import os
import threading

import pytest
from PIL import Image

from corpuscope.errors import InvalidInput
from corpuscope.ingest.thumbnails import thumbnail_path
from corpuscope.services import annotations as notes
from corpuscope.services.importing import ImportOptions, run_import
from corpuscope.services.projects import project_status

FORMATS = ["a.jpg", "b.png", "c.gif", "d.webp", "e.tiff", "f.bmp", "g.avif", "h.heic"]


def _rows(project, sql: str, *args):
    return [tuple(r) for r in project.read().execute(sql, args)]


def test_every_format_is_imported_with_two_thumbnail_sizes(project, tmp_path, write_image) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    for seed, name in enumerate(FORMATS):
        write_image(
            tmp_path / "in" / name,
            seed=seed,
            size=(900, 600),
            format="HEIF" if name.endswith("heic") else None,
        )
    summary = run_import(project, [tmp_path / "in"])
    assert (summary.added, summary.errors) == (len(FORMATS), 0)
    formats = {r[0] for r in _rows(project, "SELECT format FROM images")}
    assert formats == {"JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "AVIF", "HEIF"}
    for (sha1,) in _rows(project, "SELECT sha1 FROM images"):
        for size in (128, 512):
            with Image.open(thumbnail_path(project.thumbs_dir, sha1, size)) as thumb:
                assert max(thumb.size) == size


def test_thumbnails_follow_exif_orientation(project, tmp_path, write_image) -> None:
    write_image(tmp_path / "in" / "rotated.jpg", size=(800, 400), orientation=6)
    run_import(project, [tmp_path / "in"])
    [(sha1, width, height)] = _rows(project, "SELECT sha1, width, height FROM images")
    assert (width, height) == (400, 800)
    with Image.open(thumbnail_path(project.thumbs_dir, sha1, 512)) as thumb:
        assert thumb.size == (256, 512)


def test_bad_files_are_recorded_with_reasons_and_never_stop_the_import(
    project, tmp_path, write_image, claiming_png
) -> None:
    folder = tmp_path / "in"
    write_image(folder / "good.jpg", seed=1)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "letter.jpg").write_text("Dear archivist, this file only pretends to be a JPEG.")
    full = write_image(tmp_path / "full.jpg", seed=2, size=(900, 700)).read_bytes()
    (folder / "truncated.jpg").write_bytes(full[: len(full) // 3])
    (folder / "bomb.png").write_bytes(claiming_png(60_000, 60_000))
    (folder / "dangling.png").symlink_to(folder / "gone.png")
    (folder / "sub").mkdir()
    (folder / "sub" / "loop").symlink_to(folder)
    os.mkfifo(folder / "pipe.jpg")
    write_image(folder / "sub" / "good2.png", seed=3)
    summary = run_import(project, [folder])
    assert (summary.seen, summary.added, summary.errors) == (9, 2, 7)  # errors are not new images
    report = project_status(project)
    reasons = {p.path: p.reason for p in report.error_files}
    assert set(reasons) == {
        "empty.jpg",
        "letter.jpg",
        "truncated.jpg",
        "bomb.png",
        "dangling.png",
        "sub/loop",
        "pipe.jpg",
    }
    assert "empty" in reasons["empty.jpg"]
    assert "not an image" in reasons["letter.jpg"]
    assert "truncated" in reasons["truncated.jpg"]
    assert "decompression-bomb" in reasons["bomb.png"]
    assert "broken symbolic link" in reasons["dangling.png"]
    assert "loop" in reasons["sub/loop"]
    assert report.images == 2 and report.ok == 2


def test_each_file_counts_once_an_error_never_as_a_new_or_updated_image(
    project, tmp_path, write_image
) -> None:
    folder = tmp_path / "in"
    for seed in range(3):
        write_image(folder / f"{seed}.png", seed=seed)
    (folder / "broken.jpg").write_bytes(b"not a picture")
    first = run_import(project, [folder])
    assert (first.seen, first.added, first.updated, first.errors) == (4, 3, 0, 1)
    write_image(folder / "broken.jpg", seed=7)  # repaired: an image file updated
    (folder / "0.png").write_bytes(b"broken now")  # broken: an error, not an update
    again = run_import(project, [folder])
    assert (again.seen, again.skipped, again.added, again.updated, again.errors) == (4, 2, 0, 1, 1)


def test_unchanged_files_are_skipped_and_changed_ones_reread(
    project, tmp_path, write_image
) -> None:
    folder = tmp_path / "in"
    for seed in range(3):
        write_image(folder / f"{seed}.png", seed=seed)
    run_import(project, [folder])
    again = run_import(project, [folder])
    assert (again.skipped, again.added, again.updated) == (3, 0, 0)
    write_image(folder / "1.png", seed=99)
    os.utime(folder / "1.png", ns=(1, 1))
    third = run_import(project, [folder])
    assert (third.skipped, third.updated) == (2, 1)
    assert _rows(project, "SELECT COUNT(*) FROM images") == [(4,)]


def test_a_moved_file_keeps_its_image_and_its_annotations(project, tmp_path, write_image) -> None:
    folder = tmp_path / "in"
    write_image(folder / "old" / "vase.jpg", seed=5)
    run_import(project, [folder])
    [(file_id, image_id)] = _rows(project, "SELECT id, image_id FROM files")
    per_image = notes.create_property(project, "Period", "text")
    per_file = notes.create_property(project, "Shelf", "text", mode="instance")
    notes.set_values(project, per_image.id, [image_id], "Archaic")
    notes.set_values(project, per_file.id, [file_id], "B4")
    (folder / "new").mkdir()
    (folder / "old" / "vase.jpg").rename(folder / "new" / "vase-renamed.jpg")
    summary = run_import(project, [folder])
    assert (summary.moved, summary.added, summary.missing) == (1, 0, 0)
    assert _rows(project, "SELECT id, image_id, path, status FROM files") == [
        (file_id, image_id, "new/vase-renamed.jpg", "ok")
    ]
    assert _rows(project, "SELECT value FROM file_values") == [("B4",)]
    assert _rows(project, "SELECT value FROM image_values WHERE property_id = ?", per_image.id) == [
        ("Archaic",)
    ]


def test_a_vanished_file_is_marked_missing_and_keeps_its_annotations(
    project, tmp_path, write_image
) -> None:
    folder = tmp_path / "in"
    write_image(folder / "a.png", seed=1)
    write_image(folder / "b.png", seed=2)
    run_import(project, [folder])
    prop = notes.create_property(project, "Kind", "multi_tags")
    tag = notes.create_tag(project, prop.id, "Pottery")
    notes.add_tags(project, prop.id, [1, 2], [tag.id])
    (folder / "b.png").unlink()
    summary = run_import(project, [folder])
    assert summary.missing == 1
    assert _rows(project, "SELECT path, status FROM files ORDER BY path") == [
        ("a.png", "ok"),
        ("b.png", "missing"),
    ]
    assert _rows(project, "SELECT COUNT(*) FROM image_tags") == [(2,)]
    assert [p.path for p in project_status(project).missing_files] == ["b.png"]


def test_identical_bytes_in_two_places_are_one_image_and_two_files(
    project, tmp_path, write_image
) -> None:
    data = write_image(tmp_path / "x.jpg", seed=8).read_bytes()
    for name in ("in/a.jpg", "in/copies/a-copy.jpg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    run_import(project, [tmp_path / "in"])
    assert _rows(project, "SELECT COUNT(*), COUNT(DISTINCT image_id) FROM files") == [(2, 1)]


def test_worker_processes_give_the_same_records_as_in_process(tmp_path, write_image) -> None:
    from corpuscope.store.db import create_project

    folder = tmp_path / "in"
    for seed in range(40):
        write_image(folder / f"{seed:02}.jpg", seed=seed, size=(600, 400))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    results = []
    for workers in (0, 2):
        with create_project(tmp_path / f"p{workers}") as project:
            run_import(project, [folder], ImportOptions(workers=workers, batch_size=7))
            results.append(
                _rows(
                    project,
                    "SELECT f.path, f.status, f.error, i.sha1, i.width, i.height, i.fingerprint "
                    "FROM files f LEFT JOIN images i ON i.id = f.image_id ORDER BY f.path",
                )
            )
    assert results[0] == results[1]
    assert len(results[0]) == 41


def test_the_projects_own_folder_is_never_imported(tmp_path, write_image) -> None:
    from corpuscope.store.db import create_project

    write_image(tmp_path / "photo.jpg", seed=1)
    with create_project(tmp_path / "project") as project:
        run_import(project, [tmp_path])
        run_import(project, [tmp_path])
        assert _rows(project, "SELECT path FROM files") == [("photo.jpg",)]


def test_cancel_keeps_what_was_committed_and_does_not_mark_missing(
    project, tmp_path, write_image
) -> None:
    folder = tmp_path / "in"
    for seed in range(10):
        write_image(folder / f"{seed}.png", seed=seed)
    run_import(project, [folder])
    cancel = threading.Event()
    cancel.set()
    for seed in range(10, 14):
        write_image(folder / f"{seed}.png", seed=seed)
    summary = run_import(project, [folder], ImportOptions(cancel=cancel))
    assert summary.cancelled and summary.missing == 0
    assert _rows(project, "SELECT COUNT(*) FROM files WHERE status = 'ok'") == [(10,)]


def test_folders_that_cannot_be_imported_give_clear_errors(project, tmp_path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        run_import(project, [tmp_path / "nope"])
    (tmp_path / "file.jpg").write_bytes(b"x")
    with pytest.raises(InvalidInput, match="not a folder"):
        run_import(project, [tmp_path / "file.jpg"])
