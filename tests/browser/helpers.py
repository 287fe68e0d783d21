"""Small helpers shared by the browser journeys: API calls, feature checks, geometry."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from playwright.sync_api import Locator, Page

from .conftest import Server


def api(page: Page, server: Server, method: str, path: str, body: Any = None) -> Any:
    """Call the project's API as a script would (the token in the Authorization header)."""
    url = f"{server.url}api/projects/{server.pid}/{path.lstrip('/')}"
    response = page.request.fetch(
        url,
        method=method,
        data=json.dumps(body) if body is not None else None,
        headers={"content-type": "application/json", "authorization": f"Bearer {server.token}"},
    )
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def create_run(page: Page, server: Server, body: dict[str, Any]) -> Any:
    """Start a run (a task), wait for it to finish and return the run it made."""
    task = api(page, server, "POST", "runs", body)
    deadline = time.monotonic() + 120
    while task["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"the run is still {task['status']}"
        time.sleep(0.2)
        task = api(page, server, "GET", f"tasks/{task['id']}")
    assert task["status"] == "done", task
    return api(page, server, "GET", f"runs/{task['result']['run_id']}")


def tag_images(
    page: Page, server: Server, prop: str, tag: str, ids: list[int]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new tag property ``prop`` with one tag ``tag`` set on ``ids``, through the API."""
    created = api(page, server, "POST", "properties", {"name": prop, "type": "tag"})
    made = api(page, server, "POST", f"properties/{created['id']}/tags", {"name": tag})
    api(
        page,
        server,
        "POST",
        f"properties/{created['id']}/values/set",
        {"ids": ids, "value": [made["id"]]},
    )
    return created, made


def select_tags(panel: Locator, first: str, second: str) -> None:
    """In the tags panel: click the tag ``first``, then Ctrl+click ``second`` (two selected)."""
    panel.locator(f"[data-testid=tag-row][data-name='{first}']").first.get_by_role(
        "button", name=first, exact=True
    ).click()
    panel.locator(f"[data-testid=tag-row][data-name='{second}']").first.get_by_role(
        "button", name=second, exact=True
    ).click(modifiers=["Control"])


def require_route(page: Page, server: Server, method: str, path: str) -> None:
    """Skip when the server does not have the route (a part of the API not written yet)."""
    response = page.request.get(f"{server.url}openapi.json")
    assert response.ok, f"openapi.json: {response.status} {response.text()[:200]}"
    paths = response.json()["paths"]
    for known, methods in paths.items():
        if _shape(known) == _shape(path) and method.lower() in methods:
            return
    pytest.skip(f"the server has no {method.upper()} {path} yet")


def _shape(path: str) -> str:
    parts = ["{}" if part.startswith("{") else part for part in path.split("/")]
    return "/".join(parts)


def map_points(page: Page, server: Server) -> dict[int, tuple[float, float]]:
    """Where each image's point is on the page (the map shown, its first render done)."""
    layout = api(page, server, "GET", "map")
    return {
        image: tuple(page.evaluate("([x, y]) => window.__corpuscopeMap.toPage(x, y)", [x, y]))
        for image, x, y in zip(layout["ids"], layout["x"], layout["y"], strict=True)
    }


def lasso_around(page: Page, server: Server, ids: set[int]) -> None:
    """Draw the map's lasso around the points of ``ids``; fails when a point of another image
    would fall inside."""
    on_page = map_points(page, server)
    lasso = grow(convex_hull([on_page[image] for image in ids]), 14)
    outsiders = [image for image in on_page if image not in ids and inside(lasso, *on_page[image])]
    assert not outsiders, "the planted families should not overlap on the map"
    page.get_by_test_id("lasso").click()
    page.mouse.move(*lasso[0])
    page.mouse.down()
    for x, y in [*lasso[1:], lasso[0]]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain, counter-clockwise."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def grow(polygon: list[tuple[float, float]], pixels: float) -> list[tuple[float, float]]:
    """Push every corner ``pixels`` away from the centre (a lasso drawn around, not on, points)."""
    cx = sum(p[0] for p in polygon) / len(polygon)
    cy = sum(p[1] for p in polygon) / len(polygon)
    out = []
    for x, y in polygon:
        dx, dy = x - cx, y - cy
        length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
        out.append((x + dx / length * pixels, y + dy / length * pixels))
    return out


def inside(polygon: list[tuple[float, float]], x: float, y: float) -> bool:
    result = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result
