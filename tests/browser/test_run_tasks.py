"""A clustering computed as a task: its progress where it was started, Cancel, then the run."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from corpuscope.services import clustering

from .conftest import Browsing, Server

pytestmark = pytest.mark.browser


def test_a_clustering_shows_its_progress_can_be_cancelled_and_opens_when_done(
    server: Server, browsing: Browsing, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    gate = threading.Event()
    real = clustering.compute_clustering

    def held(*args: Any, **kwargs: Any) -> Any:  # the server runs in this process
        gate.wait(120)
        return real(*args, **kwargs)

    monkeypatch.setattr(clustering, "compute_clustering", held)
    page.goto(server.link(f"#/p/{server.pid}/grid"))
    expect(page.get_by_test_id("thumb").first).to_be_visible()

    page.get_by_test_id("create-clusters").click()
    progress = page.get_by_test_id("clustering-progress")
    expect(progress).to_contain_text("Clustering 34 images")
    expect(page.get_by_test_id("task-indicator")).to_contain_text("Clustering")
    shot("clustering-in-progress")
    progress.get_by_role("button", name="Cancel").click()
    gate.set()
    expect(page.get_by_text("The clustering was cancelled.")).to_be_visible()
    expect(progress).to_have_count(0)
    with server.db() as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0
        [status] = conn.execute("SELECT status FROM tasks WHERE kind = 'cluster'").fetchone()
    assert status == "cancelled"

    page.get_by_test_id("create-clusters").click()  # the gate is open now
    expect(page.get_by_test_id("cluster-line").first).to_be_visible()
    assert "run=" in page.url
    shot("clustering-done")
