"""Issue 6, end to end in Chromium: create a project, import, cluster, nest, save, group, edit
tags, undo and redo; every result is checked in the project's database."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import TypedDict

import pytest
from playwright.sync_api import Page, expect

from .conftest import Browsing, EmptyServer, Server
from .helpers import select_tags
from .planted import FAMILIES, PER_FAMILY

pytestmark = pytest.mark.browser
TOTAL = len(FAMILIES) * PER_FAMILY + 2


def db(root: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{root / 'project.db'}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def wait_until(check, what: str, timeout: float = 600.0):  # type: ignore[no-untyped-def]
    """Poll ``check`` until it returns something truthy (a generous bound, not a speed test)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


class TagInfo(TypedDict):
    id: int
    color: str
    parents: list[str]
    images: list[int]


def tags_of(root: Path, prop: str) -> dict[str, TagInfo]:
    """Tags of a property by name: parents' names and the images carrying each."""
    with db(root) as conn:
        pid = conn.execute("SELECT id FROM properties WHERE name = ?", (prop,)).fetchone()
        assert pid is not None, f"no property {prop!r}"
        tags = {
            row["id"]: row
            for row in conn.execute("SELECT * FROM tags WHERE property_id = ?", (pid[0],))
        }
        parents = conn.execute(
            "SELECT tag_id, parent_id FROM tag_parents WHERE tag_id IN (SELECT id FROM tags WHERE property_id = ?)",
            (pid[0],),
        ).fetchall()
        images = conn.execute(
            "SELECT tag_id, image_id FROM image_tags WHERE tag_id IN (SELECT id FROM tags WHERE property_id = ?)",
            (pid[0],),
        ).fetchall()
    return {
        tag["name"]: {
            "id": tag_id,
            "color": tag["color"],
            "parents": sorted(
                tags[p["parent_id"]]["name"] for p in parents if p["tag_id"] == tag_id
            ),
            "images": sorted(i["image_id"] for i in images if i["tag_id"] == tag_id),
        }
        for tag_id, tag in tags.items()
    }


def families(root: Path) -> dict[int, str]:
    with db(root) as conn:
        rows = conn.execute("SELECT image_id, path FROM files WHERE status = 'ok'").fetchall()
    return {row["image_id"]: Path(row["path"]).parts[0] for row in rows}


