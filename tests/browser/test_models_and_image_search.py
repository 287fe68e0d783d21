"""Issue 15: search with an image from outside the project (dropped onto the page, ranked as
the API ranks it), the text-search hint that leads to the models, and choosing the project's
model in the UI (computing another model's vectors as a task with progress)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import Browsing, Server
from .helpers import api
from .planted import family_picture

pytestmark = pytest.mark.browser

DROP = """([data, name]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/jpeg" }));
  return transfer;
}"""


def _outside_picture(tmp_path: Path) -> bytes:
    """A red-family picture that is not in the project: a new one, smaller, as a JPEG."""
    buffer = io.BytesIO()
    family_picture("red", 97).resize((150, 150)).save(buffer, "JPEG", quality=85)
    (tmp_path / "outside.jpg").write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_dropping_an_outside_image_ranks_the_project_like_the_api(
    browsing: Browsing, server: Server, tmp_path: Path
) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    data = _outside_picture(tmp_path)
    before = server.image_count()
    page.goto(server.link(f"#/p/{server.pid}/grid?sort=path"))
    expect(page.get_by_test_id("thumb").first).to_be_visible()
    transfer = page.evaluate_handle(DROP, [base64.b64encode(data).decode(), "outside.jpg"])
    page.dispatch_event("main", "dragover", {"dataTransfer": transfer})
    page.dispatch_event("main", "drop", {"dataTransfer": transfer})
    panel = page.get_by_test_id("search-panel")
    expect(panel).to_have_attribute("data-kind", "image")
    expect(panel.get_by_test_id("search-preview")).to_be_visible()
    results = panel.get_by_test_id("search-result")
    expect(results.first).to_be_visible()
    shot("outside-image-results")

    reply = page.request.fetch(
        f"{server.url}api/projects/{server.pid}/search/image?limit=200",
        method="POST",
        data=data,
        headers={"content-type": "image/jpeg"},
    )
    assert reply.ok, reply.text()
    expected = [item["image_id"] for item in reply.json()["items"]]
    family = server.family_of()
    assert {family[i] for i in expected[:6]} == {"red"}  # its family first
    panel.get_by_test_id("search-threshold").fill("-1")  # the slider down: every result shows
    expect(results).to_have_count(len(expected))
    assert [int(r.get_attribute("data-id") or 0) for r in results.all()] == expected
    second = float(results.nth(1).get_attribute("data-score") or 0)
    panel.get_by_test_id("search-threshold").fill(f"{second + 0.001:.3f}")  # above the second
    expect(results).to_have_count(1)
    panel.get_by_test_id("search-threshold").fill("-1")
    panel.get_by_test_id("search-select").click()
    expect(page.get_by_test_id("selection-bar")).to_contain_text(str(len(expected)))
    assert server.image_count() == before  # the outside image was never imported


def test_text_search_hint_leads_to_the_models_and_another_model_is_chosen(
    browsing: Browsing, server: Server, example_plugin: str
) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    page.goto(server.link(f"#/p/{server.pid}/grid?sort=path"))
    hint = page.get_by_test_id("search-hint")
    expect(hint).to_contain_text("efficientnet-lite0 cannot read text")
    expect(page.get_by_test_id("search-input")).to_be_disabled()
    shot("text-search-hint")
    hint.get_by_test_id("search-hint-models").click()
    panel = page.get_by_test_id("models-panel")
    expect(panel).to_be_visible()
    bundled = panel.locator("[data-model='efficientnet-lite0']")
    expect(bundled.get_by_role("radio")).to_be_checked()
    expect(bundled.get_by_test_id("model-vectors")).to_contain_text("All")
    mine = panel.locator(f"[data-model='{example_plugin}']")
    expect(mine.get_by_test_id("model-vectors")).to_have_text("No vectors in this project yet")
    mine.get_by_test_id("compute-model-vectors").click()
    expect(mine.get_by_test_id("model-vectors")).to_contain_text("All", timeout=120_000)
    shot("models-panel")
    mine.get_by_role("radio").check()
    expect(page.get_by_test_id("model-chooser")).to_contain_text(example_plugin)
    status = page.request.get(f"{server.url}api/projects/{server.pid}")
    assert status.ok and status.json()["model"] == example_plugin
    tasks = api(page, server, "GET", "tasks")["tasks"]
    assert any(t["kind"] == "vectors" and t["params"] == {"model": example_plugin} for t in tasks)
    with server.db() as conn:
        assert conn.execute("SELECT model FROM model_choice").fetchone()[0] == example_plugin
