import sqlite3
import threading
from pathlib import Path

import pytest

from corpuscope.errors import ProjectError
from corpuscope.store.db import create_project, open_project


def test_create_sets_wal_foreign_keys_and_folders(tmp_path: Path) -> None:
    with create_project(tmp_path / "p") as project:
        assert project.read().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert project.read().execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert project.thumbs_dir.is_dir()
    assert (tmp_path / "p" / "project.db").is_file()


def test_open_refuses_a_folder_without_a_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="not a corpuscope project"):
        open_project(tmp_path)


def test_open_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    (tmp_path / "project.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(ProjectError, match="not a readable SQLite database"):
        open_project(tmp_path)


def test_write_rolls_back_on_error(project) -> None:
    with pytest.raises(RuntimeError), project.write() as conn:
        conn.execute("INSERT INTO folders (path) VALUES ('/x')")
        raise RuntimeError("boom")
    assert project.read().execute("SELECT COUNT(*) FROM folders").fetchone()[0] == 0


def test_readers_do_not_see_uncommitted_writes_and_cannot_write(project) -> None:
    seen: list[int] = []
    with project.write() as conn:
        conn.execute("INSERT INTO folders (path) VALUES ('/x')")
        thread = threading.Thread(
            target=lambda: seen.append(
                project.read().execute("SELECT COUNT(*) FROM folders").fetchone()[0]
            )
        )
        thread.start()
        thread.join()
    assert seen == [0]
    assert project.read().execute("SELECT COUNT(*) FROM folders").fetchone()[0] == 1
    with pytest.raises(sqlite3.OperationalError):
        project.read().execute("DELETE FROM folders")


def test_write_transactions_are_immediate(project, tmp_path: Path) -> None:
    other = sqlite3.connect(project.db_path, timeout=0)
    with project.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    other.close()
