"""Real archives: names that are not UTF-8 (and every other name a POSIX file system allows),
files that are not regular files, oversized files, damaged thumbnails, records the database
refuses. Every file here is made for real, with bytes paths where the name is not UTF-8."""

from __future__ import annotations

import io
import os
import socket
import stat
from pathlib import Path

import pytest

from corpuscope.filenames import format_name
from corpuscope.ingest.thumbnails import LARGE, SMALL, thumbnail_path
from corpuscope.services import annotations as notes
from corpuscope.services.csv_io import export_csv, import_csv
from corpuscope.services.images import image_file, load_image
from corpuscope.services.importing import ImportOptions, run_import
from corpuscope.services.projects import project_status

ODD_NAMES = [
    b"caf\xe9.jpg",  # Latin-1, from an old Windows or Mac archive
    b"two\nlines.jpg",
    b"-rf --help.jpg",
    b"quotes \"double\" 'single'.jpg",
    b"back\\slash.jpg",
    b"looks\\xe9escaped.jpg",
    b"100%25 %s %n.jpg",
    "📷 émoji.jpg".encode(),
    b"[bold]markup[red].jpg",
    b"x" * 251 + b".jpg",  # 255 bytes, the longest name ext4 allows
]


def _put(folder: bytes, name: bytes, data: bytes) -> bytes:
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def _jpeg(write_image, tmp_path: Path, seed: int) -> bytes:
    return write_image(tmp_path / "made" / f"{seed}.jpg", seed=seed, size=(96, 64)).read_bytes()


def _rows(project, sql: str, *args):
    return [tuple(r) for r in project.read().execute(sql, args)]


@pytest.fixture
def odd_folder(tmp_path: Path, write_image) -> Path:
    """A folder whose own name is not UTF-8, holding one image under each odd name."""
    folder = os.fsencode(tmp_path) + b"/archive-\xff\xfe"
    for seed, name in enumerate(ODD_NAMES):
        _put(folder, name, _jpeg(write_image, tmp_path, seed))
    _put(folder + b"/sous-dossier \xe0 accent", b"nested\xe9.jpg", _jpeg(write_image, tmp_path, 50))
    return Path(os.fsdecode(folder))


def test_every_name_imports_and_opens_again(project, odd_folder: Path) -> None:
    summary = run_import(project, [odd_folder])
    assert (summary.added, summary.errors) == (len(ODD_NAMES) + 1, 0)
    stored = _rows(project, "SELECT path, path_bytes FROM files ORDER BY id")
    wanted = [*ODD_NAMES, "sous-dossier \xe0 accent/nested\xe9.jpg".encode("latin-1")]
    assert sorted(raw for _, raw in stored) == sorted(wanted)
    for shown, raw in stored:
        assert shown == format_name(raw)
    assert "caf\\xe9.jpg" in {shown for shown, _ in stored}
    assert "two\\x0alines.jpg" in {shown for shown, _ in stored}
    [(folder_shown, folder_raw)] = _rows(project, "SELECT path, path_bytes FROM folders")
    assert folder_raw == os.fsencode(odd_folder) and folder_shown.endswith("archive-\\xff\\xfe")
    for image_id, raw in _rows(project, "SELECT image_id, path_bytes FROM files"):
        path, _ = image_file(project, image_id)
        assert (
            path.read_bytes()
            == Path(os.fsdecode(os.fsencode(odd_folder) + b"/" + raw)).read_bytes()
        )
        detail = load_image(project, image_id)
        assert detail.files[0].path == format_name(raw)
    again = run_import(project, [odd_folder])
    assert (again.skipped, again.added, again.updated, again.missing) == (len(stored), 0, 0, 0)


def test_status_lists_odd_names_in_their_shown_form(project, tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path) + b"/in"
    _put(folder, b"caf\xe9.jpg", b"not a picture")
    _put(folder, b"line\nbreak.jpg", b"")
    run_import(project, [Path(os.fsdecode(folder))])
    reasons = {p.path: p.reason for p in project_status(project).error_files}
    assert set(reasons) == {"caf\\xe9.jpg", "line\\x0abreak.jpg"}


