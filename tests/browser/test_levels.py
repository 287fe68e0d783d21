"""Issue 13 in Chromium: -1 typed with k-means selected runs automatic clustering, and the run's
kept levels are shown finer and coarser, on the whole run and on one cluster; after each step
the cluster lines on screen are checked against the API."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Browsing, Server
from .helpers import api

pytestmark = pytest.mark.browser


def shown(page: Page) -> list[tuple[str, int]]:
    """(label, image count) of every cluster line on screen, top to bottom."""
    lines = page.get_by_test_id("cluster-line")
    return [
        (
            lines.nth(i).get_attribute("data-label") or "",
            int((lines.nth(i).locator(".count").inner_text()).replace(",", "")),
        )
        for i in range(lines.count())
    ]


def expected(page: Page, server: Server, run_id: int) -> list[tuple[str, int]]:
    """The same lines from the API: the run's groups, each followed by its nested runs' groups."""
    run = api(page, server, "GET", f"runs/{run_id}")
    found: list[tuple[str, int]] = []
    for group in run["groups"]:
        found.append((group["label"], group["size"]))
        for child in group["child_run_ids"]:
            found.extend(expected(page, server, child))
    return found


def members(server: Server, group_id: int) -> list[int]:
    with server.db() as conn:
        rows = conn.execute("SELECT image_id FROM run_members WHERE group_id = ?", (group_id,))
        return sorted(int(row[0]) for row in rows)


def settle(page: Page, server: Server, run_id: int) -> list[tuple[str, int]]:
    """Wait until no step is running and the lines match the API; the lines."""
    expect(page.get_by_test_id("run-finer")).to_be_enabled()
    want = expected(page, server, run_id)
    expect(page.get_by_test_id("cluster-line")).to_have_count(len(want))
    assert sorted(shown(page)) == sorted(want)
    return want


def test_minus_one_with_kmeans_runs_automatic_and_steps_levels(
    browsing: Browsing, server: Server
) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    page.goto(server.link(f"#/p/{server.pid}/grid?sort=path"))
    expect(page.get_by_test_id("thumb").first).to_be_visible()

    # -1 typed while k-means is selected: the dialog accepts it and runs automatic clustering
    page.get_by_role("toolbar", name="View").get_by_test_id("cluster-options").click()
    dialog = page.get_by_role("dialog", name="Clustering parameters")
    dialog.get_by_label("k-means").check()
    dialog.get_by_test_id("cluster-k").fill("-1")
    expect(dialog.get_by_test_id("run-clustering")).to_be_enabled()
    shot("kmeans-minus-one")
    dialog.get_by_test_id("run-clustering").click()
    expect(page.get_by_test_id("run-summary")).to_contain_text("automatic", timeout=300_000)
    runs = api(page, server, "GET", "runs")
    (root,) = [r for r in runs if r["parent_run_id"] is None]
    assert root["algorithm"] == "auto" and root["params"]["k"] == -1
    levels = root["params"]["levels"]
    assert levels > 1, root["params"]
    start = settle(page, server, root["id"])
    shot("automatic")

    # the whole run, coarser then finer: fewer lines, then the same ones again
    page.get_by_test_id("run-coarser").click()
    expect(page.get_by_test_id("cluster-line")).not_to_have_count(len(start))
    coarse = settle(page, server, root["id"])
    assert len(coarse) < len(start)
    assert sum(size for _, size in coarse) == sum(size for _, size in start)
    page.get_by_test_id("run-coarser").hover()
    shot("run-coarser")
    page.get_by_test_id("run-finer").click()
    expect(page.get_by_test_id("cluster-line")).to_have_count(len(start))
    assert sorted(settle(page, server, root["id"])) == sorted(start)

    # the whole run, finer: more lines covering the same images; coarser brings the start back
    page.get_by_test_id("run-finer").click()
    expect(page.get_by_test_id("cluster-line")).not_to_have_count(len(start))
    fine = settle(page, server, root["id"])
    assert len(fine) > len(start)
    assert sum(size for _, size in fine) == sum(size for _, size in start)
    page.get_by_test_id("run-coarser").click()
    expect(page.get_by_test_id("cluster-line")).to_have_count(len(start))
    assert sorted(settle(page, server, root["id"])) == sorted(start)

    # one cluster, finer: its parts are nested under it; coarser on a part undoes the split
    biggest = max(
        (g for g in api(page, server, "GET", f"runs/{root['id']}")["groups"]),
        key=lambda g: g["size"] if g["kind"] == "cluster" else -1,
    )
    line = page.locator(f"[data-testid=cluster-line][data-group='{biggest['id']}']")
    line.hover()
    shot("cluster-line-buttons")
    line.get_by_test_id("cluster-finer").click()
    expect(page.get_by_test_id("cluster-line")).not_to_have_count(len(start))
    split = settle(page, server, root["id"])
    group = next(
        g
        for g in api(page, server, "GET", f"runs/{root['id']}")["groups"]
        if g["id"] == biggest["id"]
    )
    (child,) = group["child_run_ids"]
    parts = api(page, server, "GET", f"runs/{child}")["groups"]
    assert len(parts) >= 2 and sum(p["size"] for p in parts) == biggest["size"]
    assert len(split) == len(start) + len(parts)
    # every member of the first part is shown (group ids are reused: no stale members shown)
    for image_id in members(server, parts[0]["id"]):
        expect(page.locator(f"[data-testid=thumb][data-id='{image_id}']")).to_be_visible()
    shot("cluster-finer")
    part = page.locator(f"[data-testid=cluster-line][data-group='{parts[0]['id']}']")
    part.hover()
    part.get_by_test_id("cluster-coarser").click()
    expect(page.get_by_test_id("cluster-line")).to_have_count(len(start))
    assert sorted(settle(page, server, root["id"])) == sorted(start)
    groups = api(page, server, "GET", f"runs/{root['id']}")["groups"]
    assert all(g["child_run_ids"] == [] for g in groups)
    shot("cluster-coarser")
