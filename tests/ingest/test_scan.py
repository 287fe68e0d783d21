import os
from pathlib import Path

from corpuscope.ingest.scan import ScannedFile, ScanProblem, scan_folder


def _touch(path: Path, data: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_scan_is_recursive_sorted_and_keeps_only_image_names(tmp_path: Path) -> None:
    for name in ("b.JPG", "a.png", "notes.txt", "sub/c.webp", "sub/deeper/d.tiff", ".hidden/e.gif"):
        _touch(tmp_path / name)
    found = [e.rel_path for e in scan_folder(tmp_path)]
    assert found == [".hidden/e.gif", "a.png", "b.JPG", "sub/c.webp", "sub/deeper/d.tiff"]
    assert all(isinstance(e, ScannedFile) and e.size == 1 for e in scan_folder(tmp_path))


def test_symlink_loops_end_the_branch_not_the_walk(tmp_path: Path) -> None:
    _touch(tmp_path / "sub" / "a.jpg")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "sub" / "self").symlink_to(tmp_path / "sub")
    entries = list(scan_folder(tmp_path))
    files = [e.rel_path for e in entries if isinstance(e, ScannedFile)]
    problems = {e.rel_path: e.reason for e in entries if isinstance(e, ScanProblem)}
    assert files == ["sub/a.jpg"]
    assert set(problems) == {"sub/loop", "sub/self"}
    assert all("loop" in reason for reason in problems.values())


def test_links_to_files_are_followed_and_broken_ones_reported(tmp_path: Path) -> None:
    _touch(tmp_path / "real.png")
    (tmp_path / "alias.png").symlink_to(tmp_path / "real.png")
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "nowhere.jpg")
    entries = {e.rel_path: e for e in scan_folder(tmp_path)}
    assert isinstance(entries["alias.png"], ScannedFile)
    assert isinstance(entries["dangling.jpg"], ScanProblem)
    assert "broken symbolic link" in entries["dangling.jpg"].reason


def test_a_pipe_named_like_an_image_is_reported_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.jpg")
    [entry] = scan_folder(tmp_path)
    assert isinstance(entry, ScanProblem)
    assert "not a regular file" in entry.reason


def test_excluded_folders_are_not_entered(tmp_path: Path) -> None:
    _touch(tmp_path / "a.jpg")
    _touch(tmp_path / "project" / "thumbnails" / "t.jpg")
    found = [e.rel_path for e in scan_folder(tmp_path, exclude=[tmp_path / "project"])]
    assert found == ["a.jpg"]
