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


def test_the_fingerprint_version_has_the_migration_that_drops_older_fingerprints() -> None:
    """Bumping FINGERPRINT_VERSION needs a migration ``00NN_fingerprint_vN`` that drops the old
    fingerprints, or old and new ones would be compared as if alike."""
    from corpuscope.analysis.fingerprint import FINGERPRINT_VERSION

    version = FINGERPRINT_VERSION.rsplit("-", 1)[-1]
    dropped = [name for name in migrations.known_migrations() if "_fingerprint_" in name]
    assert dropped and dropped[-1].endswith(f"_fingerprint_{version}"), (
        FINGERPRINT_VERSION,
        dropped,
    )
    assert "UPDATE images SET fingerprint = NULL" in dict(migrations.MIGRATIONS)[dropped[-1]]
