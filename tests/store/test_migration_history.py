"""Projects made by every earlier corpuscope open with the current one, their data intact.

For each migration M except the last, the harness builds a project as it was when M was the
newest migration: it applies the real migrations one at a time, by name, and after each one
writes the rows a user of that version would have made (``ROWS[name]``, plain SQL against the
schema of that moment). Then it opens the project with the current code, which applies the
rest, and checks through the services that every row written survived and the app works.

Adding a migration: the harness picks it up on its own (every migration in
``migrations.MIGRATIONS`` is a starting point). If it creates a table or a column that users
fill, add ``ROWS["00NN_name"] = _your_rows`` (an insert function written against the schema
right after your migration, like the ones below) and check your rows in ``_check_new_data``,
through the services, only when ``"00NN_name" in made_with`` (the project's migrations). Never edit the
rows of an earlier migration: they are what projects of that version really hold.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from corpuscope.embed.catalog import DEFAULT_MODEL
from corpuscope.ingest.thumbnails import write_thumbnails
from corpuscope.services import annotations, csv_io, duplicates, runs, similarity
from corpuscope.services.projects import project_status
from corpuscope.store import migrations
from corpuscope.store.db import THUMBS_DIR, Project, open_project
from corpuscope.store.tasks import list_tasks


@dataclass(frozen=True)
class Picture:
    name: str
    sha1: str
    width: int
    height: int


def _pictures(thumbs: Path) -> list[Picture]:
    """Three real JPEGs (two alike, one different), with the thumbnails an import wrote."""
    pictures = []
    for index, (name, colour) in enumerate(
        [
            ("été/plage.jpg", (200, 160, 90)),
            ("été/plage copie.jpg", (200, 160, 92)),
            ("scans/reçu 001.jpg", (30, 60, 200)),
        ]
    ):
        image = Image.new("RGB", (320, 240), colour)
        image.paste((255, 255, 255), (40 + 80 * (index == 2), 40, 160, 120))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        sha1 = hashlib.sha1(buffer.getvalue()).hexdigest()
        write_thumbnails(image, thumbs, sha1)
        pictures.append(Picture(name, sha1, *image.size))
    return pictures


def _foundation_rows(conn: sqlite3.Connection, pictures: list[Picture]) -> None:
    conn.execute(
        "INSERT INTO folders (id, path, imported_at) VALUES (1, '/data/photos', "
        "'2024-05-01T10:00:00.000Z')"
    )
    old_fingerprint = np.linspace(-1, 1, 64, dtype=np.float16).tobytes()  # the v1 layout
    for number, picture in enumerate(pictures, start=1):
        conn.execute(
            "INSERT INTO images (id, sha1, width, height, format, fingerprint) "
            "VALUES (?, ?, ?, ?, 'JPEG', ?)",
            (number, picture.sha1, picture.width, picture.height, old_fingerprint),
        )
        conn.execute(
            "INSERT INTO files (id, folder_id, path, size, mtime_ns, sha1, image_id, status) "
            "VALUES (?, 1, ?, 1000, 1714557600000000000, ?, ?, 'ok')",
            (number, picture.name, picture.sha1, number),
        )
    conn.execute(
        "INSERT INTO files (id, folder_id, path, size, status, error) VALUES "
        "(4, 1, 'scans/abîmé.jpg', 12, 'error', 'cannot identify image file')"
    )
    conn.execute(
        "INSERT INTO files (id, folder_id, path, sha1, image_id, status) VALUES "
        "(5, 1, 'old/plage.jpg', ?, 1, 'missing')",
        (pictures[0].sha1,),
    )
    conn.executemany(
        "INSERT INTO properties (id, name, type, mode) VALUES (?, ?, ?, ?)",
        [
            (1, "Sujet", "multi_tags", "image"),
            (2, "Année", "number", "image"),
            (3, "Note", "text", "instance"),
        ],
    )
    conn.executemany(
        "INSERT INTO tags (id, property_id, name, color) VALUES (?, 1, ?, ?)",
        [(1, "Paysage", "#4e79a7"), (2, "Mer", "#59a14f"), (3, "Document", "#e15759")],
    )
    conn.execute("INSERT INTO tag_parents (tag_id, parent_id) VALUES (2, 1)")
    conn.executemany(
        "INSERT INTO image_tags (tag_id, image_id) VALUES (?, ?)", [(2, 1), (2, 2), (3, 3)]
    )
    conn.executemany(
        "INSERT INTO image_values (property_id, image_id, value) VALUES (2, ?, ?)",
        [(1, 2019), (2, 2019)],
    )
    conn.execute(
        "INSERT INTO file_values (property_id, file_id, value) VALUES (3, 3, 'reçu du garage')"
    )
    # The user renamed "Paysage" to "Paysages": the journal entry an undo reverts.
    scope = {
        "slices": [
            ["tags", "id IN (SELECT id FROM temp.scope_ids)", []],
            [
                "tag_parents",
                "tag_id IN (SELECT id FROM temp.scope_ids) OR "
                "parent_id IN (SELECT id FROM temp.scope_ids)",
                [],
            ],
        ],
        "ids": [1],
    }
    before = {"tags": [[1, 1, "Paysage", "#4e79a7"]], "tag_parents": [[2, 1]]}
    after = {"tags": [[1, 1, "Paysages", "#4e79a7"]], "tag_parents": [[2, 1]]}
    conn.execute("UPDATE tags SET name = 'Paysages' WHERE id = 1")
    conn.execute(
        "INSERT INTO journal (label, scope, before, after) VALUES ('Rename tag', ?, ?, ?)",
        (json.dumps(scope), json.dumps(before), json.dumps(after)),
    )


def _vector_rows(conn: sqlite3.Connection, pictures: list[Picture]) -> None:
    conn.execute(
        "INSERT INTO vector_sets (id, model, version, dim, preprocessing, runtime) "
        "VALUES (1, ?, '1-wold-pold', 8, 'resize 256, crop 224', 'onnxruntime (2 threads)')",
        (DEFAULT_MODEL,),
    )
    rows = np.array(
        [[1, 0.2, 0, 0, 0, 0, 0, 0], [1, 0.25, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0.1, 0, 0, 0, 0]],
        dtype=np.float32,
    )
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    conn.executemany(
        "INSERT INTO vectors (set_id, image_id, vector) VALUES (1, ?, ?)",
        [(number, row.tobytes()) for number, row in enumerate(rows, start=1)],
    )


def _run_rows(conn: sqlite3.Connection, pictures: list[Picture]) -> None:
    conn.execute(
        "INSERT INTO runs (id, algorithm, params, seed, vector_set_id, scope, n_images, seconds) "
        "VALUES (1, 'kmeans', '{\"k\": 2}', 0, 1, '{\"kind\": \"all\"}', 3, 0.4)"
    )
    conn.executemany(
        "INSERT INTO run_groups (id, run_id, rank, kind, name, score, size) "
        "VALUES (?, 1, ?, 'cluster', ?, ?, ?)",
        [(1, 0, "Plages", 0.9, 2), (2, 1, None, 0.5, 1)],
    )
    conn.executemany(
        "INSERT INTO run_members (group_id, image_id, rank, score) VALUES (?, ?, ?, ?)",
        [(1, 1, 0, 0.95), (1, 2, 1, 0.93), (2, 3, 0, 1.0)],
    )
    conn.execute("INSERT INTO refusals (target, image_id) VALUES ('tag:3', 1)")


def _task_rows(conn: sqlite3.Connection, pictures: list[Picture]) -> None:
    conn.execute(
        "INSERT INTO tasks (kind, params, status, done, total, message, result, attempts, "
        "started_at, finished_at) VALUES ('import', '{\"folders\": [\"/data/photos\"]}', "
        "'done', 5, 5, 'Imported', '{\"new\": 3}', 1, '2024-05-01T10:00:00Z', "
        "'2024-05-01T10:00:09Z')"
    )


ROWS: dict[str, Callable[[sqlite3.Connection, list[Picture]], None]] = {
    "0001_foundation": _foundation_rows,
    "0002_vectors": _vector_rows,
    "0003_runs": _run_rows,
    "0004_tasks": _task_rows,
}


def _build_project(root: Path, last: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The project as the version whose newest migration is ``last`` left it."""
    names = migrations.known_migrations()
    root.mkdir()
    pictures = _pictures(root / THUMBS_DIR)
    conn = sqlite3.connect(root / "project.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for count, name in enumerate(names[: names.index(last) + 1], start=1):
        with monkeypatch.context() as patch:
            patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:count])
            conn.execute("BEGIN IMMEDIATE")
            assert migrations.apply_migrations(conn) == [name]
            ROWS.get(name, lambda conn, pictures: None)(conn, pictures)
            conn.execute("COMMIT")
    conn.close()


