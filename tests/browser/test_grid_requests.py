"""Issue 16: what the grid asks for before its first thumbnails does not grow with the project.

At a million images the project's counts (files, images per folder, vectors) take seconds, and
every id or map position is megabytes: the grid must show its first thumbnails from one page of
images, without waiting for any of them. Checked here by holding the project's status back
until the thumbnails show, and by listing the requests made before they did.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route

from .conftest import Browsing, Server

pytestmark = pytest.mark.browser
THUMB_SHOWN = """() => [...document.querySelectorAll('[data-testid=grid] img')]
  .some((img) => img.complete && img.naturalWidth > 0)"""
#: Routes whose answers grow with the project (every id, positions, groups, runs, counts).
GROWING = ("/images/ids", "/map", "/map/places", "/grouping", "/runs", "/duplicates")


def test_first_thumbnails_come_from_one_page_without_the_project_counts(
    browsing: Browsing, server: Server
) -> None:
    page = browsing.page
    assert isinstance(page, Page)
    held: list[Route] = []
    status = re.compile(rf"/api/projects/{server.pid}(\?[^/]*)?$")
    page.route(status, lambda route: held.append(route))
    asked: list[tuple[str, str, str | None]] = []
    page.on(
        "request", lambda request: asked.append((request.method, request.url, request.post_data))
    )

    page.goto(server.link(f"#/p/{server.pid}/grid"))
    page.wait_for_function(THUMB_SHOWN, timeout=60_000)
    before = list(asked)
    assert held, "the page asked for the project's status"
    for route in held:
        route.continue_()
    page.wait_for_function("() => document.title.includes('corpuscope')")  # the status came

    api = [
        (method, urlsplit(url).path, body)
        for method, url, body in before
        if "/api/" in url and not urlsplit(url).path.endswith("/thumbnail")
    ]
    queries = [json.loads(body or "{}") for _, path, body in api if path.endswith("/images/query")]
    assert len(queries) == 1, api  # the first page brings the total: no second request for it
    assert queries[0].get("offset", 0) == 0 and queries[0]["limit"] == 200
    assert not [path for _, path, _ in api if path.endswith(GROWING)], api
    thumbs = [url for _, url, _ in before if urlsplit(url).path.endswith("/thumbnail")]
    assert 0 < len(thumbs) <= 200
    page.goto("about:blank")  # nothing left loading when the server stops
