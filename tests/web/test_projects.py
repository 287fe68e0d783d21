"""Projects over HTTP: create, open, list recent, status, close, reopen by id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import Corpus, error, make_client, ok

from corpuscope.web.hub import project_id


def test_create_open_list_and_close(client: TestClient, tmp_path: Path) -> None:
    root = tmp_path / "first"
    created = ok(client.post("/api/projects", json={"path": str(root), "create": True}))
    assert created["id"] == project_id(root.resolve()) and created["name"] == "first"
    assert (root / "project.db").is_file()
    again = ok(client.post("/api/projects", json={"path": str(root)}))
    assert again["id"] == created["id"]
    second = ok(
        client.post("/api/projects", json={"path": str(tmp_path / "second"), "create": True})
    )
    listed = ok(client.get("/api/projects"))["projects"]
    assert {p["id"] for p in listed} == {created["id"], second["id"]}
    assert all(p["open"] and p["opened_at"] for p in listed)
    assert ok(client.post(f"/api/projects/{second['id']}/close")) == {"ok": True}
    listed = {p["id"]: p["open"] for p in ok(client.get("/api/projects"))["projects"]}
    assert listed == {created["id"]: True, second["id"]: False}
    error(client.post(f"/api/projects/{second['id']}/close"), 404)
    # a recent project reopens on first use of its id
    assert ok(client.get(f"/api/projects/{second['id']}"))["images"] == 0
    recent = json.loads((tmp_path / "home" / "recent.json").read_text())
    assert [entry["path"] for entry in recent] == [
        str((tmp_path / "second").resolve()),
        str(root.resolve()),
    ]


def test_recent_projects_are_remembered_across_apps(tmp_path: Path) -> None:
    with make_client(tmp_path) as client:
        pid = ok(client.post("/api/projects", json={"path": str(tmp_path / "p"), "create": True}))[
            "id"
        ]
    with make_client(tmp_path) as client:
        [entry] = ok(client.get("/api/projects"))["projects"]
        assert (entry["id"], entry["open"]) == (pid, False)
        assert ok(client.get(f"/api/projects/{pid}/properties")) == []


def test_a_damaged_recent_file_reads_as_empty(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "recent.json").write_text("{not json")
    with make_client(tmp_path) as client:
        assert ok(client.get("/api/projects")) == {"projects": [], "start": None}
        ok(client.post("/api/projects", json={"path": str(tmp_path / "p"), "create": True}))
        assert len(ok(client.get("/api/projects"))["projects"]) == 1


def test_status_lists_folders_errors_and_missing_files(corpus: Corpus) -> None:
    (corpus.photos / "broken.jpg").write_text("not a picture")
    (corpus.photos / "a" / "1.jpg").unlink()
    [folder] = ok(corpus.get("/folders"))
    ok(corpus.post(f"/folders/{folder['id']}/import"), 202)
    from tests.web.conftest import wait_tasks

    wait_tasks(corpus.client, corpus.pid)
    status = ok(corpus.get(""))
    assert (status["files"], status["ok"], status["errors"], status["missing"]) == (7, 5, 1, 1)
    assert status["error_files"][0]["path"] == "broken.jpg" and status["error_files"][0]["reason"]
    assert status["missing_files"][0]["path"] == "a/1.jpg"
    assert status["folders"][0]["imported_at"] is not None
    assert ok(corpus.get("", params={"limit": 0}))["error_files"] == []


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"path": "relative/project"}, 422, "full path"),
        ({"path": "/no/such/parent/project", "create": True}, 422, "does not exist"),
        ({"path": "/tmp"}, 409, "not a corpuscope project"),
        ({"path": "/tmp/x\x00y"}, 422, "NUL"),
        ({"path": ""}, 422, "path"),
        ({}, 422, "path"),
        ({"path": "/tmp", "create": "maybe"}, 422, "create"),
    ],
)
def test_project_errors(
    client: TestClient, body: dict[str, object], status: int, words: str
) -> None:
    assert words in error(client.post("/api/projects", json=body), status)


def test_a_file_where_the_project_should_be(client: TestClient, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file")
    message = error(
        client.post("/api/projects", json={"path": str(tmp_path / "taken"), "create": True}), 409
    )
    assert "not a folder" in message


def test_a_project_from_a_newer_version_is_refused(client: TestClient, tmp_path: Path) -> None:
    root = tmp_path / "future"
    ok(client.post("/api/projects", json={"path": str(root), "create": True}))
    ok(client.post(f"/api/projects/{project_id(root.resolve())}/close"))
    import sqlite3

    conn = sqlite3.connect(root / "project.db")
    conn.execute("INSERT INTO schema_migrations (name) VALUES ('9999_future')")
    conn.commit()
    conn.close()
    assert "newer version" in error(client.post("/api/projects", json={"path": str(root)}), 409)


def test_a_folder_holding_another_program_s_database_is_refused(
    client: TestClient, tmp_path: Path
) -> None:
    import sqlite3

    root = tmp_path / "catalogue"
    root.mkdir()
    conn = sqlite3.connect(root / "project.db")
    conn.execute("CREATE TABLE settings (key TEXT, value TEXT)")
    conn.commit()
    conn.close()
    before = (root / "project.db").read_bytes()
    for create in (False, True):
        body = {"path": str(root), "create": create}
        assert "made by another program" in error(client.post("/api/projects", json=body), 409)
    assert (root / "project.db").read_bytes() == before
    assert ok(client.get("/api/projects"))["projects"] == []
