"""The real app from its factory over real projects in ``tmp_path``, driven through HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from corpuscope.embed.registry import DEFAULT_MODEL
from corpuscope.store.db import open_project as open_store
from corpuscope.store.vectors import save_vector_set, save_vectors
from corpuscope.web import Settings, create_app

BASE = "http://127.0.0.1"


def make_client(tmp_path: Path, **overrides: Any) -> TestClient:
    """A client for a new app; use it as a context manager (start-up opens projects).

    Without a token unless ``token`` is given (test_security.py and test_serve.py test it)."""
    settings = Settings(home=tmp_path / "home", **{"token": None, **overrides})
    return TestClient(create_app(settings), base_url=BASE, raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path) as test_client:
        yield test_client


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def error(response: Any, status: int) -> str:
    """The one-sentence message of an error response."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) - {"code", "params"} == {"detail"}, body  # a code for the UI's language
    assert isinstance(body["detail"], str), body
    assert body["detail"].strip()
    return str(body["detail"])


def wait_tasks(client: TestClient, pid: str, timeout: float = 120.0) -> list[dict[str, Any]]:
    """Poll until no task is queued or running; the tasks, newest first."""
    deadline = time.monotonic() + timeout
    while True:
        tasks = ok(client.get(f"/api/projects/{pid}/tasks"))["tasks"]
        if not any(task["active"] for task in tasks):
            return list(tasks)
        assert time.monotonic() < deadline, tasks
        time.sleep(0.02)


def wait_task(client: TestClient, pid: str, task_id: int, timeout: float = 120.0) -> Any:
    """Poll one task until it is no longer queued or running; the task."""
    deadline = time.monotonic() + timeout
    while True:
        task = ok(client.get(f"/api/projects/{pid}/tasks/{task_id}"))
        if not task["active"]:
            return task
        assert time.monotonic() < deadline, task
        time.sleep(0.02)


@dataclass
class Corpus:
    """A project of real images: ``families`` folders of pictures, imported through the API."""

    client: TestClient
    pid: str
    root: Path
    photos: Path

    def url(self, tail: str) -> str:
        return f"/api/projects/{self.pid}{tail}"

    def get(self, tail: str, **kwargs: Any) -> Any:
        return self.client.get(self.url(tail), **kwargs)

    def post(self, tail: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(self.url(tail), json=json, **kwargs)

    def patch(self, tail: str, json: Any = None) -> Any:
        return self.client.patch(self.url(tail), json=json)

    def delete(self, tail: str) -> Any:
        return self.client.delete(self.url(tail))

    def create_run(self, body: dict[str, Any]) -> Any:
        """Start a run (a task, 202), wait for it to finish and return the run it made."""
        task = ok(self.post("/runs", body), 202)
        finished = wait_task(self.client, self.pid, task["id"])
        assert finished["status"] == "done", finished
        return ok(self.get(f"/runs/{finished['result']['run_id']}"))


def open_project(client: TestClient, root: Path) -> str:
    return str(ok(client.post("/api/projects", json={"path": str(root), "create": True}))["id"])


@pytest.fixture
def corpus(client: TestClient, tmp_path: Path, write_image: Callable[..., Path]) -> Corpus:
    """6 images: a/0-2.jpg and b/3-5.png in one folder ``photos``, imported."""
    photos = tmp_path / "photos"
    for seed in range(3):
        write_image(photos / "a" / f"{seed}.jpg", seed=seed)
    for seed in range(3, 6):
        write_image(photos / "b" / f"{seed}.png", seed=seed)
    pid = open_project(client, tmp_path / "project")
    ok(client.post(f"/api/projects/{pid}/folders", json={"path": str(photos)}), 202)
    [task] = wait_tasks(client, pid)
    assert task["status"] == "done", task
    return Corpus(client, pid, tmp_path / "project", photos)


@pytest.fixture
def vectors(corpus: Corpus) -> list[int]:
    """Synthetic vectors for the default model: a/* near one direction, b/* near another."""
    ids = ok(corpus.post("/images/ids", {"sort": {"key": "path"}}))["ids"]
    rng = np.random.default_rng(0)
    X = np.zeros((6, 8), dtype=np.float32)
    X[:3, 0], X[3:, 1] = 1.0, 1.0
    X += rng.normal(scale=0.05, size=X.shape).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    with open_store(corpus.root) as project, project.write() as conn:
        vector_set = save_vector_set(
            conn, model=DEFAULT_MODEL, version="test", dim=8, preprocessing="none", runtime="none"
        )
        save_vectors(conn, vector_set, np.array(ids, dtype=np.int64), X)
    return list(ids)
