"""Browser journeys: Debian's Chromium driven by Playwright against a real server.

A session-wide template project (the planted corpus, imported, with vectors from the bundled
model) is copied for each test, which gets its own server (uvicorn on a free port, in a thread)
built by the app factory. Screenshots of each step go to ``test-output/browser/<test>/``.
The front-end must be built first (``npm ci && npm run build`` in ``frontend/``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from corpuscope.services.importing import run_import
from corpuscope.services.vectors import run_vectors
from corpuscope.store.db import create_project
from corpuscope.web import Settings, create_app
from corpuscope.web.hub import project_id

from .planted import write_corpus

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CORPUSCOPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "src" / "corpuscope" / "web" / "static"
OUTPUT = REPO / "test-output" / "browser"
#: Waits are generous: two shared cores, software rendering. They bound a hang, never a speed.
WAIT_MS = 120_000
#: Every server runs with an access token, as `corpuscope serve` does; pages open the link.
TOKEN = "browser-test-token-0123456789"


@dataclass(frozen=True)
class Template:
    root: Path
    images: Path
    corpus: dict[str, list[Path]]


@dataclass
class Server:
    url: str
    token: str
    root: Path
    pid: str
    images: Path
    corpus: dict[str, list[Path]]
    thread: threading.Thread
    uvicorn: object = field(repr=False)

    def link(self, fragment: str = "") -> str:
        """The address ``corpuscope serve`` prints (with the token), then ``fragment``."""
        return f"{self.url}?token={self.token}{fragment}"

    def db(self) -> sqlite3.Connection:
        """A read-only connection to the project's database, to check what the UI did."""
        conn = sqlite3.connect(f"file:{self.root / 'project.db'}?mode=ro", uri=True, timeout=30)
        conn.row_factory = sqlite3.Row
        return conn

    def image_ids(self) -> dict[str, int]:
        """Image id by file name (every planted file is a distinct picture)."""
        with self.db() as conn:
            rows = conn.execute("SELECT path, image_id FROM files WHERE status = 'ok'").fetchall()
        return {Path(row["path"]).name: int(row["image_id"]) for row in rows}

    def image_count(self) -> int:
        with self.db() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM images").fetchone()[0])

    def family_of(self) -> dict[int, str]:
        """Family (the sub-folder of the imported folder) by image id."""
        with self.db() as conn:
            rows = conn.execute("SELECT path, image_id FROM files WHERE status = 'ok'").fetchall()
        return {int(row["image_id"]): Path(row["path"]).parts[0] for row in rows}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    root: Path | None, home: Path, *, token: str = TOKEN
) -> tuple[str, threading.Thread, object]:
    import uvicorn

    port = _free_port()
    settings = Settings(projects=(root,) if root else (), home=home, port=port, token=token)
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start; see the log above")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}/", thread, server


def stop_server(thread: threading.Thread, server: object) -> None:
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=60)


@pytest.fixture(scope="session")
def built_ui() -> Path:
    if not (STATIC / "index.html").is_file():
        pytest.fail("The front-end is not built: run `npm ci && npm run build` in frontend/ first.")
    return STATIC


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The planted corpus imported into a project, with vectors (built once per session)."""
    base = tmp_path_factory.mktemp("template")
    images = base / "images"
    corpus = write_corpus(images)
    project = create_project(base / "project")
    try:
        run_import(project, [images])
        run_vectors(project)
    finally:
        project.close()
    return Template(base / "project", images, corpus)


@pytest.fixture
def server(template: Template, built_ui: Path, tmp_path: Path) -> Iterator[Server]:
    """A server over a fresh copy of the template project."""
    root = tmp_path / "project"
    shutil.copytree(template.root, root)
    url, thread, handle = start_server(root, tmp_path / "home")
    yield Server(
        url,
        TOKEN,
        root.resolve(),
        project_id(root.resolve()),
        template.images,
        template.corpus,
        thread,
        handle,
    )
    stop_server(thread, handle)


@dataclass
class EmptyServer:
    url: str
    tmp: Path
    images: Path
    corpus: dict[str, list[Path]]

    def link(self, fragment: str = "") -> str:
        return f"{self.url}?token={TOKEN}{fragment}"


@pytest.fixture
def empty_server(template: Template, built_ui: Path, tmp_path: Path) -> Iterator[EmptyServer]:
    """A server with no project open: the journey starts by creating one."""
    url, thread, handle = start_server(None, tmp_path / "home")
    yield EmptyServer(url, tmp_path, template.images, template.corpus)
    stop_server(thread, handle)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Before a screenshot: images in view decoded (lazy ones included), two frames painted.
SETTLE = """async () => {
  const inView = [...document.images].filter((img) => {
    const r = img.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight && r.width > 0;
  });
  inView.forEach((img) => { img.loading = 'eager'; });
  await Promise.race([
    Promise.all(inView.map((img) => img.decode().catch(() => undefined))),
    new Promise((resolve) => setTimeout(resolve, 5000)),
  ]);
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}"""


class Shots:
    """Numbered screenshots of each step, under test-output/browser/<test>/."""

    def __init__(self, page: object, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str, *, full_page: bool = False) -> Path:
        self.count += 1
        self.page.evaluate(SETTLE)  # type: ignore[attr-defined]
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
        return path


@dataclass
class Browsing:
    page: object
    shot: Shots
    errors: list[str]


@pytest.fixture
def browsing(browser: object, request: pytest.FixtureRequest) -> Iterator[Browsing]:
    """A fresh page (1400x900) that records console errors; the test fails on any."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on(
        "response",
        lambda response: (
            errors.append(f"HTTP {response.status} {response.request.method} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    yield Browsing(page, Shots(page, OUTPUT / name), errors)
    context.close()
    assert not errors, f"console errors: {errors}"