@pytest.mark.parametrize("last", migrations.known_migrations()[:-1])
def test_a_project_from_an_earlier_version_keeps_its_data_and_works(
    last: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    _build_project(root, last, monkeypatch)
    known = migrations.known_migrations()
    with open_project(root) as project:
        assert migrations.applied_migrations(project.read()) == known
        _check_foundation(project)
        _check_new_data(project, made_with=known[: known.index(last) + 1])
    with open_project(root) as project:  # and again: nothing left to apply
        assert migrations.applied_migrations(project.read()) == migrations.known_migrations()


def _check_foundation(project: Project) -> None:
    status = project_status(project)
    assert (status.images, status.ok, status.errors, status.missing) == (3, 3, 1, 1)
    assert [problem.path for problem in status.error_files] == ["scans/abîmé.jpg"]
    out = io.StringIO()
    assert csv_io.export_csv(project, out) == 4  # ok and missing files
    text = out.getvalue()
    assert "Paysages>Mer" in text and "Document" in text
    assert "reçu du garage" in text and "2019" in text
    entry = annotations.undo(project)  # the rename made by the old version
    assert entry is not None and entry.label == "Rename tag"
    out = io.StringIO()
    csv_io.export_csv(project, out)
    assert "Paysage" in out.getvalue() and "Paysages" not in out.getvalue()
    tag = annotations.create_tag(project, "Sujet", "Montagne", parents=[1])
    assert tag.parents == (1,) or list(tag.parents) == [1]
    # Fingerprints of the old layout were dropped; duplicates come back from the thumbnails.
    view = duplicates.run_duplicates(project)
    assert [
        sorted(image for image, _ in group.members)
        for group in view.groups
        if group.kind == "cluster"
    ] == [[1, 2]]


def _check_new_data(project: Project, *, made_with: list[str]) -> None:
    if "0002_vectors" in made_with:
        matches = similarity.similar_images(project, [1])
        assert [match.image_id for match in matches] == [2, 3]
    if "0003_runs" in made_with:
        view = runs.load_run(project, 1)
        assert view.run.algorithm == "kmeans"
        assert [group.label for group in view.groups][:1] == ["Plages"]
        assert view.groups[0].members == ((1, 0.95), (2, 0.93))
    if "0004_tasks" in made_with:
        (task,) = list_tasks(project.read())
        assert (task.kind, task.status, task.done, task.total) == ("import", "done", 5, 5)
