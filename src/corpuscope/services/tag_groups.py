"""Grouping by tags: each image goes to the nearest tag of a tag property, or to "Unassigned".

A tag is known by the images already carrying it and, with a model that reads text, by its
name too. The result is recorded as a run: one group per tag (named after it) by increasing
score, as in every run, then the unassigned group.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence

import numpy as np

from corpuscope.analysis.scores import compute_group_score
from corpuscope.analysis.tag_assignment import compute_tag_assignment
from corpuscope.errors import InvalidInput
from corpuscope.services.clustering import record_run, resolve_input
from corpuscope.services.models import get_embedder
from corpuscope.services.progress import Report, report_stage
from corpuscope.services.runs import RunView
from corpuscope.store import tags as tagstore
from corpuscope.store.db import Project
from corpuscope.store.properties import Property, load_property
from corpuscope.store.runs import NewGroup
from corpuscope.store.tags import Tag
from corpuscope.store.values import list_images_with_tags

DEFAULT_MIN_SIMILARITY = 0.5


def run_by_tags(
    project: Project,
    property_ref: int | str,
    *,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    text_weight: float = 0.5,
    image_ids: Sequence[int] | None = None,
    model: str | None = None,
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> RunView:
    """Attach every image (or ``image_ids``) to its nearest tag of a tag property.

    ``report`` hears of each stage; ``cancel`` set between stages raises ``Cancelled``.
    """
    report_stage(report, cancel, 0, 3, "loading vectors")
    conn = project.read()
    prop, tags = load_tag_property(conn, property_ref)
    data = resolve_input(project, model=model, image_ids=image_ids)
    tagged = [
        np.flatnonzero(np.isin(data.ids, list_images_with_tags(conn, prop, [tag.id])))
        for tag in tags
    ]
    text = _text_vectors(data.vector_set.model if data.vector_set else None, [t.name for t in tags])
    if text is None and not any(len(rows) for rows in tagged):
        raise InvalidInput(
            f"No image carries a tag of {prop.name!r} yet, and the model cannot read tag names: "
            "tag a few images first."
        )
    report_stage(report, cancel, 1, 3, f"assigning {len(data.ids):,} images to tags")
    started = time.perf_counter()
    result = compute_tag_assignment(
        data.X,
        tagged,
        text_vectors=text,
        text_weight=text_weight if text is not None else 0.0,
        min_similarity=min_similarity,
    )
    seconds = time.perf_counter() - started
    report_stage(report, cancel, 2, 3, "saving the groups")
    groups = [
        NewGroup(
            "cluster",
            _score(data.X, rows),
            data.ids[rows].tolist(),
            result.scores[rows].tolist(),
            name=tag.name,
        )
        for tag, rows in zip(tags, result.groups, strict=True)
        if len(rows)
    ]
    groups.sort(key=lambda group: group.score or 0.0)  # as every run: by increasing score
    rows = result.unassigned
    if len(rows):
        groups.append(
            NewGroup(
                "unassigned",
                _score(data.X, rows),
                data.ids[rows].tolist(),
                result.scores[rows].tolist(),
            )
        )
    params = {"property": prop.id, "min_similarity": min_similarity, "text": text is not None}
    return record_run(project, "by_tags", params, None, data, groups, seconds)


def load_tag_property(
    conn: sqlite3.Connection, property_ref: int | str
) -> tuple[Property, list[Tag]]:
    """A tag property and its tags, refused when it is not a tag property or has no tags."""
    prop = load_property(conn, property_ref)
    if not prop.is_tags:
        raise InvalidInput(f"{prop.name!r} is not a tag property; choose one with tags.")
    tags = tagstore.list_tags(conn, prop.id)
    if not tags:
        raise InvalidInput(f"The property {prop.name!r} has no tags yet.")
    return prop, tags


def _score(X: np.ndarray, rows: np.ndarray) -> float:
    return compute_group_score(X[rows])


def _text_vectors(model: str | None, names: list[str]) -> np.ndarray | None:
    if model is None:
        return None
    embedder = get_embedder(model)
    return embedder.embed_text(names) if embedder.has_text else None
