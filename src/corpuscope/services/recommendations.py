"""Recommendations: images similar to a group that are not in it yet.

A group is named by a target string: ``tag:<id>`` (the images carrying a tag), ``group:<id>``
(a cluster of a run), or any key the caller chooses for a set of images it passes itself (a
group of the grid, grouped by several properties). Refusals are remembered per target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpuscope.analysis.recommend import compute_recommendations
from corpuscope.errors import InvalidInput, NotFound
from corpuscope.services.vector_search import vector_index_for
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store import refusals as refusalstore
from corpuscope.store import runs as runstore
from corpuscope.store import tags as tagstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.properties import load_property
from corpuscope.store.values import existing_images, list_images_with_tags

MAX_RESULTS = 500


@dataclass(frozen=True)
class Recommendation:
    image_id: int
    score: float


@in_one_snapshot
def target_members(project: Project, target: str) -> list[int]:
    """The images of a ``tag:<id>`` or ``group:<id>`` target."""
    kind, _, number = target.partition(":")
    if not number.isdigit():
        raise InvalidInput(f"{target!r} names no group; use tag:<id> or group:<id>.")
    conn = project.read()
    if kind == "tag":
        tag = tagstore.load_tag(conn, int(number))
        return list_images_with_tags(conn, load_property(conn, tag.property_id), [tag.id])
    if kind == "group":
        group = runstore.load_group(conn, int(number))
        return [image_id for image_id, _ in runstore.load_members(conn, group.id)]
    raise InvalidInput(f"{target!r} names no group; pass the group's images with it.")


@in_one_snapshot
def recommend(
    project: Project,
    *,
    target: str,
    image_ids: Sequence[int] | None = None,
    limit: int = 50,
    offset: int = 0,
    restrict_to: Sequence[int] | None = None,
    min_score: float | None = None,
    model: str | None = None,
) -> list[Recommendation]:
    """Non-members ranked by similarity to the group (refused images never come back)."""
    if not 1 <= limit <= MAX_RESULTS or offset < 0:
        raise InvalidInput(
            f"Ask for 1 to {MAX_RESULTS} recommendations from an offset of 0 or more."
        )
    members = list(image_ids) if image_ids is not None else target_members(project, target)
    if not members:
        raise InvalidInput("The group has no images to recommend from.")
    ids, X, vector_set = load_project_vectors(project, model)
    index = None  # a restricted set is scored exactly (the index covers every row)
    if restrict_to is not None:
        keep = np.isin(ids, np.union1d(np.asarray(restrict_to, dtype=np.int64), members))
        ids, X = ids[keep], X[keep]
    else:
        index = vector_index_for(project, vector_set, X)
    inside = np.flatnonzero(np.isin(ids, np.asarray(members, dtype=np.int64)))
    if len(inside) == 0:
        raise InvalidInput("None of the group's images has a vector yet; compute vectors first.")
    refused = refusalstore.list_refusals(project.read(), target)
    refused_rows = np.flatnonzero(np.isin(ids, np.asarray(refused, dtype=np.int64)))
    ranking = compute_recommendations(
        X,
        inside,
        refused=refused_rows,
        top_n=limit,
        offset=offset,
        min_score=min_score,
        index=index,
    )
    return [
        Recommendation(int(ids[row]), float(score))
        for row, score in zip(ranking.indices, ranking.scores, strict=True)
    ]


def refuse(project: Project, target: str, image_ids: Sequence[int]) -> None:
    """Remember that these images do not belong to the target group."""
    if not image_ids:
        raise InvalidInput("No images were given to refuse.", code="images.none_given")
    missing = sorted(set(image_ids) - set(existing_images(project.read(), image_ids)))
    if missing:
        shown = ", ".join(map(str, missing[:5]))
        raise NotFound(
            f"There is no image with id {shown} in this project.",
            code="image.not_found",
            params={"id": shown},
        )
    with project.write() as conn:
        refusalstore.save_refusals(conn, target, image_ids)


def forget_refusals(project: Project, target: str) -> None:
    with project.write() as conn:
        refusalstore.delete_refusals(conn, target)
