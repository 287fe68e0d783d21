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


# Each fingerprint version with the migration that dropped the fingerprints before it.
FINGERPRINT_MIGRATIONS = {
    "layout-ycc16-v2": "0005_fingerprint_v2",
    "layout-ycc16-v3": "0009_fingerprint_detail",
    "layout-ycc16-v4": "0014_fingerprint_framings",
}
DROP_FINGERPRINTS = "UPDATE images SET fingerprint = NULL"


def test_each_fingerprint_change_has_a_version_and_a_migration_that_drops_older_ones() -> None:
    """Changing the fingerprint needs both a new FINGERPRINT_VERSION and a migration dropping
    the stored fingerprints, or old and new ones would be compared as if alike."""
    from corpuscope.analysis.fingerprint import FINGERPRINT_VERSION

    dropping = [name for name, sql in migrations.MIGRATIONS if DROP_FINGERPRINTS in sql]
    assert sorted(FINGERPRINT_MIGRATIONS.values()) == dropping, "a version per dropping migration"
    assert FINGERPRINT_MIGRATIONS.get(FINGERPRINT_VERSION) == dropping[-1], FINGERPRINT_VERSION


def test_names_stored_before_0007_get_their_bytes_and_shown_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_image
) -> None:
    """Rows written by the previous version (UTF-8 text names) keep their ids and values, get
    their bytes, and a re-import finds every file unchanged. Two names whose shown forms swap
    places (a newline, and a real backslash followed by x0a) migrate without a clash."""
    import os

    from corpuscope.filenames import format_name
    from corpuscope.services.importing import run_import

    folder = tmp_path / "photos"
    names = ["a.jpg", "two\nlines.jpg", "x\n.jpg", "x\\x0a.jpg", "back\\slash.jpg", "été.jpg"]
    for seed, name in enumerate(names):
        write_image(folder / name, seed=seed)
    before = [m for m in migrations.MIGRATIONS if m[0] < "0007"]
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(before))
    with create_project(tmp_path / "p") as project, project.write() as conn:
        conn.execute("INSERT INTO folders (id, path) VALUES (1, ?)", (str(folder),))
        conn.execute(
            "INSERT INTO properties (id, name, type, mode) VALUES (1, 'N', 'text', 'instance')"
        )
        for number, name in enumerate(names, start=1):
            info = os.stat(folder / name)
            conn.execute(
                "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'JPEG')",
                (number, f"{number:040x}"),
            )
            conn.execute(
                "INSERT INTO files (id, folder_id, path, size, mtime_ns, sha1, image_id, status) "
                "VALUES (?, 1, ?, ?, ?, ?, ?, 'ok')",
                (number, name, info.st_size, info.st_mtime_ns, f"{number:040x}", number),
            )
            conn.execute("INSERT INTO file_values VALUES (1, ?, ?)", (number, f"v{number}"))
    monkeypatch.undo()
    with open_project(tmp_path / "p") as project:
        rows = (
            project.read().execute("SELECT id, path, path_bytes FROM files ORDER BY id").fetchall()
        )
        assert [tuple(row) for row in rows] == [
            (number, format_name(name.encode()), name.encode())
            for number, name in enumerate(names, start=1)
        ]
        assert rows[2][1] == "x\\x0a.jpg" and rows[3][1] == "x\\\\x0a.jpg"
        assert project.read().execute("SELECT COUNT(*) FROM file_values").fetchone()[0] == 6
        summary = run_import(project, [folder])
        assert (summary.skipped, summary.added, summary.missing) == (6, 0, 0)


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
