"""Tasks over HTTP: import and vectors as tasks, progress, cancel, events, resume on restart."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import Corpus, error, make_client, ok, wait_tasks
from tests.web.conftest import open_project as open_over_http

from corpuscope.embed.base import Embedder
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.embed.registry import ModelInfo
from corpuscope.errors import InvalidInput
from corpuscope.services import task_kinds
from corpuscope.services import tasks as taskservice
from corpuscope.services.importing import ImportSummary
from corpuscope.store import tasks as taskstore
from corpuscope.store.db import create_project, open_project


class Gate:
    """A fake import that reports progress, then waits to be released or cancelled."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls: list[list[str]] = []

    def __call__(self, project: Any, folders: list[Path], options: Any) -> ImportSummary:
        self.calls.append([str(folder) for folder in folders])
        options.on_progress(task_kinds.ImportProgress(str(folders[0]), 3, 10, 1, 0))
        self.started.set()
        while not self.release.is_set():
            if options.cancel.wait(0.01):
                return ImportSummary(cancelled=True)
        return ImportSummary(folders=1, added=10)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    fake = Gate()
    monkeypatch.setattr(task_kinds, "run_import", fake)
    return fake


@pytest.fixture
def pid(client: TestClient, tmp_path: Path) -> str:
    return open_over_http(client, tmp_path / "project")


