"""Similar images and text search, ranked with scores.

Each result has ``score`` (cosine similarity; for several query images, the mean) and
``z_score`` (how far above the corpus average the score lies, which keeps its meaning when raw
text-to-image cosines all bunch up around 0.3; see analysis/similarity.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpuscope.analysis.similarity import Ranking, compute_similar, compute_text_search
from corpuscope.embed.catalog import find_spec
from corpuscope.errors import InvalidInput
from corpuscope.services.models import get_embedder
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store.db import Project, in_one_snapshot

MAX_RESULTS = 1000


@dataclass(frozen=True)
class Match:
    image_id: int
    score: float
    z_score: float


def _check_window(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_RESULTS or offset < 0:
        raise InvalidInput(f"Ask for 1 to {MAX_RESULTS} results from an offset of 0 or more.")


def _matches(ids: np.ndarray, ranking: Ranking) -> list[Match]:
    return [
        Match(int(ids[row]), float(score), float(z))
        for row, score, z in zip(ranking.indices, ranking.scores, ranking.z_scores, strict=True)
    ]


@in_one_snapshot
def similar_images(
    project: Project,
    image_ids: Sequence[int],
    *,
    limit: int = 50,
    offset: int = 0,
    min_score: float | None = None,
    model: str | None = None,
) -> list[Match]:
    """Images most similar to one or several images (the query images themselves excluded)."""
    _check_window(limit, offset)
    if not image_ids:
        raise InvalidInput("Give at least one image to find similar ones.")
    ids, X, _ = load_project_vectors(project, model)
    _, queries, _ = load_project_vectors(project, model, image_ids=image_ids)
    exclude = np.flatnonzero(np.isin(ids, np.asarray(image_ids, dtype=np.int64)))
    ranking = compute_similar(
        X, queries, top_n=limit, offset=offset, min_score=min_score, exclude=exclude
    )
    return _matches(ids, ranking)


@in_one_snapshot
def search_text(
    project: Project,
    text: str,
    *,
    limit: int = 50,
    offset: int = 0,
    min_score: float | None = None,
    model: str | None = None,
) -> list[Match]:
    """Images ranked by similarity to a text (models with a text tower only)."""
    _check_window(limit, offset)
    if not text.strip():
        raise InvalidInput("Type some words to search for.")
    ids, X, vector_set = load_project_vectors(project, model)
    if not find_spec(vector_set.model).has_text:
        raise InvalidInput(
            f"The model {vector_set.model} cannot read text; compute vectors with a CLIP model "
            "(see `corpuscope models`) to search by text."
        )
    embedder = get_embedder(vector_set.model)
    if embedder.version != vector_set.version:
        raise InvalidInput(
            f"The vectors were made by another version of {vector_set.model}; "
            "recompute them with `corpuscope vectors` to search by text."
        )
    query = embedder.embed_text([text.strip()])[0]
    ranking = compute_text_search(X, query, top_n=limit, offset=offset, min_score=min_score)
    return _matches(ids, ranking)
