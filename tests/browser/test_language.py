"""Issue 14, phase 1, in Chromium: the language switch in the top bar turns the converted parts
of the interface (grid, selection, set value, group lines, toolbar menus, tags panel) into
French without a reload, `<html lang>` follows, and the choice survives a reload; a first visit
follows the browser's preferred language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import WAIT_MS, Browsing, Server
from .helpers import tag_images
from .test_clustering_workflow import tags_of, wait_until

pytestmark = pytest.mark.browser

NNBSP = "\u202f"  # the narrow no-break space of French typography

#: English words of the converted parts that must not be left in French, as whole words.
ENGLISH = [
    "Filter",
    "Sort",
    "Group",
    "Tags",
    "selected",
    "Set value",
    "Clear selection",
    "Click",
    "Similar",
    "Select",
    "Find a tag",
    "Double-click",
    "Property",
    "Apply",
    "Cancel",
    "Name the new property",
]


def assert_no_english(region: Locator) -> None:
    text = region.inner_text()
    left = [word for word in ENGLISH if re.search(rf"\b{re.escape(word)}\b", text)]
    assert not left, f"English left in French: {left} in {text!r}"


def test_switch_language_from_the_top_bar(browsing: Browsing, server: Server) -> None:
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    family = server.family_of()
    stripes = sorted(image for image, name in family.items() if name == "stripes")[:4]
    kind, _ = tag_images(page, server, "Kind", "striped", stripes)

    page.goto(server.link(f"#/p/{server.pid}/grid?group={kind['id']}"))
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("filter-menu")).to_have_text("+ Filter")
    page.get_by_test_id("thumb").first.click()
    bar = page.get_by_test_id("selection-bar")
    expect(bar).to_contain_text("1 selected")

    # the switch: French at once, the selection and the view kept (nothing reloaded)
    page.get_by_test_id("language-switch").select_option("fr")
    expect(html).to_have_attribute("lang", "fr")
    expect(bar).to_contain_text("1 sélectionnée")
    expect(bar.get_by_role("button", name="Attribuer une valeur…")).to_be_visible()
    expect(bar).to_contain_text("Maj+clic pour une plage")
    assert_no_english(bar)
    toolbar = page.get_by_role("toolbar", name="Vue")
    expect(toolbar.get_by_test_id("filter-menu")).to_have_text("+ Filtre")
    expect(toolbar.get_by_test_id("group-menu")).to_have_text(f"Grouper{NNBSP}: Kind")
    expect(toolbar.get_by_test_id("tags-panel-toggle")).to_have_text("Étiquettes")
    expect(toolbar.get_by_label("Trier")).to_be_visible()
    for testid in ("filter-menu", "group-menu", "tags-panel-toggle"):
        assert_no_english(toolbar.get_by_test_id(testid))
    line = page.locator("[data-testid=group-line][data-label='striped']")
    line.hover()
    expect(line.get_by_role("button", name="Similaires")).to_be_visible()
    expect(line.get_by_role("button", name="Sélectionner")).to_be_visible()
    expect(line).to_contain_text("4")
    assert_no_english(line)
    shot("fr-grid")

    toolbar.get_by_test_id("tags-panel-toggle").click()
    panel = page.get_by_test_id("tags-panel")
    expect(panel.get_by_role("heading", name="Étiquettes")).to_be_visible()
    expect(panel.get_by_placeholder("Chercher une étiquette")).to_be_visible()
    expect(panel).to_contain_text("Double-clic pour renommer")
    assert_no_english(panel)
    shot("fr-tags-panel")

    # setting a value in French: the dialog, its own check, the toast, the database
    bar.get_by_test_id("set-value").click()
    dialog = page.get_by_test_id("set-value-dialog")
    expect(dialog.get_by_role("heading")).to_have_text(
        "Attribuer une valeur à 1 image sélectionnée"
    )
    dialog.get_by_test_id("set-property").select_option("new")
    dialog.get_by_test_id("tag-input").fill("archaïque")
    dialog.get_by_test_id("tag-input").press("Enter")
    dialog.get_by_test_id("apply-value").click()
    expect(dialog.get_by_role("alert")).to_have_text("Nommez la nouvelle propriété.")
    assert_no_english(dialog)
    dialog.get_by_test_id("new-property-name").fill("Période")
    shot("fr-set-value")
    dialog.get_by_test_id("apply-value").click()
    expect(
        page.get_by_text(f"Propriété «{NNBSP}Période{NNBSP}» modifiée sur 1 image.")
    ).to_be_visible()
    chosen = int(page.get_by_test_id("thumb").first.get_attribute("data-id") or 0)
    wait_until(
        lambda: tags_of(server.root, "Période").get("archaïque", {}).get("images") == [chosen],
        "the value set in French",
    )

    # remembered: a reload comes back in French
    page.reload()
    expect(html).to_have_attribute("lang", "fr")
    expect(page.get_by_test_id("filter-menu")).to_have_text("+ Filtre")
    expect(page.get_by_test_id("language-switch")).to_have_value("fr")
    assert page.evaluate("localStorage.getItem('corpuscope.locale')") == "fr"

    # and back to English, still without a reload
    page.get_by_test_id("language-switch").select_option("en")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("filter-menu")).to_have_text("+ Filter")
    expect(page.get_by_test_id("tags-panel-toggle")).to_have_text("Tags")


@pytest.mark.parametrize(("browser_locale", "shown"), [("fr-FR", "fr"), ("de-DE", "en")])
def test_first_visit_follows_the_browser_language(
    browser: object, server: Server, browser_locale: str, shown: str
) -> None:
    context = browser.new_context(locale=browser_locale)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(server.link(f"#/p/{server.pid}/grid"))
        expect(page.locator("html")).to_have_attribute("lang", shown)
        expect(page.get_by_test_id("filter-menu")).to_have_text(
            "+ Filtre" if shown == "fr" else "+ Filter"
        )
    finally:
        context.close()
