"""Issue 7: recommendations for a group of the grid grouped by two properties: accepting gives
an image both levels' values, refusing is remembered; both checked in the database."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Browsing, Server
from .helpers import api, require_route
from .test_clustering_workflow import tags_of, wait_until

pytestmark = pytest.mark.browser


def test_accept_and_refuse(browsing: Browsing, server: Server) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    require_route(page, server, "post", "/api/projects/{pid}/recommendations")
    family = server.family_of()
    stripes = sorted(image for image, name in family.items() if name == "stripes")
    seeds = stripes[:4]

    kind = api(page, server, "POST", "properties", {"name": "Kind", "type": "tag"})
    quality = api(page, server, "POST", "properties", {"name": "Quality", "type": "tag"})
    striped = api(page, server, "POST", f"properties/{kind['id']}/tags", {"name": "striped"})
    good = api(page, server, "POST", f"properties/{quality['id']}/tags", {"name": "good"})
    api(
        page,
        server,
        "POST",
        f"properties/{kind['id']}/values/set",
        {"ids": seeds, "value": [striped["id"]]},
    )
    api(
        page,
        server,
        "POST",
        f"properties/{quality['id']}/values/set",
        {"ids": seeds, "value": [good["id"]]},
    )

    page.goto(server.link(f"#/p/{server.pid}/grid?group={kind['id']},{quality['id']}"))
    inner = page.locator("[data-testid=group-line][data-label='good']")
    expect(inner).to_have_count(1)
    inner.hover()
    inner.get_by_role("button", name="Similar").click()
    panel = page.get_by_test_id("recommendations")
    expect(panel.get_by_test_id("recommendation").first).to_be_visible()
    shot("recommendations")

    shown = [
        int(r.get_attribute("data-id") or 0) for r in panel.get_by_test_id("recommendation").all()
    ]
    assert set(shown).isdisjoint(seeds)  # never the group's own images
    assert {family[i] for i in shown[:4]} == {"stripes"}  # the other stripes come first

    accepted, refused = shown[0], shown[1]
    panel.locator(f"[data-testid=recommendation][data-id='{accepted}']").get_by_test_id(
        "accept"
    ).click()
    expect(panel.locator(f"[data-testid=recommendation][data-id='{accepted}']")).to_have_count(0)
    wait_until(
        lambda: accepted in tags_of(server.root, "Kind")["striped"]["images"], "accept: outer level"
    )
    assert (
        accepted in tags_of(server.root, "Quality")["good"]["images"]
    )  # the parent group's value too

    panel.locator(f"[data-testid=recommendation][data-id='{refused}']").get_by_test_id(
        "refuse"
    ).click()
    expect(panel.locator(f"[data-testid=recommendation][data-id='{refused}']")).to_have_count(0)
    with server.db() as conn:
        assert (
            conn.execute("SELECT COUNT(*) FROM refusals WHERE image_id = ?", (refused,)).fetchone()[
                0
            ]
            == 1
        )
    assert refused not in tags_of(server.root, "Kind")["striped"]["images"]
    shot("accepted-refused")

    # reopened, the refused image is not proposed again; "load more" adds further images
    panel.get_by_role("button", name="Close the recommendations").click()
    inner.hover()
    inner.get_by_role("button", name="Similar").click()
    expect(panel.get_by_test_id("recommendation").first).to_be_visible()
    again = [
        int(r.get_attribute("data-id") or 0) for r in panel.get_by_test_id("recommendation").all()
    ]
    assert refused not in again and accepted not in again
    shot("reopened")
