"""Copy the screenshots the user guides show from the last browser test run into docs/screenshots
and, for the French guide, docs/fr/screenshots (as JPEG: a tenth of the PNG's size for the same
look).

pytest -m browser tests/browser && python -m tests.browser.guide_screenshots
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "browser"
TARGET = REPO / "docs" / "screenshots"
TARGET_FR = REPO / "docs" / "fr" / "screenshots"

#: guide name -> (test, screenshot name without its number)
CHOSEN = {
    "empty-project.jpg": ("test_clustering_workflow", "empty-project"),
    "importing.jpg": ("test_clustering_workflow", "importing"),
    "cluster-options.jpg": ("test_clustering_workflow", "cluster-options"),
    "clusters.jpg": ("test_clustering_workflow", "clusters"),
    "nested-clusters.jpg": ("test_clustering_workflow", "nested"),
    "grouped-by-property.jpg": ("test_clustering_workflow", "grouped"),
    "tags-panel.jpg": ("test_clustering_workflow", "parent-set"),
    "merge-tags.jpg": ("test_clustering_workflow", "merge-dialog"),
    "undo.jpg": ("test_clustering_workflow", "undone"),
    "selection.jpg": ("test_selection_set_value_and_image_modal", "selected"),
    "set-value.jpg": ("test_selection_set_value_and_image_modal", "set-value"),
    "image-modal.jpg": ("test_selection_set_value_and_image_modal", "modal-edit"),
    "recommendations.jpg": ("test_accept_and_refuse", "accepted-refused"),
    "map.jpg": ("test_lasso_selects_one_family", "map"),
    "map-lasso.jpg": ("test_lasso_selects_one_family", "lasso"),
    "duplicates.jpg": ("test_planted_duplicates_found_and_one_kept", "found"),
    "map-places.jpg": ("test_group_by_year_places_and_export_a_cluster", "places"),
    "export-cluster.jpg": ("test_group_by_year_places_and_export_a_cluster", "export-dialog"),
}


#: the French guide's screenshots, taken in French (tests/browser/test_language.py), under the
#: English names
CHOSEN_FR = {
    "empty-project.jpg": ("test_project_chooser_in_french", "fr-empty-project"),
    "importing.jpg": ("test_project_chooser_in_french", "fr-importing"),
    "cluster-options.jpg": ("test_main_journey_in_french", "fr-cluster-options"),
    "clusters.jpg": ("test_main_journey_in_french", "fr-clusters"),
    "nested-clusters.jpg": ("test_main_journey_in_french", "fr-nested-clusters"),
    "undo.jpg": ("test_main_journey_in_french", "fr-undo"),
    "grouped-by-property.jpg": ("test_main_journey_in_french", "fr-grouped-by-property"),
    "recommendations.jpg": ("test_main_journey_in_french", "fr-recommendations"),
    "merge-tags.jpg": ("test_main_journey_in_french", "fr-merge-tags"),
    "image-modal.jpg": ("test_main_journey_in_french", "fr-image-modal"),
    "duplicates.jpg": ("test_main_journey_in_french", "fr-duplicates"),
    "map.jpg": ("test_main_journey_in_french", "fr-map"),
    "map-lasso.jpg": ("test_main_journey_in_french", "fr-map-lasso"),
    "selection.jpg": ("test_switch_language_from_the_top_bar", "fr-grid"),
    "set-value.jpg": ("test_switch_language_from_the_top_bar", "fr-set-value"),
    "tags-panel.jpg": ("test_switch_language_from_the_top_bar", "fr-tags-panel"),
}


def copy_shots(chosen: dict[str, tuple[str, str]], target: Path) -> list[str]:
    """Copy the chosen screenshots into ``target``; the ones not found, as test/step."""
    target.mkdir(parents=True, exist_ok=True)
    missing = []
    for name, (test, step) in chosen.items():
        found = sorted((SHOTS / test).glob(f"[0-9][0-9]-{step}.png"))
        if not found:
            missing.append(f"{test}/{step}")
            continue
        with Image.open(found[0]) as shot:
            shot.convert("RGB").save(target / name, "JPEG", quality=85, optimize=True)
    print(f"copied {len(chosen) - len(missing)} screenshots to {target}")
    return missing


def main() -> None:
    missing = copy_shots(CHOSEN, TARGET) + copy_shots(CHOSEN_FR, TARGET_FR)
    if missing:
        raise SystemExit(f"missing (run the browser tests first): {', '.join(missing)}")


if __name__ == "__main__":
    main()
