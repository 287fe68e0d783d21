"""Issue 18 in Chromium: photos carrying EXIF dates and GPS positions are grouped by year, shown
by place on the world outline, and a cluster is exported to a folder (checked on disk)."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import Browsing, Server
from .helpers import api

pytestmark = pytest.mark.browser
FIRST_RENDER = "() => performance.getEntriesByName('corpuscope:map-first-render').length > 0"
PHOTOS = {  # name: (date taken, (latitude, longitude))
    "paris.jpg": ("2019:07:14 10:30:00", (48.8584, 2.2945)),
    "lyon.jpg": ("2019:08:02 16:00:00", (45.7640, 4.8357)),
    "tokyo.jpg": ("2021:03:04 05:06:07", (35.6595, 139.7005)),
}


def wait_tasks(page: Page, server: Server) -> list[dict[str, object]]:
    deadline = time.monotonic() + 600
    while True:
        tasks = api(page, server, "GET", "tasks")["tasks"]
        if not any(task["active"] for task in tasks):
            return list(tasks)
        assert time.monotonic() < deadline, tasks
        time.sleep(0.25)


def test_group_by_year_places_and_export_a_cluster(
    browsing: Browsing, server: Server, tmp_path: Path, write_photo: Callable[..., Path]
) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    photos = tmp_path / "trip"
    for seed, (name, (taken, position)) in enumerate(PHOTOS.items()):
        write_photo(photos / name, seed=40 + seed, taken=taken, make="Canon", position=position)
    api(page, server, "POST", "folders", {"path": str(photos)})
    assert wait_tasks(page, server)[0]["status"] == "done"
    api(page, server, "POST", "vectors", {})
    assert wait_tasks(page, server)[0]["status"] == "done"

    # group the grid by the year the photos were taken
    page.goto(f"{server.url}#/p/{server.pid}/grid")
    page.get_by_test_id("group-menu").click()
    page.get_by_test_id("group-add").select_option(label="Date taken (year)")
    page.keyboard.press("Escape")
    lines = page.get_by_test_id("group-line")
    expect(lines).to_have_count(3)
    assert [line.get_attribute("data-label") for line in lines.all()] == [
        "2019",
        "2021",
        "(no value)",
    ]
    expect(lines.first.locator(".count")).to_have_text("2")
    shot("grouped-by-year")

    # the values are shown as read from the file, not as something to edit
    page.locator(f"[data-testid=thumb][data-id='{server.image_ids()['paris.jpg']}']").dblclick()
    modal = page.get_by_test_id("image-modal")
    expect(modal.get_by_text("From the file")).to_be_visible()
    expect(modal.get_by_test_id("metadata-Camera make")).to_have_text("Canon")
    expect(modal.get_by_test_id("edit-Camera make")).to_have_count(0)
    shot("metadata-in-the-viewer")
    page.keyboard.press("Escape")

    # the map places them by their GPS position on the world outline
    page.goto(f"{server.url}#/p/{server.pid}/map")
    page.wait_for_function(FIRST_RENDER)
    page.get_by_test_id("map-places").click()
    page.wait_for_function("() => window.__corpuscopeMap.points === 3")
    expect(page.get_by_text("3 images with a GPS position")).to_be_visible()
    shot("places")

    # cluster, then export the first cluster to a folder
    run = api(page, server, "POST", "runs", {"algorithm": "kmeans", "k": 3})
    cluster = run["groups"][0]
    page.goto(f"{server.url}#/p/{server.pid}/grid?run={run['id']}")
    line = page.locator(f"[data-testid=cluster-line][data-group='{cluster['id']}']")
    line.hover()
    line.get_by_test_id("export-group").click()
    dialog = page.get_by_test_id("export-dialog")
    out = tmp_path / "exported"
    dialog.get_by_test_id("export-folder").fill(str(out))
    shot("export-dialog")
    dialog.get_by_test_id("export-start").click()
    expect(page.get_by_text(f"Exporting to {out}")).to_be_visible()
    [task, *_] = wait_tasks(page, server)
    assert (task["kind"], task["status"]) == ("export", "done"), task
    folder = out / cluster["label"]
    exported = sorted(p.name for p in folder.iterdir())
    assert len(exported) == cluster["size"]
    with (out / "images.csv").open(newline="", encoding="utf-8") as listing:
        rows = list(csv.DictReader(listing))
    assert sorted(Path(row["exported"]).name for row in rows) == exported
    assert {row["group"] for row in rows} == {cluster["label"]}
    members = api(page, server, "POST", "images/ids", {"filter": {"group_id": cluster["id"]}})
    with server.db() as conn:
        sha1s = {
            row["sha1"]
            for row in conn.execute(
                "SELECT sha1 FROM images WHERE id IN (SELECT value FROM json_each(?))",
                (str(members["ids"]),),
            )
        }
    assert {row["sha1"] for row in rows} == sha1s
    shot("exported")
