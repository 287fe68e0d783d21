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
    def __init__(self, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        environment = {k: v for k, v in os.environ.items() if k != "CORPUSCOPE_TOKEN"}
        environment.update({"CORPUSCOPE_HOME": str(tmp_path / "home"), **(env or {})})
        command = [sys.executable, "-m", "corpuscope", "serve", *args]
        command += ["--port", str(self.port), "--no-browser"]
        self.process = subprocess.Popen(
            command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.printed = self.read_link()
        self.wait_ready()

    def read_link(self) -> str:
        """The lines printed before the address (a warning, say), and the address line."""
        assert self.process.stdout is not None
        lines = []
        for line in self.process.stdout:
            lines.append(line)
            if "serving on" in line:
                break
        return "".join(lines)

    @property
    def token(self) -> str | None:
        found = re.search(r"\?token=(\S+)", self.printed)
        return found.group(1) if found else None

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.printed + (
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
        return self.printed + out


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Server:
        server = Server(tmp_path, *args, env=env)
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
    auth = server.bearer
    [entry] = httpx.get(f"{server.base}/api/projects", headers=auth).json()["projects"]
    assert entry["open"] and entry["path"] == str((tmp_path / "project").resolve())
    api = f"{server.base}/api/projects/{entry['id']}"
    task = httpx.post(f"{api}/folders", json={"path": str(tmp_path / "photos")}, headers=auth)
    events = []
    with httpx.stream(
        "GET", f"{api}/tasks/events", params={"until_idle": True}, timeout=60, headers=auth
    ) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    assert events[-1]["tasks"][0]["id"] == task.json()["id"]
    assert events[-1]["tasks"][0]["status"] == "done"
    assert httpx.get(api, headers=auth).json()["images"] == 3
    assert httpx.get(f"{server.base}/").status_code == 200
    output = server.stop()
    assert f"http://localhost:{server.port}/?token=" in output
    assert server.process.returncode in (0, -signal.SIGINT, 130)


def test_a_token_guards_localhost_and_the_link_turns_it_into_a_cookie(
    serve: Callable[..., Server],
) -> None:
    server = serve()
    token = server.token
    assert token is not None and len(token) >= 32
    assert "access token" in httpx.get(f"{server.base}/api/projects").json()["detail"]
    assert httpx.get(f"{server.base}/api/projects").status_code == 401
    assert httpx.get(f"{server.base}/api/projects", headers=server.bearer).status_code == 200
    with httpx.Client(base_url=server.base) as browser:  # keeps cookies, as a browser does
        opened = browser.get(f"/?token={token}&view=grid")
        assert opened.status_code == 303 and opened.headers["location"] == "/?view=grid"
        cookie = opened.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and token in cookie
        assert browser.get("/api/projects").status_code == 200  # the cookie is enough now
        sneaky = browser.get(f"{server.base}//evil.example/?token={token}")
        assert sneaky.status_code == 303 and sneaky.headers["location"] == "/evil.example/"
        page = browser.get("/")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
    server.stop()


@pytest.mark.slow
def test_the_token_comes_from_the_environment_and_the_named_project_opens_first(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    other = serve(str(tmp_path / "other"), env={"CORPUSCOPE_TOKEN": "from-the-environment"})
    other.stop()  # now "other" is a recent project too
    server = serve(str(tmp_path / "mine"), env={"CORPUSCOPE_TOKEN": "from-the-environment"})
    assert server.token == "from-the-environment"
    found = httpx.get(f"{server.base}/api/projects", headers=server.bearer).json()
    names = {entry["id"]: entry["name"] for entry in found["projects"]}
    assert sorted(names.values()) == ["mine", "other"]
    assert names[found["start"]] == "mine"
    server.stop()


@pytest.mark.slow
def test_no_token_is_accepted_on_localhost_only_with_a_warning(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    server = serve("--no-token")
    assert "Warning: serving without an access token" in server.printed
    assert server.token is None
    assert httpx.get(f"{server.base}/api/projects").status_code == 200
    server.stop()
    refused = subprocess.run(
        [sys.executable, "-m", "corpuscope", "serve", "--no-token", "--host", "0.0.0.0"],
        env={**os.environ, "CORPUSCOPE_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2  # a value refused, as for a wrong option
    assert "--no-token is accepted on localhost only" in refused.stdout + refused.stderr


def test_serving_beyond_localhost_prints_a_link_with_a_token(serve: Callable[..., Server]) -> None:
    server = serve("--host", "0.0.0.0")
    response = httpx.get(f"{server.base}/api/projects")
    assert response.status_code == 401
    output = server.stop()
    token = re.search(r"\?token=(\S+)", output)
    assert token is not None and len(token.group(1)) >= 24, output