def cluster_lines(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("cluster-line")


def open_cluster_options(page: Page, scope) -> None:  # type: ignore[no-untyped-def]
    scope.get_by_test_id("cluster-options").click()
    expect(page.get_by_role("dialog", name="Clustering parameters")).to_be_visible()


def run_kmeans(page: Page, scope, k: int, shot=None) -> None:  # type: ignore[no-untyped-def]
    open_cluster_options(page, scope)
    dialog = page.get_by_role("dialog", name="Clustering parameters")
    dialog.get_by_label("k-means").check()
    dialog.get_by_test_id("cluster-k").fill(str(k))
    if shot:
        shot("cluster-options")
    dialog.get_by_test_id("run-clustering").click()


def test_clustering_workflow(browsing: Browsing, empty_server: EmptyServer) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    root = empty_server.tmp / "vases"

    # 1. create a project, add a folder, watch the import and the vectors
    page.goto(empty_server.link())
    expect(page.get_by_role("heading", name="Open or create a project")).to_be_visible()
    page.get_by_label("Project folder (full path)").fill(str(root))
    page.get_by_label("Create the project if the folder has none").check()
    shot("create-project")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_test_id("empty-state")).to_contain_text("no images yet")
    shot("empty-project")
    page.get_by_test_id("add-folder").click()
    page.get_by_label("Folder of images (full path)").fill(str(empty_server.images))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("task-indicator")).to_be_visible()
    shot("importing")
    wait_until(lambda: page.locator("[data-testid=thumb] img").count() >= 10, "thumbnails")
    wait_until(
        lambda: db(root).execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == TOTAL,
        "vectors of every image",
    )
    expect(page.get_by_test_id("task-banner")).to_have_count(0)
    expect(page.get_by_test_id("thumb")).to_have_count(TOTAL)
    shot("imported")

    # 2-3. create clusters on the whole corpus (k-means, 3): lines with counts and score badges,
    # most coherent first
    run_kmeans(page, page.get_by_role("toolbar", name="View"), 3, shot)
    expect(cluster_lines(page)).to_have_count(3)
    expect(page.get_by_test_id("run-summary")).to_contain_text("k-means · 3 clusters")
    shot("clusters")
    badges = page.get_by_test_id("score-badge")
    scores = [
        float(badges.nth(i).get_attribute("data-score") or "nan") for i in range(badges.count())
    ]
    assert scores == sorted(scores), scores
    with db(root) as conn:
        run = conn.execute("SELECT id FROM runs WHERE parent_run_id IS NULL").fetchone()
        members = conn.execute(
            "SELECT g.id AS gid, m.image_id FROM run_groups g JOIN run_members m ON m.group_id = g.id "
            "WHERE g.run_id = ?",
            (run["id"],),
        ).fetchall()
    family = families(root)
    by_group: dict[int, Counter[str]] = {}
    for row in members:
        by_group.setdefault(row["gid"], Counter())[family[row["image_id"]]] += 1
    # well separated families are never split by k-means with fewer clusters than families
    for fam in FAMILIES:
        assert sum(1 for counts in by_group.values() if counts[fam]) == 1, (fam, by_group)

    # 4. the broadest cluster is clustered again with 2 (nesting), and one line is closed
    sizes = {row["gid"]: sum(by_group[row["gid"]].values()) for row in members}
    broad = max(sizes, key=lambda gid: sizes[gid])
    line = page.locator(f"[data-testid=cluster-line][data-group='{broad}']")
    line.hover()
    run_kmeans(page, line, 2)
    expect(cluster_lines(page)).to_have_count(5)
    expect(line).to_contain_text("k-means · 2 clusters")
    shot("nested")
    leaf = page.locator("[data-testid=cluster-line]").last
    closed_label = leaf.get_attribute("data-label")
    leaf.hover()
    leaf.get_by_role("button", name=f"Close {closed_label}").click()
    expect(cluster_lines(page)).to_have_count(4)
    shot("line-closed")

    # 5. save as a hierarchical property
    page.get_by_test_id("save-run").click()
    page.get_by_test_id("save-name").fill("Families")
    page.get_by_test_id("confirm-save").click()
    expect(page.get_by_text("Saved as the property “Families”")).to_be_visible()
    tags = wait_until(
        lambda: tags_of(root, "Families") if _has_property(root, "Families") else None,
        "saved property",
    )
    roots = [name for name, tag in tags.items() if not tag["parents"]]
    children = [name for name, tag in tags.items() if tag["parents"]]
    assert len(roots) == 3 and len(children) == 2, tags
    parent_names = {tuple(tags[name]["parents"]) for name in children}
    assert len(parent_names) == 1
    (parent_name,) = next(iter(parent_names))
    assert tags[parent_name]["images"] == []  # its images went to its sub-clusters
    tagged = [image for tag in tags.values() for image in tag["images"]]
    assert sorted(tagged) == sorted(family)  # every image once, in its leaf
    shot("saved")

    # 6. group the grid by the saved property: nested group lines
    page.get_by_test_id("close-run").click()
    page.get_by_test_id("group-menu").click()
    page.get_by_test_id("group-add").select_option(label="Families")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("group-line")).to_have_count(5)
    shot("grouped")
    page.reload()
    expect(page.get_by_test_id("group-menu")).to_contain_text(
        "Families"
    )  # the view survives a reload
    expect(page.get_by_test_id("group-line")).to_have_count(5)

    # 7. tags panel: rename inline, recolour, set a parent, select two and merge
    page.get_by_test_id("tags-panel-toggle").click()
    panel = page.get_by_test_id("tags-panel")
    panel.get_by_test_id("tags-property").select_option(label="Families (5)")
    first_root = sorted(roots)[0]
    row = panel.locator(f"[data-testid=tag-row][data-name='{first_root}']")
    row.get_by_role("button", name=first_root, exact=True).dblclick()
    panel.get_by_test_id("tag-rename-input").fill("Checkerboards")
    panel.get_by_test_id("tag-rename-input").press("Enter")
    expect(panel.locator("[data-testid=tag-row][data-name='Checkerboards']")).to_be_visible()
    panel.locator("[data-testid=tag-row][data-name='Checkerboards'] input[type=color]").evaluate(
        "(el) => { el.value = '#123456'; el.dispatchEvent(new Event('change', { bubbles: true })); }"
    )
    wait_until(lambda: tags_of(root, "Families")["Checkerboards"]["color"] == "#123456", "recolour")
    shot("renamed-recoloured")

    other_roots = sorted(set(roots) - {first_root})
    child_row = panel.locator(f"[data-testid=tag-row][data-name='{other_roots[1]}']")
    child_row.hover()
    child_row.get_by_test_id("tag-parents").click()
    page.get_by_role("dialog", name=f"Parents of {other_roots[1]}").get_by_label(
        other_roots[0]
    ).check()
    page.get_by_test_id("save-parents").click()
    wait_until(
        lambda: tags_of(root, "Families")[other_roots[1]]["parents"] == [other_roots[0]],
        "new parent",
    )
    shot("parent-set")

    a, b = sorted(children)
    before_merge = tags_of(root, "Families")
    select_tags(panel, a, b)
    panel.get_by_test_id("merge-tags").click()
    shot("merge-dialog")
    page.get_by_test_id("confirm-merge").click()
    merged = wait_until(
        lambda: (lambda t: t if len(t) == 4 else None)(tags_of(root, "Families")), "merge"
    )
    survivor = a if a in merged else b
    gone = b if survivor == a else a
    assert sorted(merged[survivor]["images"]) == sorted(
        before_merge[a]["images"] + before_merge[b]["images"]
    )
    shot("merged")

    # 8. undo (Ctrl+Z) brings the merged tag back; redo (Ctrl+Shift+Z) merges again
    page.locator("body").click(position={"x": 5, "y": 880})
    page.keyboard.press("Control+z")
    undone = wait_until(
        lambda: (lambda t: t if len(t) == 5 else None)(tags_of(root, "Families")), "undo"
    )
    assert undone[gone]["images"] == before_merge[gone]["images"]
    expect(page.get_by_text("Undone: merge")).to_be_visible()
    shot("undone")
    page.keyboard.press("Control+Shift+z")
    wait_until(lambda: len(tags_of(root, "Families")) == 4, "redo")
    shot("redone")


