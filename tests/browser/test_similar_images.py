"""Issue 7: similar images in the image modal, the similarity slider, and copying the opened
image's value to the similar images chosen; checked in the database."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Browsing, Server
from .helpers import api
from .test_clustering_workflow import tags_of, wait_until

pytestmark = pytest.mark.browser


def test_similar_images_take_the_opened_images_value(browsing: Browsing, server: Server) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    family = server.family_of()
    red = sorted(image for image, name in family.items() if name == "red")
    source = red[0]
    colour = api(page, server, "POST", "properties", {"name": "Colour", "type": "tag"})
    tag = api(page, server, "POST", f"properties/{colour['id']}/tags", {"name": "reddish"})
    api(
        page,
        server,
        "POST",
        f"properties/{colour['id']}/values/set",
        {"ids": [source], "value": [tag["id"]]},
    )

    page.goto(server.link(f"#/p/{server.pid}/grid?sort=path"))
    page.locator(f"[data-testid=thumb][data-id='{source}']").dblclick()
    strip = page.get_by_test_id("image-modal").get_by_test_id("similar-images")
    similar = strip.get_by_test_id("similar")
    expect(similar.first).to_be_visible()
    shown = [int(s.get_attribute("data-id") or 0) for s in similar.all()]
    assert source not in shown  # never the image itself
    assert {family[i] for i in shown[:4]} == {"red"}  # its own family comes first

    strip.get_by_test_id("similar-slider").fill("1")  # the slider hides what falls below it
    expect(similar).to_have_count(0)
    strip.get_by_test_id("similar-slider").fill("0")  # and shows everything at 0
    expect(similar).to_have_count(server.image_count() - 1)
    assert [int(s.get_attribute("data-id") or 0) for s in similar.all()][: len(shown)] == shown

    chosen = shown[:2]
    similar.nth(0).get_by_role("button").click()
    similar.nth(1).get_by_role("button").click(modifiers=["Control"])
    expect(strip.get_by_test_id("similar-property")).to_have_value(str(colour["id"]))
    apply = strip.get_by_test_id("apply-to-similar")
    expect(apply).to_contain_text("2 selected")
    shot("similar-selected")
    apply.click()
    wait_until(
        lambda: tags_of(server.root, "Colour")["reddish"]["images"] == sorted([source, *chosen]),
        "the value copied to the two chosen images",
    )
    shot("similar-applied")
