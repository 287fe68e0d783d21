"""The project's model: which vectors clustering, the map, similar images and recommendations
read, before and after a choice (a real project, synthetic vectors for two models)."""

from __future__ import annotations

import numpy as np
import pytest

from corpuscope.errors import InvalidInput
from corpuscope.services.clustering import run_clustering
from corpuscope.services.maps import map_coordinates
from corpuscope.services.models import choose_model, describe_choice, project_model
from corpuscope.services.recommendations import recommend
from corpuscope.services.similarity import similar_images
from corpuscope.store import vectors as vecstore
from corpuscope.store.db import Project

from .conftest import planted_vectors


def _add_set(project: Project, model: str, X: np.ndarray, ids: np.ndarray) -> int:
    with project.write() as conn:
        found = vecstore.save_vector_set(
            conn, model=model, version="t", dim=X.shape[1], preprocessing="", runtime=""
        )
        vecstore.save_vectors(conn, found, ids, X)
    return found.id


def test_the_rule_before_any_choice(project: Project, vectors: tuple) -> None:
    ids, _ = vectors
    assert project_model(project) == "efficientnet-lite0"  # the default has vectors
    _add_set(project, "dinov2-small", planted_vectors(30, 4, d=8, seed=1), ids)
    assert project_model(project) == "efficientnet-lite0"  # still: nobody chose
    assert describe_choice(project).chosen is False


def test_newest_vectors_when_the_default_has_none(project: Project) -> None:
    assert project_model(project) == "efficientnet-lite0"  # an empty project
    with project.write() as conn:
        conn.execute(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (1, 's', 1, 1, 'PNG')"
        )
    _add_set(project, "clip-vit-b-32", np.ones((1, 4), np.float32) / 2, np.array([1]))
    assert project_model(project) == "clip-vit-b-32"


def test_every_analysis_reads_the_chosen_models_vectors(project: Project, vectors: tuple) -> None:
    ids, _ = vectors
    other = planted_vectors(30, 4, d=8, seed=1)
    other_set = _add_set(project, "dinov2-small", other, ids)
    choice = choose_model(project, "dinov2-small")
    assert (choice.model, choice.chosen, choice.vectors) == ("dinov2-small", True, 120)
    run = run_clustering(project, k=4)
    assert run.run.vector_set_id == other_set
    map_coordinates(project)
    assert (project.cache_dir / f"map-{other_set}.npz").is_file()
    found = similar_images(project, [int(ids[0])], limit=5)
    expected = np.argsort(-(other @ other[0]))[1:6]
    assert [m.image_id for m in found] == [int(ids[i]) for i in expected]
    proposals = recommend(project, target="grid:x", image_ids=[int(ids[0])], limit=3)
    assert [p.image_id for p in proposals] == [int(ids[i]) for i in expected[:3]]
    explicit = run_clustering(project, k=2, model="efficientnet-lite0")  # --model still wins
    assert explicit.run.vector_set_id != other_set


def test_an_unknown_model_cannot_be_chosen(project: Project, vectors: tuple) -> None:
    with pytest.raises(InvalidInput, match="Unknown model 'resnet-9000'"):
        choose_model(project, "resnet-9000")
    assert describe_choice(project).chosen is False
