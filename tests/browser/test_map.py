"""Issue 7: the WebGL map: thumbnails when zoomed in, hover preview, lasso → grid selection."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Browsing, Server
from .helpers import lasso_around, map_points, require_route

pytestmark = pytest.mark.browser
FIRST_RENDER = "() => performance.getEntriesByName('corpuscope:map-first-render').length > 0"


def test_lasso_selects_one_family(browsing: Browsing, server: Server) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    require_route(page, server, "get", "/api/projects/{pid}/map")
    family = server.family_of()

    page.goto(server.link(f"#/p/{server.pid}/map"))
    page.wait_for_function(FIRST_RENDER)
    page.wait_for_function("() => window.__corpuscopeMap.thumbs > 0")  # few points: thumbnails
    shot("map")

    on_page = map_points(page, server)

    # hover a point: its preview appears
    target = next(image for image in on_page if family[image] == "stripes")
    page.mouse.move(*on_page[target])
    expect(page.get_by_test_id("map-preview")).to_be_visible()
    shot("hover")

    # lasso around the stripes family: exactly its images become the selection
    stripes = {image for image, name in family.items() if name == "stripes"}
    lasso_around(page, server, stripes)
    expect(page.get_by_text(f"{len(stripes)} images selected on the map.")).to_be_visible()
    shot("lasso")
    page.get_by_role("button", name="Show in the grid").click()
    expect(page.get_by_test_id("selection-bar")).to_contain_text(f"{len(stripes)} selected")
    marked = page.locator("[data-testid=thumb][aria-selected=true]")
    expect(marked).to_have_count(len(stripes))
    selected = {int(t.get_attribute("data-id") or 0) for t in marked.all()}
    assert selected == stripes
    shot("grid-selection")
