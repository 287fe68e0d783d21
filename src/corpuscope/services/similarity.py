"""Similar images, search with an outside image, and text search, ranked with scores.

Each result has ``score`` (cosine similarity; for several query images, the mean) and
``z_score`` (how far above the corpus average the score lies, which keeps its meaning when raw
text-to-image cosines all bunch up around 0.3; see analysis/similarity.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.similarity import Ranking, compute_similar, compute_text_search
from corpuscope.embed.chunks import prepare_bytes
from corpuscope.embed.registry import find_model
from corpuscope.errors import InvalidInput
from corpuscope.ingest.decode import DEFAULT_MAX_PIXELS, BadImage
from corpuscope.services.models import embedder_for
from corpuscope.services.vector_search import vector_index_for
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.vectors import VectorSet

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
    ids, X, vector_set = load_project_vectors(project, model)
    _, queries, _ = load_project_vectors(project, model, image_ids=image_ids)
    exclude = np.flatnonzero(np.isin(ids, np.asarray(image_ids, dtype=np.int64)))
    ranking = compute_similar(
        X,
        queries,
        top_n=limit,
        offset=offset,
        min_score=min_score,
        exclude=exclude,
        index=vector_index_for(project, vector_set, X),
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
    if not _reads_text(vector_set.model):
        raise InvalidInput(
            f"The model {vector_set.model} cannot read text; compute vectors with a model that "
            "does (CLIP, SigLIP: see `corpuscope models`) to search by text."
        )
    query = embedder_for(vector_set).embed_text([text.strip()])[0]
    return _ranked(project, vector_set, (ids, X), query, window=(limit, offset, min_score))


def search_image(
    project: Project,
    data: bytes,
    *,
    limit: int = 50,
    offset: int = 0,
    min_score: float | None = None,
    model: str | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[Match]:
    """The project's images ranked by similarity to an image file given as bytes.

    The image is embedded in memory with the model of the project's vectors and never stored.
    """
    _check_window(limit, offset)
    ids, X, vector_set = load_project_vectors(project, model)
    embedder = embedder_for(vector_set)
    try:
        pixels = prepare_bytes(data, embedder.preprocessing, max_pixels=max_pixels)
    except BadImage as error:
        raise InvalidInput(f"This file cannot be used as an image: {error}.") from None
    query = embedder.embed_batch(pixels[np.newaxis])
    return _ranked(project, vector_set, (ids, X), query, window=(limit, offset, min_score))


def _ranked(
    project: Project,
    vector_set: VectorSet,
    vectors: tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]],
    query: npt.NDArray[np.float32],
    *,
    window: tuple[int, int, float | None],
) -> list[Match]:
    """The set's images ranked by cosine similarity to one query vector (text or image)."""
    ids, X = vectors
    limit, offset, min_score = window
    index = vector_index_for(project, vector_set, X)
    ranking = compute_text_search(
        X, query, top_n=limit, offset=offset, min_score=min_score, index=index
    )
    return _matches(ids, ranking)


def _reads_text(model: str) -> bool:
    try:
        return find_model(model).has_text
    except InvalidInput:  # a model no longer installed
        return False
