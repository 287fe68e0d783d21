"""``corpuscope serve`` as a user runs it: a real server process on a free port."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = free_port()
        env = {**os.environ, "CORPUSCOPE_HOME": str(tmp_path / "home")}
        command = [sys.executable, "-m", "corpuscope", "serve", *args]
        command += ["--port", str(self.port), "--no-browser"]
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (
                self.process.stdout.read() if self.process.stdout else ""
            )
            try:
                httpx.get(f"{self.base}/openapi.json", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=60)
        return out


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(*args: str) -> Server:
        server = Server(tmp_path, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def test_serve_opens_the_project_and_streams_task_events(
    serve: Callable[..., Server], tmp_path: Path, write_image: Callable[..., Path]
) -> None:
    for seed in range(3):
        write_image(tmp_path / "photos" / f"{seed}.jpg", seed=seed)
    server = serve(str(tmp_path / "project"))
    [entry] = httpx.get(f"{server.base}/api/projects").json()["projects"]
    assert entry["open"] and entry["path"] == str((tmp_path / "project").resolve())
    api = f"{server.base}/api/projects/{entry['id']}"
    task = httpx.post(f"{api}/folders", json={"path": str(tmp_path / "photos")}).json()
    events = []
    with httpx.stream(
        "GET", f"{api}/tasks/events", params={"until_idle": True}, timeout=60
    ) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    assert events[-1]["tasks"][0]["id"] == task["id"]
    assert events[-1]["tasks"][0]["status"] == "done"
    assert httpx.get(api).json()["images"] == 3
    assert httpx.get(f"{server.base}/").status_code == 200
    output = server.stop()
    assert f"http://localhost:{server.port}/" in output
    assert server.process.returncode in (0, -signal.SIGINT, 130)


def test_serving_beyond_localhost_prints_a_link_with_a_token(serve: Callable[..., Server]) -> None:
    server = serve("--host", "0.0.0.0")
    response = httpx.get(f"{server.base}/api/projects")
    assert response.status_code == 401
    output = server.stop()
    token = re.search(r"\?token=(\S+)", output)
    assert token is not None and len(token.group(1)) >= 24, output
