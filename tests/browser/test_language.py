"""Issue 14 in Chromium: the language switch in the top bar turns the interface (grid, selection,
set value, group lines, toolbar menus, tags panel; then, phase 2, the clusters, the run bar, the
top bar, tasks, duplicates and the map) into French without a reload, `<html lang>` follows, and
the choice survives a reload; a first visit follows the browser's preferred language; the main
clustering journey runs in French with no English text of the interface left on screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import OUTPUT, WAIT_MS, Browsing, EmptyServer, Server
from .helpers import lasso_around, select_tags, tag_images
from .test_clustering_workflow import _has_property, tags_of, wait_until
from .test_map import FIRST_RENDER

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


#: English texts of the parts converted in phase 2 (clusters, run bar, top bar, project, tasks,
#: duplicates, search, map). The names of unnamed groups of a run ("Outliers 3") are made by
#: the front-end from their kind and number (`clusters/runTree.test.ts` checks them in French).
ENGLISH_PHASE_2 = [
    "Create clusters",
    "Clustering",
    "Clustering parameters",
    "Algorithm",
    "Automatic",
    "Number of clusters",
    "Set as default",
    "Runs",
    "Save",
    "Saved",
    "Discard",
    "Close",
    "Finer",
    "Coarser",
    "Undo split",
    "Suggest names",
    "nested",
    "Hierarchical",
    "Flat",
    "Property name",
    "Model",
    "Tasks",
    "Map",
    "Duplicates",
    "Near-duplicates",
    "By image",
    "Add folder",
    "Undone",
    "Redo",
    "Colour by",
    "Nothing",
    "Fit",
    "Find duplicates",
    "No task has run",
    "waiting",
    "done",
]


#: English texts of the recommendations, the tags panel, the merge dialog and the image view.
ENGLISH_TAGS = [
    "Similar to",
    "most similar first",
    "Accept",
    "Refuse",
    "Load more",
    "No more",
    "Merge",
    "Keep",
    "Edit",
    "images selected on the map",
]


#: English texts the server writes that the front-end now translates from their codes: task
#: progress messages and undo labels.
ENGLISH_SERVER = ["importing", "vectors", "Loading vectors", "Done", "save clustering", "merge"]


def dismiss_toasts(page: Page) -> None:
    """Close the notes already shown, so that a screenshot shows only what follows."""
    close = page.get_by_role("button", name="Masquer", exact=True)
    while close.count():
        close.first.click()


def assert_no_english(region: Locator, english: list[str] = ENGLISH) -> None:
    text = region.inner_text()
    left = [word for word in english if re.search(rf"\b{re.escape(word)}\b", text)]
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


def test_main_journey_in_french(browsing: Browsing, server: Server) -> None:
    """Create clusters with -1, nest, save, undo and redo, group by the property: in French."""
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    both = ENGLISH + ENGLISH_PHASE_2
    page.goto(server.link(f"#/p/{server.pid}/grid"))
    page.get_by_test_id("language-switch").select_option("fr")
    header = page.locator("header.bar")
    expect(header.get_by_role("navigation", name="Vues")).to_contain_text("Carte")
    expect(header.get_by_test_id("add-folder")).to_have_text("+ Ajouter un dossier")
    expect(header.get_by_test_id("model-chooser")).to_contain_text(f"Modèle{NNBSP}:")
    assert_no_english(header, both)

    # clusters with -1 (automatic) on the whole corpus
    toolbar = page.get_by_role("toolbar", name="Vue")
    toolbar.get_by_test_id("cluster-options").click()
    dialog = page.get_by_role("dialog", name="Paramètres du regroupement")
    dialog.get_by_role("radio", name=re.compile("^Automatique")).check()
    dialog.get_by_test_id("cluster-k").fill("-1")
    expect(dialog).to_contain_text("Nombre de clusters")
    assert_no_english(dialog, both)
    shot("fr-cluster-options")
    dialog.get_by_test_id("run-clustering").click()
    lines = page.get_by_test_id("cluster-line")
    expect(lines.first).to_be_visible()
    expect(page.get_by_test_id("run-summary")).to_contain_text("automatique")
    expect(page.get_by_test_id("save-run")).to_have_text("Enregistrer…")
    assert_no_english(page.get_by_role("region", name="Regroupement"), both)
    shot("fr-clusters")

    # nest: the first cluster clustered again with k-means, 2
    count = lines.count()
    first = lines.first
    first.hover()
    expect(first.get_by_test_id("create-clusters")).to_have_text("Subdiviser")
    first.get_by_test_id("cluster-options").click()
    dialog.get_by_role("radio", name=re.compile(r"^k-moyennes \(k-means\)")).check()
    dialog.get_by_test_id("cluster-k").fill("2")
    dialog.get_by_test_id("run-clustering").click()
    expect(lines).to_have_count(count + 2)
    expect(first).to_contain_text("k-moyennes · 2 clusters")
    expect(page.get_by_test_id("run-summary")).to_contain_text("imbriqué")
    shot("fr-nested-clusters")

    # save, under the default name proposed in French, then under a name of ours
    page.get_by_test_id("save-run").click()
    save = page.get_by_role("dialog", name="Enregistrer le regroupement")
    expect(page.get_by_test_id("save-name")).to_have_value("Regroupement")
    expect(save).to_contain_text("Hiérarchique")
    assert_no_english(save, both)
    page.get_by_test_id("save-name").fill("Familles")
    with page.expect_request(lambda r: r.url.endswith("/save") and r.method == "POST") as sent:
        page.get_by_test_id("confirm-save").click()
    # the tags of unnamed groups are named in French too (this corpus has no outliers group,
    # so the words the interface sends are checked)
    assert sent.value.post_data_json["words"] == {
        "cluster": "Cluster {number}",
        "outliers": "Atypiques {number}",
        "unassigned": "Non attribuées {number}",
    }
    expect(
        page.get_by_text(f"Enregistré comme propriété «{NNBSP}Familles{NNBSP}».")
    ).to_be_visible()
    wait_until(lambda: _has_property(server.root, "Familles"), "the saved property")

    # undo the save from the top bar, then redo it from the toast: both toasts in French
    history = header.get_by_role("group", name="Historique")
    expect(history.get_by_role("button", name="Annuler")).to_have_attribute(
        "title", "Annuler (Ctrl+Z)"
    )
    expect(history.get_by_role("button", name="Rétablir")).to_be_attached()
    page.locator("body").click(position={"x": 5, "y": 880})
    page.keyboard.press("Control+z")  # a click on the button would scroll the crowded top bar
    undone = page.get_by_text(re.compile(f"^Annulé{NNBSP}:"))
    expect(undone).to_have_text(
        re.compile(
            f"^Annulé{NNBSP}: enregistrement du regroupement n° \\d+ comme «{NNBSP}Familles{NNBSP}»"
        )
    )
    wait_until(lambda: not _has_property(server.root, "Familles"), "the save undone")
    shot("fr-undo")
    page.get_by_role("button", name="Rétablir").last.click()
    expect(page.get_by_text(re.compile(f"^Rétabli{NNBSP}: enregistrement du"))).to_be_visible()
    wait_until(lambda: _has_property(server.root, "Familles"), "the save redone")

    # group the grid by the saved property
    page.get_by_test_id("close-run").click()
    page.get_by_test_id("group-menu").click()
    page.get_by_test_id("group-add").select_option(label="Familles")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("group-line").first).to_be_visible()
    shot("fr-grouped-by-property")

    # recommendations for a group of the saved property: the panel in French, one image taken
    line = page.get_by_test_id("group-line").first
    group = line.get_attribute("data-label") or ""
    line.hover()
    line.get_by_role("button", name="Similaires").click()
    recs = page.get_by_test_id("recommendations")
    expect(recs.get_by_role("heading")).to_have_text(f"Images semblables à «{NNBSP}{group}{NNBSP}»")
    expect(recs).to_contain_text("les plus proches d’abord")
    first_rec = recs.get_by_test_id("recommendation").first
    taken = int(first_rec.get_attribute("data-id") or 0)
    expect(first_rec.get_by_test_id("accept")).to_have_attribute(
        "aria-label", f"Accepter l’image {taken}"
    )
    assert_no_english(recs, both + ENGLISH_TAGS)
    dismiss_toasts(page)
    first_rec.get_by_test_id("accept").click()
    expect(page.get_by_text(f"1 image ajoutée à {group}.")).to_be_visible()
    wait_until(
        lambda: taken in tags_of(server.root, "Familles")[group]["images"], "the image taken"
    )
    shot("fr-recommendations")
    recs.get_by_role("button", name="Fermer les recommandations").click()

    # merge two tags of the property (two without children) from the tags panel
    tags = tags_of(server.root, "Familles")
    parents = {parent for tag in tags.values() for parent in tag["parents"]}
    a, b = sorted(name for name in tags if name not in parents)[:2]
    page.get_by_test_id("tags-panel-toggle").click()
    panel = page.get_by_test_id("tags-panel")
    panel.get_by_test_id("tags-property").select_option(label=f"Familles ({len(tags)})")
    select_tags(panel, a, b)
    expect(panel.get_by_test_id("merge-tags")).to_have_text("Fusionner…")
    dismiss_toasts(page)
    panel.get_by_test_id("merge-tags").click()
    merge = page.get_by_test_id("merge-dialog")
    expect(merge.get_by_role("heading")).to_have_text("Fusionner 2 étiquettes")
    expect(merge).to_contain_text("Conserver")
    assert_no_english(merge, both + ENGLISH_TAGS)
    shot("fr-merge-tags")
    page.get_by_test_id("confirm-merge").click()
    expect(page.get_by_text(re.compile(f"^1 étiquette fusionnée dans «{NNBSP}"))).to_be_visible()
    merged = wait_until(
        lambda: (lambda t: t if len(t) == len(tags) - 1 else None)(
            tags_of(server.root, "Familles")
        ),
        "the merge",
    )
    survivor = a if a in merged else b
    assert sorted(merged[survivor]["images"]) == sorted(tags[a]["images"] + tags[b]["images"])
    page.get_by_test_id("tags-panel-toggle").click()

    # the view of one image, a value being edited
    thumb = page.get_by_test_id("thumb").first
    thumb.dblclick()
    modal = page.get_by_test_id("image-modal")
    modal.get_by_test_id("edit-Familles").click()
    expect(modal.get_by_test_id("save-value")).to_be_visible()
    assert_no_english(modal, both + ENGLISH_TAGS + ["Width", "Height"])  # read from the file
    expect(modal.get_by_text("Largeur", exact=True)).to_be_visible()
    shot("fr-image-modal")
    page.keyboard.press("Escape")
    expect(modal).to_have_count(0)

    # the other views of the top bar: duplicates found, the map and its lasso
    nav = header.get_by_role("navigation", name="Vues")
    nav.get_by_role("button", name="Tâches").click()
    expect(page.get_by_role("heading", name="Tâches")).to_be_visible()
    assert_no_english(page.locator("section.tasks"), both + ENGLISH_SERVER)
    nav.get_by_role("button", name="Doublons").click()
    expect(page.get_by_role("heading", name="Quasi-doublons")).to_be_visible()
    expect(page.get_by_test_id("find-duplicates")).to_have_text("Chercher les doublons")
    dismiss_toasts(page)
    page.get_by_test_id("find-duplicates").click()
    expect(page.get_by_test_id("dup-summary")).to_be_visible()
    expect(page.get_by_test_id("keep-reason").first).to_contain_text(
        re.compile("^(Image la plus grande|Même taille)")
    )
    assert_no_english(page.locator("section.duplicates"), [*both, "Largest picture", "Keep"])
    shot("fr-duplicates")
    nav.get_by_role("button", name="Carte").click()
    map_toolbar = page.get_by_role("toolbar", name="Carte")
    expect(map_toolbar).to_contain_text("Colorer par")
    assert_no_english(map_toolbar, both)
    page.wait_for_function(FIRST_RENDER)
    page.wait_for_function("() => window.__corpuscopeMap.thumbs > 0")
    shot("fr-map")
    family = server.family_of()
    stripes = {image for image, name in family.items() if name == "stripes"}
    lasso_around(page, server, stripes)
    expect(page.get_by_text(f"{len(stripes)} images sélectionnées sur la carte.")).to_be_visible()
    expect(page.get_by_role("button", name="Afficher dans la grille")).to_be_visible()
    shot("fr-map-lasso")
    page.goto("about:blank")  # the page's event stream ends before the server stops


def test_project_chooser_in_french(browsing: Browsing, empty_server: EmptyServer) -> None:
    """The first page a user sees has the language switch; a project is created in French."""
    page, shot = browsing.page, browsing.shot
    assert isinstance(page, Page)
    page.goto(empty_server.link())
    expect(page.get_by_role("heading", name="Open or create a project")).to_be_visible()
    page.get_by_test_id("language-switch").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Ouvrir ou créer un projet")).to_be_visible()
    page.get_by_label("Dossier du projet (chemin complet)").fill(str(empty_server.tmp / "vases"))
    page.get_by_label("Créer le projet si le dossier n’en contient pas").check()
    assert_no_english(
        page.locator("main"), ENGLISH + ENGLISH_PHASE_2 + ["Projects", "Open", "Create"]
    )
    shot("fr-chooser")
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_test_id("empty-state")).to_contain_text("pas encore d’images")
    shot("fr-empty-project")
    page.get_by_test_id("add-folder").click()
    dialog = page.get_by_role("dialog", name="Ajouter un dossier")
    expect(dialog.get_by_label("Dossier d’images (chemin complet)")).to_be_visible()
    expect(dialog.get_by_role("button", name="Importer")).to_be_visible()
    assert_no_english(dialog, ENGLISH + ENGLISH_PHASE_2 + ["Import", "Compute vectors"])

    # the import runs, its progress in the top bar in French
    dialog.get_by_label("Dossier d’images (chemin complet)").fill(str(empty_server.images))
    dialog.get_by_role("button", name="Importer").click()
    expect(page.get_by_test_id("task-indicator")).to_contain_text(re.compile("Import|Vecteurs"))
    assert_no_english(page.locator("header.bar"), ENGLISH + ENGLISH_PHASE_2 + ["Vectors"])
    shot("fr-importing")
    thumbs = page.get_by_test_id("thumb")
    expect(thumbs).to_have_count(sum(len(files) for files in empty_server.corpus.values()))
    expect(page.get_by_test_id("task-indicator")).to_have_text("Tâches")  # every task done
    page.goto("about:blank")  # the page's event stream ends before the server stops


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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_top_bar_control_fits_at_1280_px(
    browser: object, server: Server, language: str
) -> None:
    """At 1,280 px wide (and the test page's 1,400), every control of the top bar is on screen,
    undo and redo included, in French (the longer language) and in English."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(server.link(f"#/p/{server.pid}/grid"))
        page.get_by_test_id("language-switch").select_option(language)
        expect(page.locator("html")).to_have_attribute("lang", language)
        header = page.locator("header.bar")
        expect(
            header.get_by_role("group", name=re.compile("^(Historique|History)$"))
        ).to_be_visible()
        # the bundled model reads no text: the search's hint shows, the bar's most crowded state
        expect(page.get_by_test_id("search-hint")).to_be_visible()
        for width in (1400, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            controls = header.locator("a, button, select, input:not(.sr-only)").all()
            assert len(controls) >= 10
            for control in controls:
                box = control.bounding_box()
                assert box is not None, control.evaluate("(el) => el.outerHTML")
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
                    f"{control.evaluate('(el) => el.outerHTML')[:120]} at {box} is off screen"
                    f" at {width} px"
                )
            for control in header.locator("a, button").all():  # and none squeezed: no text cut
                assert control.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1"), (
                    f"{control.evaluate('(el) => el.outerHTML')[:120]} is squeezed at {width} px"
                )
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert header.evaluate("(el) => el.scrollWidth <= el.clientWidth")
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"top-bar-{language}-1280.png"))
    finally:
        context.close()
