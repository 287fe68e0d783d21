"""2-D map coordinates: t-SNE on landmarks, every image placed among its nearest landmarks.

1. project the unit vectors on their 64 main directions (``subspace``);
2. landmarks: all images up to ``n_landmarks``, else the directions of ``n_landmarks`` k-means
   centres;
3. lay the landmarks out with t-SNE (scikit-learn, cosine metric, PCA initialisation);
4. place every image at the weighted mean of its ``_NEIGHBOURS`` most similar landmarks'
   positions, weights ``exp((cos - best cos) / _TEMPERATURE)``.

Step 4 needs nothing but the fitted map, so ``place_on_map`` puts new images on an existing map
without refitting and without moving anything. Coordinates are float32 in [-1, 1] (the longer
side of the map spans the whole range; the aspect ratio is kept).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt
from sklearn.manifold import TSNE

from corpuscope.analysis.centroids import directions
from corpuscope.analysis.inputs import Vectors, check_count, check_seed, check_vectors
from corpuscope.analysis.subspace import fit_basis, project_unit
from corpuscope.analysis.threads import single_threaded
from corpuscope.errors import InvalidInput

MAP_DIM = 64
DEFAULT_LANDMARKS = 1_000
_NEIGHBOURS = 8
_TEMPERATURE = 0.01


@dataclass(frozen=True)
class MapProjection:
    """``coords (n, 2)`` float32 in [-1, 1]; the rest is the fitted map that ``place_on_map``
    uses: ``basis (d, p)``, ``landmarks (L, p)`` unit vectors, ``landmark_coords (L, 2)``."""

    coords: npt.NDArray[np.float32]
    basis: npt.NDArray[np.float32]
    landmarks: npt.NDArray[np.float32]
    landmark_coords: npt.NDArray[np.float32]


def compute_map(
    X: npt.ArrayLike, *, seed: int = 0, n_landmarks: int = DEFAULT_LANDMARKS
) -> MapProjection:
    """Map coordinates of the rows of ``X (n, d)``, deterministic for a given ``seed``."""
    vectors = check_vectors(X)
    return map_kernel(
        vectors, check_seed(seed), check_count(n_landmarks, name="n_landmarks", minimum=2)
    )


def place_on_map(projection: MapProjection, X: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """``(m, 2)`` coordinates of new rows ``X (m, d)`` on an existing map (nothing moves)."""
    vectors = check_vectors(X)
    if vectors.shape[1] != projection.basis.shape[0]:
        raise InvalidInput("the new vectors do not have the length of the map's vectors.")
    return place_kernel(projection, project_unit(vectors, projection.basis))


def map_kernel(X: Vectors, seed: int, n_landmarks: int) -> MapProjection:
    """Trusting kernel of ``compute_map``."""
    with single_threaded():
        basis = (
            fit_basis(X, MAP_DIM, seed=seed)
            if X.shape[1] > MAP_DIM
            else np.eye(X.shape[1], dtype=np.float32)
        )
        Y = project_unit(X, basis)
        landmarks = _landmarks(Y, n_landmarks, seed)
    landmark_coords = _normalise(_layout(landmarks, seed))
    fitted = MapProjection(np.empty((0, 2), np.float32), basis, landmarks, landmark_coords)
    with single_threaded():
        coords = place_kernel(fitted, Y)
    return MapProjection(coords, basis, landmarks, landmark_coords)


def _landmarks(Y: Vectors, n_landmarks: int, seed: int) -> Vectors:
    if len(Y) <= n_landmarks:
        return Y
    km = faiss.Kmeans(
        Y.shape[1],
        n_landmarks,
        niter=10,
        seed=seed,
        min_points_per_centroid=1,
        max_points_per_centroid=32,
    )
    km.train(Y)
    return directions(np.asarray(km.centroids, dtype=np.float64))


def _layout(landmarks: Vectors, seed: int) -> npt.NDArray[np.float64]:
    """``(L, 2)`` t-SNE positions of the landmarks (tiny sets: a line or a point)."""
    count = len(landmarks)
    if count < 4:
        out = np.zeros((count, 2))
        out[:, 0] = np.arange(count, dtype=np.float64)
        return out
    perplexity = float(min(30.0, (count - 1) / 3.0))
    tsne = TSNE(
        n_components=2, perplexity=perplexity, init="pca", metric="cosine", random_state=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        positions: npt.NDArray[np.float64] = tsne.fit_transform(landmarks.astype(np.float64))
    return positions


def _normalise(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    """Centre on the bounding box and scale its longer side to [-1, 1]."""
    low, high = points.min(axis=0), points.max(axis=0)
    half = float((high - low).max()) / 2.0
    scaled = (points - (low + high) / 2.0) / (half if half > 0 else 1.0)
    out: npt.NDArray[np.float32] = np.clip(scaled, -1.0, 1.0).astype(np.float32)
    return out


def place_kernel(projection: MapProjection, Y: Vectors) -> npt.NDArray[np.float32]:
    """Weighted mean of the positions of each row's nearest landmarks (``Y`` projected)."""
    k = min(_NEIGHBOURS, len(projection.landmarks))
    sims, nearest = faiss.knn(
        np.ascontiguousarray(Y), projection.landmarks, k, metric=faiss.METRIC_INNER_PRODUCT
    )
    weights = np.exp((sims - sims[:, :1]) / _TEMPERATURE)
    weights /= weights.sum(axis=1, keepdims=True)
    coords = np.einsum("ij,ijk->ik", weights, projection.landmark_coords[nearest])
    out: npt.NDArray[np.float32] = np.clip(coords, -1.0, 1.0).astype(np.float32)
    return out
