"""Access as a user on a shared machine meets it: the printed link, the token, the first page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from corpuscope.web.security import cookie_name

from .conftest import WAIT_MS, Browsing, Server

pytestmark = pytest.mark.browser


def test_the_link_logs_in_and_leaves_no_token_in_the_address(
    server: Server, browsing: Browsing
) -> None:
    page = browsing.page
    assert isinstance(page, Page)
    page.goto(server.link(f"#/p/{server.pid}/grid?sort=path"))
    expect(page.get_by_test_id("thumb").first).to_be_visible()
    assert "token" not in page.url and page.url.endswith(f"#/p/{server.pid}/grid?sort=path")
    assert server.token not in page.evaluate("document.cookie")  # HttpOnly: no script sees it
    port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    [cookie] = [c for c in page.context.cookies() if c["name"] == cookie_name(port)]
    assert cookie["value"] == server.token and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    headers = page.request.get(server.url).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    browsing.shot("logged-in")


def test_without_the_token_the_page_says_what_it_lacks(browser: object, server: Server) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(server.url)
        expect(page.get_by_text("This server needs its access token", exact=True)).to_be_visible()
        expect(page.get_by_text("open the link that `corpuscope serve` printed")).to_be_visible()
    finally:
        context.close()


def test_the_project_named_on_the_command_line_opens_first(
    server: Server, browsing: Browsing
) -> None:
    """`corpuscope serve PROJECT` with other projects known opens PROJECT, not the chooser."""
    page = browsing.page
    assert isinstance(page, Page)
    other = server.root.parent / "other"
    response = page.request.post(
        f"{server.url}api/projects",
        data={"path": str(other), "create": True},
        headers={"authorization": f"Bearer {server.token}"},
    )
    assert response.ok, response.text()
    page.goto(server.link())
    expect(page.get_by_test_id("thumb").first).to_be_visible()
    assert f"#/p/{server.pid}" in page.url
    browsing.shot("named-project")
