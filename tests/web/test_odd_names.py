"""Files and folders whose names are not UTF-8, through real HTTP: imported from the folder's
shown name, listed in their shown form, served with their own bytes, re-imported by id."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi.testclient import TestClient
from tests.web.conftest import ok, open_project, wait_tasks


def test_odd_names_through_the_api(client: TestClient, tmp_path: Path, write_image) -> None:
    folder = os.fsencode(tmp_path) + b"/photos-\xe9t\xe9"
    os.makedirs(folder)
    names = [b"caf\xe9.jpg", b"line\nbreak.jpg", b"ok.jpg"]
    for seed, name in enumerate(names):
        data = write_image(tmp_path / "made" / f"{seed}.jpg", seed=seed).read_bytes()
        with open(folder + b"/" + name, "wb") as handle:
            handle.write(data)
    with open(folder + b"/broken\xff.jpg", "wb") as handle:
        handle.write(b"no picture")
    pid = open_project(client, tmp_path / "project")
    shown_folder = os.fsdecode(os.fsencode(tmp_path)) + "/photos-\\xe9t\\xe9"
    task = ok(client.post(f"/api/projects/{pid}/folders", json={"path": shown_folder}), 202)
    assert task["params"] == {"folders": [shown_folder]}
    [done] = wait_tasks(client, pid)
    assert done["status"] == "done" and done["result"]["added"] == 3, done  # broken: an error
    assert done["result"]["errors"] == 1, done
    [listed] = ok(client.get(f"/api/projects/{pid}/folders"))
    assert listed["path"] == shown_folder and listed["images"] == 3
    page = ok(client.post(f"/api/projects/{pid}/images/query", json={"sort": {"key": "path"}}))
    assert [item["path"] for item in page["items"]] == [
        "caf\\xe9.jpg",
        "line\\x0abreak.jpg",
        "ok.jpg",
    ]
    for item, name in zip(page["items"], names, strict=True):
        served = client.get(f"/api/projects/{pid}/images/{item['id']}/file")
        assert served.status_code == 200
        with open(folder + b"/" + name, "rb") as handle:
            assert served.content == handle.read()
        detail = ok(client.get(f"/api/projects/{pid}/images/{item['id']}"))
        assert detail["files"][0]["folder"] == shown_folder
    status = ok(client.get(f"/api/projects/{pid}"))
    assert [entry["path"] for entry in status["folders"]] == [shown_folder]
    assert [(p["path"], p["folder"]) for p in status["error_files"]] == [
        ("broken\\xff.jpg", shown_folder)
    ]
    found = ok(
        client.post(
            f"/api/projects/{pid}/images/query", json={"filter": {"path_contains": "caf\\xe9"}}
        )
    )
    assert [item["path"] for item in found["items"]] == ["caf\\xe9.jpg"]
    os.rename(folder + b"/ok.jpg", folder + b"/\xc0 d\xe9plac\xe9.jpg")
    ok(client.post(f"/api/projects/{pid}/folders/{listed['id']}/import"), 202)
    again = wait_tasks(client, pid)[0]
    assert again["status"] == "done" and again["result"]["moved"] == 1, again
    tasks = ok(client.get(f"/api/projects/{pid}/tasks"))["tasks"]
    assert all(task["params"]["folders"] == [shown_folder] for task in tasks)
