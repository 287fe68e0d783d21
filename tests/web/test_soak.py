"""Soak: 8 clients edit, merge, undo, redo, query and ask for recommendations at once, over
real HTTP on the loopback, against ``corpuscope serve`` in its own process, while an import and
a vector run proceed in that server. Then: no response was a 5xx, the database passes
``PRAGMA integrity_check``, and undoing everything gives back the starting annotations.

Bounded in time (``CORPUSCOPE_SOAK_SECONDS``, 60 by default) and in requests per client
(``CORPUSCOPE_SOAK_REQUESTS``). The figures (requests served, p50/p99 latency, errors) are
printed and written to ``test-output/soak.json``.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import picture

from corpuscope.services.importing import run_import
from corpuscope.services.vectors import run_vectors
from corpuscope.store.db import create_project
from corpuscope.store.properties import save_property
from corpuscope.store.tags import save_tag
from corpuscope.store.values import add_tag_values, set_scalar_values
from corpuscope.web.hub import project_id

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("CORPUSCOPE_SOAK_SECONDS", "60"))
MAX_REQUESTS = int(os.environ.get("CORPUSCOPE_SOAK_REQUESTS", "50000"))  # per client
CLIENTS = 8
TOKEN = "soak-test-token-1234"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "soak.json"
#: The annotations undo must give back (refusals of recommendations are not undoable edits).
ANNOTATIONS = {
    "properties": "SELECT id, name, type, mode FROM properties ORDER BY id",
    "tags": "SELECT id, property_id, name, color FROM tags ORDER BY id",
    "tag_parents": "SELECT * FROM tag_parents ORDER BY 1, 2",
    "image_values": "SELECT * FROM image_values ORDER BY 1, 2",
    "file_values": "SELECT * FROM file_values ORDER BY 1, 2",
    "image_tags": "SELECT * FROM image_tags ORDER BY 1, 2",
    "file_tags": "SELECT * FROM file_tags ORDER BY 1, 2",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {
            name: [tuple(row) for row in conn.execute(sql)] for name, sql in ANNOTATIONS.items()
        }


@dataclass
class Tally:
    """What every client saw; appended to under a lock."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, action: str, status: int, seconds: float, text: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1
            self.actions[action] += 1
            if status >= 500:
                self.server_errors.append(f"{action}: {status} {text[:300]}")


