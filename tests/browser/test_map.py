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


# Zoom out from the middle of the map, one wheel step a frame, and report each redraw while
# the wheel turns: whether it drew the thinned points, and how many points.
ZOOM_OUT = """async (frames) => {
  const canvas = document.querySelector('[data-testid=map] canvas');
  const box = canvas.getBoundingClientRect();
  const stats = window.__corpuscopeMap;
  const redraws = [];
  let renders = stats.renders;
  for (let k = 0; k < frames; k++) {
    canvas.dispatchEvent(new WheelEvent('wheel', { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2, deltaY: 60, bubbles: true, cancelable: true }));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    if (stats.renders !== renders) redraws.push({ thin: stats.thinRenders, points: stats.drawnPoints });
    renders = stats.renders;
  }
  return redraws;
}"""


def test_a_moving_map_draws_a_sample_of_its_points_and_all_of_them_once_still(
    browsing: Browsing, server: Server
) -> None:
    """Issue 16: at a million points a full redraw takes about 300 ms in software WebGL, so
    while the map moves over more points than a frame can draw it draws a sample spread like
    them. Here the budget is set to 8 points, and the map shows them all when it stops."""
    page = browsing.page
    assert isinstance(page, Page)
    page.add_init_script("window.__corpuscopeMovingPoints = 8")
    page.goto(server.link(f"#/p/{server.pid}/map"))
    page.wait_for_function(FIRST_RENDER)
    on_page = map_points(page, server)
    total = len(on_page)
    assert total > 16
    page.wait_for_function(f"() => window.__corpuscopeMap.drawnPoints === {total}")
    # zoom in (still: the points around the view drawn), then out without stopping
    page.mouse.move(*on_page[next(iter(on_page))])
    for _ in range(8):
        page.mouse.wheel(0, -120)
    page.wait_for_function(f"() => window.__corpuscopeMap.drawnPoints < {total}")
    redraws = page.evaluate(ZOOM_OUT, 40)
    thin = [redraw for redraw in redraws if redraw["points"] <= 8]
    assert thin, redraws  # the wheel took the view past 8 points, and it drew the sample
    assert redraws[-1]["thin"] > 0
    # once the wheel stops, every point is drawn
    page.wait_for_function(f"() => window.__corpuscopeMap.drawnPoints === {total}")
