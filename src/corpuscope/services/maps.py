"""2-D map coordinates for the map view, cached per vector set.

The map of a project is fitted once and stored in ``cache/map-<set>.npz`` with the fitted
projection. Images that get vectors later are placed on the existing map without refitting, so
nothing the user has already seen moves; ``refit=True`` starts over. A map of a subset of images
is computed on demand and not cached.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.projection import MapProjection, compute_map, place_on_map
from corpuscope.atomic import write_atomically
from corpuscope.errors import InvalidInput
from corpuscope.services.progress import check_cancel
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.metadata import load_positions

MapPoints = tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]


@in_one_snapshot
def map_coordinates(
    project: Project,
    *,
    model: str | None = None,
    image_ids: Sequence[int] | None = None,
    refit: bool = False,
    seed: int = 0,
    cancel: threading.Event | None = None,
) -> MapPoints:
    """``(ids (n,), xy (n, 2) float32 in [-1, 1])`` for every image with a vector (or a subset).

    ``cancel`` set before the layout is saved raises ``Cancelled`` (the cache is left as it was).
    """
    if image_ids is not None:
        ids, X, _ = load_project_vectors(project, model, image_ids=image_ids)
        if len(ids) < 2:
            raise InvalidInput("A map needs at least two images.")
        return ids, compute_map(X, seed=seed).coords
    ids, X, vector_set = load_project_vectors(project, model)
    if len(ids) < 2:
        raise InvalidInput("A map needs at least two images with vectors.")
    path = project.cache_dir / f"map-{vector_set.id}.npz"
    cached = None if refit else _load(path)
    check_cancel(cancel)
    if cached is None:
        fitted = compute_map(X, seed=seed)
        check_cancel(cancel)
        _save(path, ids, fitted.coords, fitted)
        return ids, fitted.coords
    old_ids, old_xy, projection = cached
    new = ~np.isin(ids, old_ids)
    if not new.any():
        keep = np.isin(old_ids, ids)
        return old_ids[keep], old_xy[keep]
    placed = place_on_map(projection, X[new])
    check_cancel(cancel)
    all_ids = np.concatenate([old_ids, ids[new]])
    all_xy = np.concatenate([old_xy, placed])
    order = np.argsort(all_ids, kind="stable")
    _save(path, all_ids[order], all_xy[order], projection)
    return all_ids[order], all_xy[order]


def _load(
    path: Path,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], MapProjection] | None:
    if not path.exists():
        return None
    try:
        with np.load(path) as data:
            projection = MapProjection(
                data["xy"], data["basis"], data["landmarks"], data["landmark_coords"]
            )
            return data["ids"], data["xy"], projection
    except (OSError, KeyError, ValueError):
        return None  # a damaged cache is recomputed


def _save(
    path: Path, ids: npt.NDArray[np.int64], xy: npt.NDArray[np.float32], fitted: MapProjection
) -> None:
    with write_atomically(path) as handle:
        np.savez(
            handle,
            ids=ids,
            xy=xy,
            basis=fitted.basis,
            landmarks=fitted.landmarks,
            landmark_coords=fitted.landmark_coords,
        )


def map_places(project: Project) -> list[tuple[int, float, float]]:
    """``(image id, latitude, longitude)`` of every image whose file holds a GPS position."""
    return load_positions(project.read())
