"""Atomic writes: a name holds the old file or the whole new one, never a part."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuscope.atomic import sync_filesystem, write_atomically


@pytest.mark.parametrize("sync", [True, False])
def test_a_write_that_fails_midway_keeps_the_old_file(tmp_path: Path, sync: bool) -> None:
    path = tmp_path / "cache.bin"
    path.write_bytes(b"old and whole")
    with pytest.raises(RuntimeError), write_atomically(path, sync=sync) as handle:
        handle.write(b"new but cut")
        raise RuntimeError("the disk went away")
    assert path.read_bytes() == b"old and whole"
    assert sorted(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_a_whole_write_replaces_the_file_and_the_folder_is_made(tmp_path: Path) -> None:
    path = tmp_path / "ab" / "thumb.jpg"
    with write_atomically(path) as handle:
        handle.write(b"new")
    assert path.read_bytes() == b"new"
    assert sorted(p.name for p in path.parent.iterdir()) == ["thumb.jpg"]
    sync_filesystem(path.parent)  # one flush for files written without their own fsync
