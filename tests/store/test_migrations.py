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
}
DROP_FINGERPRINTS = "UPDATE images SET fingerprint = NULL"


def test_each_fingerprint_change_has_a_version_and_a_migration_that_drops_older_ones() -> None:
    """Changing the fingerprint needs both a new FINGERPRINT_VERSION and a migration dropping
    the stored fingerprints, or old and new ones would be compared as if alike."""
    from corpuscope.analysis.fingerprint import FINGERPRINT_VERSION

    dropping = [name for name, sql in migrations.MIGRATIONS if DROP_FINGERPRINTS in sql]
    assert sorted(FINGERPRINT_MIGRATIONS.values()) == dropping, "a version per dropping migration"
    assert FINGERPRINT_MIGRATIONS.get(FINGERPRINT_VERSION) == dropping[-1], FINGERPRINT_VERSION