class Client:
    """One user: random actions on the project, each one request."""

    def __init__(self, url: str, pid: str, seed: int, tally: Tally) -> None:
        self.http = httpx.Client(
            base_url=f"{url}api/projects/{pid}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        self.rng = random.Random(seed)
        self.tally = tally
        self.seed = seed
        self.images: list[int] = []
        self.kind = self.year = self.note = 0
        self.tags: list[int] = []

    def send(self, action: str, method: str, path: str, body: Any = None) -> Any:
        started = time.perf_counter()
        response = self.http.request(method, path, json=body)
        self.tally.record(
            action, response.status_code, time.perf_counter() - started, response.text
        )
        return (
            response.json() if response.headers.get("content-type") == "application/json" else None
        )

    def refresh(self) -> None:
        found = self.send("ids", "POST", "/images/ids", {})
        self.images = list(found["ids"]) if found and "ids" in found else self.images
        properties = self.send("properties", "GET", "/properties") or []
        by_name = {prop["name"]: prop for prop in properties if isinstance(prop, dict)}
        if {"Kind", "Year", "Note"} <= set(by_name):
            self.kind, self.year = by_name["Kind"]["id"], by_name["Year"]["id"]
            self.note = by_name["Note"]["id"]
            self.tags = [tag["id"] for tag in by_name["Kind"]["tags"]]

    def some_images(self, most: int = 5) -> list[int]:
        return self.rng.sample(self.images, min(len(self.images), self.rng.randint(1, most)))

    def some_tags(self, most: int = 2) -> list[int]:
        return self.rng.sample(self.tags, min(len(self.tags), self.rng.randint(1, most)))

    def act(self) -> None:
        rng = self.rng
        if not self.images or not self.tags or rng.random() < 0.05:
            self.refresh()
            return
        choice = rng.choices(list(ACTIONS), weights=[w for w, _ in ACTIONS.values()])[0]
        ACTIONS[choice][1](self)


def _query(c: Client) -> None:
    flt: dict[str, Any] = {}
    if c.rng.random() < 0.5:
        flt["conditions"] = [
            {"property": c.kind, "op": c.rng.choice(["any", "all", "none"]), "tags": c.some_tags(3)}
        ]
    if c.rng.random() < 0.3:
        flt.setdefault("conditions", []).append(
            {"property": c.year, "op": "ge", "value": c.rng.randint(1800, 2000)}
        )
    sort = {"key": c.rng.choice(["id", "path", "property"]), "property": c.year}
    c.send(
        "query",
        "POST",
        "/images/query",
        {"filter": flt, "sort": sort, "limit": 50, "properties": [c.kind, c.year]},
    )


def _group(c: Client) -> None:
    levels = c.rng.choice([[c.kind], [c.kind, c.year], ["folder", c.kind], [c.year]])
    c.send("grouping", "POST", "/grouping", {"levels": levels})


def _detail(c: Client) -> None:
    c.send("image", "GET", f"/images/{c.rng.choice(c.images)}")


def _set_value(c: Client) -> None:
    if c.rng.random() < 0.5:
        c.send(
            "set",
            "POST",
            f"/properties/{c.year}/values/set",
            {"ids": c.some_images(), "value": c.rng.randint(1800, 2020)},
        )
    else:
        c.send(
            "set",
            "POST",
            f"/properties/{c.note}/values/set",
            {"ids": c.some_images(), "value": f"note {c.rng.random():.3f}"},
        )


def _tags(c: Client) -> None:
    verb = c.rng.choice(["add-tags", "remove-tags", "clear"])
    body: dict[str, Any] = {"ids": c.some_images()}
    if verb != "clear":
        body["tags"] = c.some_tags()
    c.send(verb, "POST", f"/properties/{c.kind}/values/{verb}", body)


def _new_tag(c: Client) -> None:
    parents = c.some_tags(1) if c.rng.random() < 0.5 else []
    made = c.send(
        "new tag",
        "POST",
        f"/properties/{c.kind}/tags",
        {"name": f"tag {c.seed}-{c.rng.randint(0, 999)}", "parents": parents},
    )
    if made and "id" in made:
        c.tags.append(made["id"])


def _merge(c: Client) -> None:
    if len(c.tags) >= 3:
        survivor, other = c.rng.sample(c.tags, 2)
        c.send("merge", "POST", f"/tags/{survivor}/merge", {"others": [other]})
        c.refresh()


def _rename_or_parent(c: Client) -> None:
    tag = c.rng.choice(c.tags)
    if c.rng.random() < 0.5:
        c.send(
            "rename", "PATCH", f"/tags/{tag}", {"name": f"renamed {c.seed}-{c.rng.randint(0, 999)}"}
        )
    else:
        c.send("parent", "POST", f"/tags/{tag}/parents", {"parent_id": c.rng.choice(c.tags)})


def _undo(c: Client) -> None:
    c.send("undo", "POST", "/undo")


def _redo(c: Client) -> None:
    c.send("redo", "POST", "/redo")


def _recommend(c: Client) -> None:
    c.send(
        "recommend",
        "POST",
        "/recommendations",
        {"target": f"tag:{c.rng.choice(c.tags)}", "limit": 20},
    )


def _similar(c: Client) -> None:
    c.send("similar", "POST", "/similar", {"image_ids": c.some_images(2), "limit": 20})


def _export(c: Client) -> None:
    started = time.perf_counter()
    response = c.http.get("/export.csv")
    c.tally.record("export", response.status_code, time.perf_counter() - started, response.text)


ACTIONS: dict[str, tuple[float, Callable[[Client], None]]] = {
    "query": (22, _query),
    "group": (12, _group),
    "detail": (6, _detail),
    "set": (10, _set_value),
    "tags": (12, _tags),
    "new tag": (4, _new_tag),
    "merge": (3, _merge),
    "rename/parent": (4, _rename_or_parent),
    "undo": (7, _undo),
    "redo": (5, _redo),
    "recommend": (8, _recommend),
    "similar": (5, _similar),
    "export": (2, _export),
}


@pytest.fixture
def soaked_project(tmp_path: Path) -> tuple[Path, Path]:
    """A project of 40 imported images with real vectors and annotations made outside the
    journal (so that undoing every change made during the soak gives exactly them back), and a
    second folder of 150 images to import during the soak."""
    first, second = tmp_path / "first", tmp_path / "second"
    for seed in range(40):
        (first / f"f{seed % 4}").mkdir(parents=True, exist_ok=True)
        picture(seed, (160, 120)).save(first / f"f{seed % 4}" / f"{seed}.jpg")
    for seed in range(100, 250):
        (second / f"s{seed % 5}").mkdir(parents=True, exist_ok=True)
        picture(seed, (160, 120)).save(second / f"s{seed % 5}" / f"{seed}.jpg")
    root = tmp_path / "project"
    with create_project(root) as project:
        run_import(project, [first])
        run_vectors(project)
        with project.write() as conn:
            kind = save_property(conn, "Kind", "multi_tags", "image")
            year = save_property(conn, "Year", "number", "image")
            save_property(conn, "Note", "text", "image")
            animal = save_tag(conn, kind, "Animal")
            tags = [
                save_tag(conn, kind, name, parents=[animal.id]) for name in ("Cat", "Dog", "Bird")
            ]
            tags += [save_tag(conn, kind, name) for name in ("Vase", "Jar")]
            for image in range(1, 41):
                add_tag_values(conn, kind, [image], [tags[image % len(tags)].id])
                set_scalar_values(conn, year, [image], float(1900 + image))
        assert project.read().execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0
    return root, second


def test_eight_clients_for_a_while_then_undo_everything(soaked_project: tuple[Path, Path]) -> None:
    root, second = soaked_project
    start = _dump(root / "project.db")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = (root.parent / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "corpuscope", "serve", str(root), "--port", str(port),
         "--token", TOKEN, "--no-browser"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    pid = project_id(root.resolve())
    api = httpx.Client(
        base_url=f"{url}api/projects/{pid}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )
    try:
        _wait_until_up(api, server)
        imported = api.post("/folders", json={"path": str(second)})
        vectors = api.post("/vectors", json={})
        assert (imported.status_code, vectors.status_code) == (202, 202), (
            imported.text,
            vectors.text,
        )
        tally = Tally()
        deadline = time.monotonic() + SECONDS
        clients = [Client(url, pid, seed, tally) for seed in range(CLIENTS)]

        def run(client: Client) -> None:
            for _ in range(MAX_REQUESTS):
                if time.monotonic() > deadline:
                    return
                client.act()

        threads = [threading.Thread(target=run, args=(c,)) for c in clients]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stopped = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"  # as SQLite writes
        for client in clients:
            client.http.close()
        tasks = _wait_for_tasks(api)
        undone = _undo_everything(api, limit=sum(tally.statuses.values()) + 10)
    finally:
        api.close()
        server.terminate()
        server.wait(timeout=120)
        log.close()
    figures = _figures(tally, elapsed, undone, tasks)
    print("\n" + json.dumps(figures, indent=2))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(figures, indent=2))
    assert tally.server_errors == [], tally.server_errors[:5]
    assert "unexpected error" not in (root.parent / "server.log").read_text()
    assert [task["kind"] for task in tasks] == ["vectors", "import"]
    assert all(task["status"] == "done" for task in tasks), tasks
    assert all(task["started_at"] < stopped for task in tasks), (tasks, stopped)  # under load
    with sqlite3.connect(root / "project.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert _dump(root / "project.db") == start


def _wait_until_up(api: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError("corpuscope serve stopped; see server.log")
        try:
            if api.get("/properties").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("corpuscope serve did not answer within a minute")


def _wait_for_tasks(api: httpx.Client) -> list[dict[str, Any]]:
    """The import and vector tasks, once both are finished (bounded wait)."""
    for _ in range(3000):
        tasks = api.get("/tasks").json()["tasks"]
        if not any(task["active"] for task in tasks):
            return [task for task in tasks if task["kind"] in ("import", "vectors")]
        time.sleep(0.2)
    raise AssertionError(f"tasks still running ten minutes after the soak: {tasks}")


def _undo_everything(api: httpx.Client, *, limit: int) -> int:
    """Undo until there is nothing left to undo; how many changes were undone."""
    for count in range(limit):
        response = api.post("/undo")
        assert response.status_code == 200, response.text
        if response.json()["entry"] is None:
            return count
    raise AssertionError(f"still something to undo after {limit} undos")


def _figures(
    tally: Tally, elapsed: float, undone: int, tasks: list[dict[str, Any]]
) -> dict[str, Any]:
    latencies = sorted(tally.latencies)
    total = len(latencies)
    return {
        "clients": CLIENTS,
        "seconds": round(elapsed, 1),
        "requests": total,
        "requests_per_second": round(total / max(elapsed, 1e-9), 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[min(total - 1, int(total * 0.99))], 1)
        if latencies
        else None,
        "max_ms": round(1000 * latencies[-1], 1) if latencies else None,
        "statuses": dict(sorted(tally.statuses.items())),
        "server_errors": len(tally.server_errors),
        "actions": dict(tally.actions.most_common()),
        "undone_at_the_end": undone,
        "tasks": {task["kind"]: task["status"] for task in tasks},
    }
