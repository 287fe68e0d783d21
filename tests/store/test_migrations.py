import sqlite3
from pathlib import Path

import pytest

from corpuscope.errors import ProjectError
from corpuscope.store import migrations
from corpuscope.store.db import create_project, open_project


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    return names


def test_a_new_project_records_every_migration(project) -> None:
    assert migrations.applied_migrations(project.read()) == migrations.known_migrations()


def test_a_project_made_by_the_previous_version_is_migrated_and_keeps_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if len(migrations.MIGRATIONS) < 2:
        pytest.skip("only one migration so far")
    old = migrations.MIGRATIONS[:-1]
    monkeypatch.setattr(migrations, "MIGRATIONS", old)
    with create_project(tmp_path / "p") as project, project.write() as conn:
        conn.execute("INSERT INTO folders (path) VALUES ('/photos')")
    monkeypatch.undo()
    with open_project(tmp_path / "p") as project:
        assert migrations.applied_migrations(project.read()) == migrations.known_migrations()
        assert project.read().execute("SELECT path FROM folders").fetchall()[0][0] == "/photos"


def test_migrating_from_an_empty_database(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    sqlite3.connect(root / "project.db").close()
    with open_project(root) as project:
        assert migrations.applied_migrations(project.read()) == migrations.known_migrations()
    assert {"images", "files", "tags", "tag_parents"} <= _tables(root / "project.db")


def test_a_project_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    with create_project(tmp_path / "p") as project, project.write() as conn:
        conn.execute("INSERT INTO schema_migrations (name) VALUES ('9999_from_the_future')")
    before = (tmp_path / "p" / "project.db").read_bytes()
    with pytest.raises(ProjectError, match="newer version of corpuscope"):
        open_project(tmp_path / "p")
    assert (tmp_path / "p" / "project.db").read_bytes() == before


def _foreign_database(path: Path) -> bytes:
    """A SQLite file made by another program (a photo manager's catalogue, say)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE images (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO images (title) VALUES ('holiday')")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("open_it", [open_project, create_project])
def test_a_project_db_made_by_another_program_is_refused_untouched(
    tmp_path: Path, open_it: object
) -> None:
    before = _foreign_database(tmp_path / "p" / "project.db")
    with pytest.raises(ProjectError, match="made by another program"):
        open_it(tmp_path / "p")  # type: ignore[operator]
    assert (tmp_path / "p" / "project.db").read_bytes() == before
    assert not (tmp_path / "p" / "thumbnails").exists()


def test_projects_are_marked_as_corpuscope_s_own(tmp_path: Path) -> None:
    with create_project(tmp_path / "p"):
        pass
    conn = sqlite3.connect(tmp_path / "p" / "project.db")
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    conn.execute("PRAGMA application_id = 0")  # as a project made before the mark
    conn.commit()
    conn.close()
    with open_project(tmp_path / "p") as project:  # recognised by its first migration
        assert migrations.is_corpuscope_database(project.read())
