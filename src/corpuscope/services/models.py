"""The project's model, and loaded models kept for reuse (loading takes seconds, a query ms).

A project works with one model at a time: clustering, the map, similar images, recommendations
and search read its vectors. It is the model the user chose (``corpuscope models use``, or the
web app's chooser); before any choice, the default model if the project has its vectors, else
the model whose vectors were computed last, else the default model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from corpuscope.embed.base import Embedder
from corpuscope.embed.registry import DEFAULT_MODEL, find_model, load_embedder
from corpuscope.errors import InvalidInput
from corpuscope.store import vectors as vecstore
from corpuscope.store.db import Project
from corpuscope.store.vectors import VectorSet

_loaded: dict[tuple[str, str | None], Embedder] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class ModelChoice:
    """The project's model and how many images have its vectors."""

    model: str
    chosen: bool  # False: nobody chose, this is the rule's pick
    vectors: int


def get_embedder(name: str | None = None, *, models_dir: Path | None = None) -> Embedder:
    """The model ``name`` (the default one when None), loaded once per process."""
    key = (name or DEFAULT_MODEL, str(models_dir) if models_dir else None)
    with _lock:
        if key not in _loaded:
            _loaded[key] = load_embedder(key[0], models_dir=models_dir)
        return _loaded[key]


def project_model(project: Project) -> str:
    """The model this project works with (see the module's docstring)."""
    conn = project.read()
    chosen = vecstore.load_chosen_model(conn)
    if chosen is not None:
        return chosen
    if vecstore.find_vector_set(conn, DEFAULT_MODEL) is not None:
        return DEFAULT_MODEL
    return vecstore.find_newest_model(conn) or DEFAULT_MODEL


def describe_choice(project: Project) -> ModelChoice:
    conn = project.read()
    model = project_model(project)
    found = vecstore.find_vector_set(conn, model)
    count = 0
    if found is not None:
        count = vecstore.count_vectors(conn, found, cache_dir=project.cache_dir)
    return ModelChoice(model, vecstore.load_chosen_model(conn) is not None, count)


def choose_model(project: Project, name: str, *, models_dir: Path | None = None) -> ModelChoice:
    """Make ``name`` the project's model: a known model, or one whose vectors it has."""
    if vecstore.find_vector_set(project.read(), name) is None:
        find_model(name, models_dir=models_dir)  # InvalidInput for an unknown name
    with project.write() as conn:
        vecstore.save_chosen_model(conn, name)
    return describe_choice(project)


def embedder_for(vector_set: VectorSet) -> Embedder:
    """The loaded model that made ``vector_set``, refused when it is another version now."""
    embedder = get_embedder(vector_set.model)
    if embedder.version != vector_set.version:  # the model may have changed on disk: reload
        with _lock:
            _loaded.pop((vector_set.model, None), None)
        embedder = get_embedder(vector_set.model)
    if embedder.version != vector_set.version:
        raise InvalidInput(
            f"The vectors were made by another version of {vector_set.model}; "
            "recompute them with `corpuscope vectors` to search with it."
        )
    return embedder