def _has_property(root: Path, name: str) -> bool:
    with db(root) as conn:
        return (
            conn.execute("SELECT 1 FROM properties WHERE name = ?", (name,)).fetchone() is not None
        )


def test_selection_set_value_and_image_modal(browsing: Browsing, server: Server) -> None:
    """Click, shift-click and ctrl-click select; a value set on the selection lands in the
    database; the modal edits one image's value."""
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    page.goto(server.link(f"#/p/{server.pid}/grid?sort=path"))
    thumbs = page.get_by_test_id("thumb")
    expect(thumbs).to_have_count(TOTAL)
    bar = page.get_by_test_id("selection-bar")
    thumbs.nth(0).click()
    expect(bar).to_contain_text("1 selected")  # each click lands before the next (under load)
    thumbs.nth(3).click(modifiers=["Shift"])
    expect(bar).to_contain_text("4 selected")
    thumbs.nth(10).click(modifiers=["Control"])
    expect(bar).to_contain_text("5 selected")
    shot("selected")
    chosen = sorted(int(thumbs.nth(i).get_attribute("data-id") or 0) for i in (0, 1, 2, 3, 10))
    page.get_by_test_id("set-value").click()
    page.get_by_test_id("set-property").select_option("new")
    page.get_by_test_id("new-property-name").fill("Quality")
    page.get_by_test_id("tag-input").fill("good")
    page.get_by_test_id("tag-input").press("Enter")
    shot("set-value")
    page.get_by_test_id("apply-value").click()
    expect(page.get_by_text("Quality changed on 5 images.")).to_be_visible()
    assert tags_of(server.root, "Quality")["good"]["images"] == chosen

    thumbs.nth(20).dblclick()
    modal = page.get_by_test_id("image-modal")
    expect(modal).to_be_visible()
    image_id = int(thumbs.nth(20).get_attribute("data-id") or 0)
    modal.get_by_test_id("edit-Quality").click()
    modal.get_by_test_id("tag-input").fill("blurry")
    modal.get_by_test_id("tag-input").press("Enter")
    shot("modal-edit")
    modal.get_by_test_id("save-value").click()
    wait_until(
        lambda: (
            "blurry" in (found := tags_of(server.root, "Quality"))
            and found["blurry"]["images"] == [image_id]
        ),
        "modal edit",
    )
    shot("modal-saved")
