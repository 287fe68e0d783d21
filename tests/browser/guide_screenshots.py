"""Copy the screenshots the user guide shows from the last browser test run into docs/screenshots
(as JPEG: a tenth of the PNG's size for the same look).

pytest -m browser tests/browser && python -m tests.browser.guide_screenshots
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "browser"
TARGET = REPO / "docs" / "screenshots"

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


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = []
    for name, (test, step) in CHOSEN.items():
        found = sorted((SHOTS / test).glob(f"[0-9][0-9]-{step}.png"))
        if not found:
            missing.append(f"{test}/{step}")
            continue
        with Image.open(found[0]) as shot:
            shot.convert("RGB").save(TARGET / name, "JPEG", quality=85, optimize=True)
    print(f"copied {len(CHOSEN) - len(missing)} screenshots to {TARGET}")
    if missing:
        raise SystemExit(f"missing (run the browser tests first): {', '.join(missing)}")


if __name__ == "__main__":
    main()