def folder(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return str(path)


def test_an_import_task_reports_progress_and_its_summary(corpus: Corpus) -> None:
    [task] = ok(corpus.get("/tasks"))["tasks"]
    assert task["kind"] == "import" and task["status"] == "done" and not task["active"]
    assert (task["done"], task["total"]) == (6, 6)
    assert task["result"]["added"] == 6 and task["result"]["errors"] == 0
    assert task["params"] == {"folders": [str(corpus.photos.resolve())]}
    assert task["attempts"] == 1 and task["finished_at"] >= task["started_at"]
    assert ok(corpus.get(f"/tasks/{task['id']}")) == task
    status = ok(corpus.get(""))
    assert (status["images"], status["files"], status["errors"]) == (6, 6, 0)


def test_reimport_reads_only_what_changed(corpus: Corpus, write_image: Callable[..., Path]) -> None:
    write_image(corpus.photos / "c" / "new.jpg", seed=40)
    [folder_row] = ok(corpus.get("/folders"))
    ok(corpus.post(f"/folders/{folder_row['id']}/import"), 202)
    newest = wait_tasks(corpus.client, corpus.pid)[0]
    assert newest["result"]["added"] == 1 and newest["result"]["skipped"] == 6
    error(corpus.post("/folders/77/import"), 404)


def test_cancelling_a_running_task(
    client: TestClient, pid: str, gate: Gate, tmp_path: Path
) -> None:
    task = ok(
        client.post(f"/api/projects/{pid}/folders", json={"path": folder(tmp_path, "in")}), 202
    )
    assert task["status"] in ("queued", "running")
    assert gate.started.wait(10)
    running = ok(client.get(f"/api/projects/{pid}/tasks/{task['id']}"))
    assert (running["status"], running["done"], running["total"]) == ("running", 3, 10)
    assert running["message"] == "importing in, 1 errors"
    ok(client.post(f"/api/projects/{pid}/tasks/{task['id']}/cancel"))
    [final] = wait_tasks(client, pid)
    assert final["status"] == "cancelled" and final["result"]["cancelled"] is True
    assert final["done"] == 3  # the last progress is kept


def test_cancelling_a_queued_task_and_deduplicating(
    client: TestClient, pid: str, gate: Gate, tmp_path: Path
) -> None:
    first = ok(
        client.post(f"/api/projects/{pid}/folders", json={"path": folder(tmp_path, "a")}), 202
    )
    assert gate.started.wait(10)
    second = ok(
        client.post(f"/api/projects/{pid}/folders", json={"path": folder(tmp_path, "b")}), 202
    )
    again = ok(
        client.post(f"/api/projects/{pid}/folders", json={"path": folder(tmp_path, "b")}), 202
    )
    assert again["id"] == second["id"]
    active = ok(client.get(f"/api/projects/{pid}/tasks", params={"active": True}))["tasks"]
    assert [t["status"] for t in active] == ["queued", "running"]
    cancelled = ok(client.post(f"/api/projects/{pid}/tasks/{second['id']}/cancel"))
    assert cancelled["status"] == "cancelled"
    gate.release.set()
    tasks = wait_tasks(client, pid)
    assert [(t["id"], t["status"]) for t in tasks] == [
        (second["id"], "cancelled"),
        (first["id"], "done"),
    ]
    assert len(gate.calls) == 1
    finished = ok(client.post(f"/api/projects/{pid}/tasks/{first['id']}/cancel"))
    assert finished["status"] == "done"  # cancelling a finished task changes nothing
    error(client.post(f"/api/projects/{pid}/tasks/999/cancel"), 404)
    error(client.get(f"/api/projects/{pid}/tasks/999"), 404)


def test_events_stream_progress_until_idle(
    client: TestClient, pid: str, gate: Gate, tmp_path: Path
) -> None:
    ok(client.post(f"/api/projects/{pid}/folders", json={"path": folder(tmp_path, "in")}), 202)
    assert gate.started.wait(10)
    url = f"/api/projects/{pid}/tasks/events"
    lines = []
    with client.stream("GET", url, params={"until_idle": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            lines.append(line)
            if line.startswith("data: "):
                gate.release.set()  # the first event is out: let the task finish
    events = parse_events("\n".join(lines))
    assert events[0]["tasks"][0]["status"] == "running"
    assert events[0]["tasks"][0]["done"] == 3
    assert events[-1]["tasks"][0]["status"] == "done"


def test_events_stream_ends_after_its_timeout(client: TestClient, pid: str) -> None:
    response = client.get(f"/api/projects/{pid}/tasks/events", params={"timeout": 0.3})
    assert "event: tasks" in response.text and "event: timeout" in response.text
    error(client.get(f"/api/projects/{pid}/tasks/events", params={"timeout": 0}), 422)


def parse_events(text: str) -> list[dict[str, Any]]:
    return [
        json.loads(line[len("data: ") :])
        for block in text.split("\n\n")
        if "event: tasks" in block
        for line in block.splitlines()
        if line.startswith("data: ")
    ]


def test_an_interrupted_task_resumes_when_the_app_starts(
    tmp_path: Path, write_image: Callable[..., Path]
) -> None:
    for seed in range(4):
        write_image(tmp_path / "photos" / f"{seed}.jpg", seed=seed)
    root = tmp_path / "project"
    with create_project(root) as project, project.write() as conn:  # as a crash leaves it
        task = taskstore.save_task(conn, "import", {"folders": [str(tmp_path / "photos")]})
        taskstore.mark_task_running(conn, task.id)
    with make_client(tmp_path, projects=(root,)) as client:
        pid = ok(client.get("/api/projects"))["projects"][0]["id"]
        [done] = wait_tasks(client, pid)
        assert (done["id"], done["status"], done["attempts"]) == (task.id, "done", 2)
        assert ok(client.get(f"/api/projects/{pid}"))["images"] == 4


def test_a_task_that_keeps_crashing_is_failed(tmp_path: Path) -> None:
    root = tmp_path / "project"
    with create_project(root) as project, project.write() as conn:
        task = taskstore.save_task(conn, "import", {"folders": [str(tmp_path)]})
        for _ in range(taskservice.MAX_ATTEMPTS):
            taskstore.mark_task_running(conn, task.id)
    with make_client(tmp_path, projects=(root,)) as client:
        pid = ok(client.get("/api/projects"))["projects"][0]["id"]
        [failed] = wait_tasks(client, pid)
        assert failed["status"] == "failed" and "interrupted 3 times" in failed["error"]


def test_stopping_the_server_leaves_the_running_task_queued(tmp_path: Path, gate: Gate) -> None:
    root = tmp_path / "project"
    with make_client(tmp_path) as client:
        pid = open_over_http(client, root)
        ok(client.post(f"/api/projects/{pid}/folders", json={"path": folder(tmp_path, "in")}), 202)
        assert gate.started.wait(10)
    with open_project(root) as project:
        [task] = taskstore.list_tasks(project.read())
        assert (task.status, task.attempts, task.done) == ("queued", 0, 3)
    gate.started.clear()
    gate.release.set()
    with make_client(tmp_path, projects=(root,)) as client:
        [done] = wait_tasks(client, pid)
        assert done["status"] == "done" and done["attempts"] == 1


def test_a_failing_task_records_its_error_and_the_queue_goes_on(
    client: TestClient, pid: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = iter([InvalidInput("The folder vanished."), RuntimeError("boom"), None])

    def flaky(project: Any, folders: Any, options: Any) -> ImportSummary:
        problem = next(calls)
        if problem is not None:
            raise problem
        return ImportSummary(folders=1)

    monkeypatch.setattr(task_kinds, "run_import", flaky)
    for name in ("a", "b", "c"):
        ok(client.post(f"/api/projects/{pid}/folders", json={"path": folder(tmp_path, name)}), 202)
    tasks = wait_tasks(client, pid)[::-1]
    assert [t["status"] for t in tasks] == ["failed", "failed", "done"]
    assert tasks[0]["error"] == "The folder vanished."
    assert tasks[1]["error"].startswith("The task stopped on an unexpected error (boom)")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("relative/photos", "full path"),
        ("/no/such/folder/anywhere", "does not exist"),
        ("FILE", "is a file"),
        ("/tmp/a\x00b", "NUL"),
        ("", "path"),
    ],
)
def test_folder_paths_are_checked_before_queuing(
    client: TestClient, pid: str, tmp_path: Path, path: str, words: str
) -> None:
    if path == "FILE":
        path = str(tmp_path / "note.txt")
        Path(path).write_text("not a folder")
    message = error(client.post(f"/api/projects/{pid}/folders", json={"path": path}), 422)
    assert words in message
    assert ok(client.get(f"/api/projects/{pid}/tasks"))["tasks"] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_refused(client: TestClient, pid: str, tmp_path: Path) -> None:
    locked = Path(folder(tmp_path, "locked"))
    locked.chmod(0)
    try:
        message = error(
            client.post(f"/api/projects/{pid}/folders", json={"path": str(locked)}), 422
        )
        assert "cannot be read" in message
    finally:
        locked.chmod(0o755)


class TinyEmbedder(Embedder):
    name, version, dim, has_text = "tiny", "1", 3, False
    preprocessing = ImagePreprocessing(8, None, (0.0, 0.0, 0.0), (255.0, 255.0, 255.0), "square")

    def _forward(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return batch.mean(axis=(2, 3)) + 0.01


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = task_kinds.run_vectors

    def run(project: Any, options: Any) -> Any:
        return real(project, replace(options, workers=0), embedder=TinyEmbedder())

    monkeypatch.setattr(task_kinds, "run_vectors", run)
    yield


def test_a_vectors_task(corpus: Corpus, tiny: None) -> None:
    task = ok(corpus.post("/vectors", {}), 202)
    assert task["kind"] == "vectors" and task["params"] == {"model": "efficientnet-lite0"}
    done = wait_tasks(corpus.client, corpus.pid)[0]
    assert done["status"] == "done", done
    assert done["result"]["computed"] == 6 and done["total"] == 6
    [vector_set] = ok(corpus.get(""))["vector_sets"]
    assert (vector_set["model"], vector_set["count"], vector_set["dim"]) == ("tiny", 6, 3)


def test_a_model_that_cannot_run_is_a_409_saying_what_to_do(
    client: TestClient, pid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = ModelInfo(
        "clip-vit-b-32", "CLIP", 512, True, False, "its weights are not on this machine",
        "Run: corpuscope models download clip-vit-b-32", "600 MB", "slow", "", False,
    )  # fmt: skip
    real = task_kinds.find_model
    monkeypatch.setattr(
        task_kinds, "find_model", lambda name: missing if name == missing.name else real(name)
    )
    message = error(
        client.post(f"/api/projects/{pid}/vectors", json={"model": "clip-vit-b-32"}), 409
    )
    assert "not on this machine" in message and "models download" in message
    assert "Unknown model" in error(
        client.post(f"/api/projects/{pid}/vectors", json={"model": "nope"}), 422
    )
    models = ok(client.get("/api/models"))
    assert models and all(
        {"name", "available", "reason", "how_to_enable"} <= set(m) for m in models
    )
