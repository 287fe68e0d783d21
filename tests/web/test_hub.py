"""The hub of open projects: a project is closed only once its background warm-up is done."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from corpuscope.store.db import Project, create_project
from corpuscope.web import hub as hubmodule
from corpuscope.web.hub import ProjectHub
from corpuscope.web.recent import RecentProjects


def test_closing_a_project_waits_for_its_warm_up_to_finish_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_project(tmp_path / "p").close()
    reading, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    def slow_warm(project: Project) -> None:  # a large set's vectors being read
        conn = project.read()
        reading.set()
        release.wait(timeout=60)
        try:
            outcome.append(conn.execute("SELECT count(*) FROM images").fetchone()[0])
        except sqlite3.ProgrammingError as problem:  # closed under it (a crash in C, at worst)
            outcome.append(problem)

    monkeypatch.setattr(hubmodule, "warm_vectors", slow_warm)
    hub = ProjectHub(RecentProjects(tmp_path / "recent.json"))
    opened = hub.open(tmp_path / "p")
    assert reading.wait(timeout=60)
    closing = threading.Thread(target=hub.close, args=(opened.id,))
    closing.start()
    closing.join(timeout=0.5)
    assert closing.is_alive()  # still waiting for the warm-up
    release.set()
    closing.join(timeout=60)
    assert not closing.is_alive()
    assert outcome == [0]