def test_a_moved_file_with_an_odd_name_keeps_its_annotations(project, odd_folder: Path) -> None:
    run_import(project, [odd_folder])
    raw_folder = os.fsencode(odd_folder)
    [(file_id, image_id)] = _rows(
        project, "SELECT id, image_id FROM files WHERE path_bytes = ?", b"caf\xe9.jpg"
    )
    shelf = notes.create_property(project, "Shelf", "text", mode="instance")
    notes.set_values(project, shelf.id, [file_id], "B4")
    os.rename(raw_folder + b"/caf\xe9.jpg", raw_folder + b"/d\xe9plac\xe9 \xab moved \xbb.jpg")
    summary = run_import(project, [odd_folder])
    assert (summary.moved, summary.added, summary.missing) == (1, 0, 0)
    assert _rows(project, "SELECT path, path_bytes, image_id FROM files WHERE id = ?", file_id) == [
        ("d\\xe9plac\\xe9 \\xab moved \\xbb.jpg", b"d\xe9plac\xe9 \xab moved \xbb.jpg", image_id)
    ]
    assert _rows(project, "SELECT value FROM file_values") == [("B4",)]


def test_csv_export_and_import_find_odd_names_by_path(project, tmp_path: Path, write_image) -> None:
    """Two copies of one picture under odd names: a per-file value can only come back to the
    right copy through its path (the content hash is the same for both)."""
    folder = os.fsencode(tmp_path) + b"/copies-\xe9"
    data = _jpeg(write_image, tmp_path, 3)
    _put(folder, b"copie \xe0.jpg", data)
    _put(folder, b"copy\nb.jpg", data)
    run_import(project, [Path(os.fsdecode(folder))])
    shelf = notes.create_property(project, "Shelf", "text", mode="instance")
    ids = dict(_rows(project, "SELECT path_bytes, id FROM files"))
    notes.set_values(project, shelf.id, [ids[b"copie \xe0.jpg"]], "left")
    notes.set_values(project, shelf.id, [ids[b"copy\nb.jpg"]], "right")
    out = io.StringIO()
    assert export_csv(project, out) == 2
    text = out.getvalue()
    assert "copie \\xe0.jpg" in text and "copy\\x0ab.jpg" in text
    notes.clear_values(project, shelf.id, list(ids.values()))
    summary = import_csv(project, io.StringIO(text, newline=""))
    assert (summary.values, summary.unmatched) == (2, 0)
    assert dict(
        _rows(
            project,
            "SELECT f.path_bytes, v.value FROM file_values v JOIN files f ON f.id = v.file_id",
        )
    ) == {
        b"copie \xe0.jpg": "left",
        b"copy\nb.jpg": "right",
    }


