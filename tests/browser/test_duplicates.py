"""Issues 7 and 12: the near-duplicates view finds the planted pair, says why it proposes the copy
to keep, asks before tagging every group, and never deletes a file."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Browsing, Server
from .test_clustering_workflow import tags_of, wait_until

pytestmark = pytest.mark.browser


def test_planted_duplicates_found_and_one_kept(browsing: Browsing, server: Server) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    ids = server.image_ids()
    original, copy = ids["original.png"], ids["copy.jpg"]
    family = server.family_of()

    page.goto(server.link(f"#/p/{server.pid}/duplicates"))
    expect(page.get_by_role("heading", name="Near-duplicates")).to_be_visible()
    shot("empty")
    page.get_by_test_id("find-duplicates").click()
    expect(page.get_by_test_id("dup-summary")).to_be_visible()
    pair = page.locator("[data-testid=dup-group]").filter(
        has=page.locator(f"[data-id='{original}']")
    )
    expect(pair).to_have_count(1)
    expect(pair.locator(f"[data-id='{copy}']")).to_have_count(1)
    expect(pair).to_contain_text("score")
    shot("found")

    # every group found holds images of one family only (no false pairs across families)
    for group in page.locator("[data-testid=dup-group]").all():
        members = [int(m.get_attribute("data-id") or 0) for m in group.locator(".member").all()]
        assert len({family[m] for m in members}) == 1, members

    # keep one: the larger original is proposed; the copy is tagged, never deleted
    expect(pair.locator(f".member[data-id='{original}'] input[type=radio]")).to_be_checked()
    expect(pair.get_by_test_id("keep-reason")).to_contain_text("Largest picture")
    pair.get_by_test_id("keep-one").click()
    expect(page.get_by_text("No file was deleted.")).to_be_visible()
    tags = wait_until(
        lambda: tags_of(server.root, "Duplicates") if _has(server, "Duplicates") else None, "tags"
    )
    assert tags["keep"]["images"] == [original]
    assert tags["duplicate"]["images"] == [copy]
    assert all(path.is_file() for path in server.corpus["planted"])
    shot("kept")


def test_keeping_one_of_each_group_asks_first(browsing: Browsing, server: Server) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    ids = server.image_ids()
    original, copy = ids["original.png"], ids["copy.jpg"]
    page.goto(server.link(f"#/p/{server.pid}/duplicates"))
    page.get_by_test_id("find-duplicates").click()
    expect(page.get_by_test_id("dup-summary")).to_be_visible()

    # the first click only shows what will happen; cancelling changes nothing
    page.get_by_test_id("keep-all").click()
    box = page.get_by_test_id("keep-confirm")
    expect(box).to_be_visible()
    expect(box).to_contain_text("No file is deleted or moved.")
    shot("confirm")
    box.get_by_role("button", name="Cancel").click()
    expect(box).to_be_hidden()
    assert not _has(server, "Duplicates")

    page.get_by_test_id("keep-all").click()
    page.get_by_test_id("keep-confirm-yes").click()
    expect(page.get_by_text("No file was deleted.")).to_be_visible()
    tags = wait_until(
        lambda: tags_of(server.root, "Duplicates") if _has(server, "Duplicates") else None, "tags"
    )
    assert original in tags["keep"]["images"] and copy in tags["duplicate"]["images"]
    assert all(path.is_file() for path in server.corpus["planted"])


def _has(server: Server, name: str) -> bool:
    with server.db() as conn:
        return (
            conn.execute("SELECT 1 FROM properties WHERE name = ?", (name,)).fetchone() is not None
        )
