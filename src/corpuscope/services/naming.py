"""Name suggestions for clusters: words of a vocabulary closest to each cluster, read by the
model's text tower (CLIP-class models only).

A cluster is represented by the centre direction of its members' vectors; each vocabulary
entry is embedded as "a photo of {entry}" and ranked by cosine similarity to that centre.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpuscope.embed.registry import find_model
from corpuscope.errors import InvalidInput
from corpuscope.services.models import get_embedder
from corpuscope.services.runs import load_run
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store.db import Project
from corpuscope.store.vectors import find_vector_set_by_id

MAX_VOCABULARY = 2000
PROMPT = "a photo of {}"


@dataclass(frozen=True)
class NameSuggestion:
    name: str
    score: float


def suggest_names(
    project: Project, run_id: int, vocabulary: Sequence[str], *, top: int = 3
) -> dict[int, list[NameSuggestion]]:
    """Group id -> the ``top`` vocabulary entries closest to the group, best first."""
    words = list(dict.fromkeys(word.strip() for word in vocabulary if word.strip()))
    if not words or len(words) > MAX_VOCABULARY:
        raise InvalidInput(f"Give between 1 and {MAX_VOCABULARY} names to choose from.")
    if not 1 <= top <= 20:
        raise InvalidInput("Ask for 1 to 20 suggestions per cluster.")
    view = load_run(project, run_id)
    vector_set = find_vector_set_by_id(project.read(), view.run.vector_set_id)
    if vector_set is None or not _reads_text(vector_set.model):
        model = vector_set.model if vector_set else "this run's model"
        raise InvalidInput(
            f"The model {model} cannot read text, so it cannot name clusters; "
            "cluster with a CLIP model's vectors (see `corpuscope models`)."
        )
    embedder = get_embedder(vector_set.model)
    text = embedder.embed_text([PROMPT.format(word) for word in words])
    suggestions: dict[int, list[NameSuggestion]] = {}
    for group in view.groups:
        members = [image_id for image_id, _ in group.members]
        if not members:
            continue
        _, X, _ = load_project_vectors(project, vector_set.model, image_ids=members)
        centre = X.sum(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        scores = text @ centre
        best = np.argsort(-scores, kind="stable")[:top]
        suggestions[group.id] = [NameSuggestion(words[i], float(scores[i])) for i in best]
    return suggestions


def _reads_text(model: str) -> bool:
    try:
        return find_model(model).has_text
    except InvalidInput:
        return False