def test_special_files_are_recorded_and_never_read(
    project, tmp_path: Path, write_image, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    write_image(folder / "good.jpg", seed=1)
    os.mkfifo(folder / "pipe.jpg")
    os.mkfifo(folder / "target-pipe")
    (folder / "to-pipe.png").symlink_to(folder / "target-pipe")
    (folder / "zero.jpg").symlink_to("/dev/zero")
    (folder / "random.jpg").symlink_to("/dev/urandom")
    monkeypatch.chdir(folder)  # a socket's path must be short
    server = socket.socket(socket.AF_UNIX)
    server.bind("socket.jpg")
    try:
        with open(folder / "sparse.jpg", "wb") as handle:
            handle.truncate(100 * 1024**3)  # 100 GB that takes no room on the disk
        summary = run_import(project, [folder])
    finally:
        server.close()
    assert (summary.seen, summary.added, summary.errors) == (7, 1, 6)
    reasons = {p.path: p.reason for p in project_status(project).error_files}
    assert reasons == {
        "pipe.jpg": "a named pipe (FIFO), not a regular file",
        "to-pipe.png": "a symbolic link to a named pipe (FIFO), not to a regular file",
        "zero.jpg": "a symbolic link to a character device, not to a regular file",
        "random.jpg": "a symbolic link to a character device, not to a regular file",
        "socket.jpg": "a socket, not a regular file",
        "sparse.jpg": "larger than 2,147,483,648 bytes, the size cap "
        "(not read; raise it with --max-bytes)",
    }


def test_the_size_cap_can_be_changed(project, tmp_path: Path, write_image) -> None:
    folder = tmp_path / "in"
    size = write_image(folder / "a.jpg", seed=1).stat().st_size
    summary = run_import(project, [folder], ImportOptions(max_bytes=size - 1))
    assert summary.errors == 1
    assert "size cap" in project_status(project).error_files[0].reason
    os.utime(folder / "a.jpg", ns=(1, 1))
    assert run_import(project, [folder], ImportOptions(max_bytes=size)).updated == 1
    assert project_status(project).errors == 0


def test_a_file_turned_into_a_pipe_after_the_scan_is_not_read(
    project, tmp_path: Path, write_image, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader checks the kind again itself: the name may change between scan and read."""
    from corpuscope.ingest import reader
    from corpuscope.ingest.scan import ScannedFile

    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "swapped.jpg")
    settings = reader.ReadSettings(project.thumbs_dir, 10**6)
    record = reader.read_file(folder, ScannedFile("swapped.jpg", 0, 0), settings)
    assert record.error == "a named pipe (FIFO), not a regular file"


def test_a_future_modification_time_is_kept_within_the_database_range(
    project, tmp_path: Path, write_image
) -> None:
    folder = tmp_path / "in"
    path = write_image(folder / "future.jpg", seed=1)
    year_2400 = 13_569_465_600 * 10**9  # past 2**63 nanoseconds (2262)
    os.utime(path, ns=(year_2400, year_2400))
    if os.stat(path).st_mtime_ns < 2**63:
        pytest.skip("this file system cannot hold a date past 2262")
    assert run_import(project, [folder]).added == 1
    assert project_status(project).errors == 0
    assert run_import(project, [folder]).skipped == 1


def test_a_record_the_database_refuses_is_recorded_and_the_rest_imports(
    project, tmp_path: Path, write_image
) -> None:
    """A trigger refuses one image (a real SQLite fault in the middle of a batch): the batch
    is split, that file is recorded with the database's reason, the other files import."""
    folder = tmp_path / "in"
    import hashlib

    for seed in range(9):
        write_image(folder / f"{seed}.jpg", seed=seed)
    poison = hashlib.sha1((folder / "4.jpg").read_bytes()).hexdigest()
    with project.write() as conn:
        conn.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON images WHEN NEW.sha1 = '{poison}' "
            "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
        )
    summary = run_import(project, [folder], ImportOptions(batch_size=100))
    assert (summary.added, summary.errors, summary.unrecorded) == (8, 1, [])
    [problem] = project_status(project).error_files
    assert problem.path == "4.jpg"
    assert problem.reason == "the database refused this file's record (refused for the test)"
    assert _rows(project, "SELECT COUNT(*) FROM files WHERE status = 'ok'") == [(8,)]


@pytest.mark.parametrize("damage", ["empty", "cut", "garbage"])
def test_a_damaged_cached_thumbnail_is_made_again(
    project, tmp_path: Path, write_image, damage: str
) -> None:
    folder = tmp_path / "in"
    write_image(folder / "a.jpg", seed=1, size=(900, 600))
    run_import(project, [folder])
    [(sha1,)] = _rows(project, "SELECT sha1 FROM images")
    for size in (SMALL, LARGE):
        path = thumbnail_path(project.thumbs_dir, sha1, size)
        good = path.read_bytes()
        path.write_bytes(
            {"empty": b"", "cut": good[: len(good) // 2], "garbage": b"\x00" * 99}[damage]
        )
    (folder / "copy.jpg").write_bytes((folder / "a.jpg").read_bytes())  # read again: same image
    summary = run_import(project, [folder])
    assert (summary.added, summary.errors) == (1, 0)
    from PIL import Image

    for size in (SMALL, LARGE):
        with Image.open(thumbnail_path(project.thumbs_dir, sha1, size)) as thumb:
            thumb.load()
            assert max(thumb.size) == size
    leftovers = [p for p in project.thumbs_dir.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_thumbnails_keep_the_usual_permissions(project, tmp_path: Path, write_image) -> None:
    """Atomic writes keep the usual permissions (a temporary file is often made 0600)."""
    write_image(tmp_path / "in" / "a.jpg", seed=1)
    run_import(project, [tmp_path / "in"])
    [(sha1,)] = _rows(project, "SELECT sha1 FROM images")
    mode = stat.S_IMODE(thumbnail_path(project.thumbs_dir, sha1, SMALL).stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
