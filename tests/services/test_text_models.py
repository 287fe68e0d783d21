"""Text search and cluster naming through a real (tiny, randomly initialised) CLIP saved in
the Hugging Face layout: the whole path from weights on disk to ranked answers."""

from __future__ import annotations

import numpy as np
import pytest
from tests.embed.conftest import save_tiny_clip

from corpuscope.errors import InvalidInput
from corpuscope.services.clustering import run_clustering
from corpuscope.services.importing import run_import
from corpuscope.services.naming import suggest_names
from corpuscope.services.similarity import search_text
from corpuscope.services.vectors import VectorOptions, load_project_vectors, run_vectors


@pytest.fixture
def clip_project(project, tmp_path, write_image, monkeypatch):
    models = tmp_path / "models"
    save_tiny_clip(models / "clip-vit-b-32")
    monkeypatch.setenv("CORPUSCOPE_MODELS", str(models))
    for seed in range(8):
        write_image(tmp_path / "in" / f"{seed}.png", seed=seed)
    run_import(project, [tmp_path / "in"])
    run_vectors(project, VectorOptions(model="clip-vit-b-32", workers=0))
    return project


def test_text_search_ranks_every_image_by_its_text_similarity(clip_project) -> None:
    ids, _, _ = load_project_vectors(clip_project, "clip-vit-b-32")
    found = search_text(clip_project, "the cat", model="clip-vit-b-32", limit=8)
    assert sorted(m.image_id for m in found) == ids.tolist()
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)


def test_clusters_get_name_suggestions_from_a_vocabulary(clip_project) -> None:
    view = run_clustering(clip_project, k=2, model="clip-vit-b-32")
    names = suggest_names(clip_project, view.run.id, ["cat", "the", "cat", " "], top=2)
    assert set(names) == {group.id for group in view.groups}
    for suggestions in names.values():
        assert [s.name for s in suggestions] in (["cat", "the"], ["the", "cat"])
        assert suggestions[0].score >= suggestions[1].score


def test_naming_needs_a_text_model(project, vectors) -> None:
    view = run_clustering(project, k=2)
    with pytest.raises(InvalidInput, match="cannot read text"):
        suggest_names(project, view.run.id, ["vase"])
    with pytest.raises(InvalidInput, match="between 1 and"):
        suggest_names(project, view.run.id, ["  "])
    assert np.isfinite(view.groups[0].score)
