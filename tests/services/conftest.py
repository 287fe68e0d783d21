"""Projects holding synthetic images with planted vectors (no image files needed), and the
distinct low-detail pictures the near-duplicate tests write as files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpuscope.store import vectors as vecstore


def planted_vectors(n_per: int, centres: int, d: int = 32, seed: int = 0) -> np.ndarray:
    """``centres`` tight families of ``n_per`` unit vectors each, family after family."""
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(centres, d))
    X = np.concatenate([m + 0.15 * rng.normal(size=(n_per, d)) for m in means]).astype(np.float32)
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.fixture
def vectors(project):
    """120 images (ids 1..120) in four families of 30, with efficientnet-lite0 vectors."""
    X = planted_vectors(30, 4)
    return save_planted(project, X), X


def save_planted(project, X: np.ndarray) -> np.ndarray:
    """Images ``1..len(X)`` with ``X`` as their efficientnet-lite0 vectors; their ids."""
    ids = np.arange(1, len(X) + 1, dtype=np.int64)
    with project.write() as conn:
        conn.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'PNG')",
            [(int(i), f"s{i}") for i in ids],
        )
        vs = vecstore.save_vector_set(
            conn,
            model="efficientnet-lite0",
            version="t",
            dim=X.shape[1],
            preprocessing="",
            runtime="",
        )
        vecstore.save_vectors(conn, vs, ids, X)
    return ids


def write_low_detail(folder: Path, counts: dict[str, int]) -> None:
    """Distinct low-detail pictures (``corpuscope.calibration``) as PNG files ``kind-NNN.png``."""
    from corpuscope.calibration import load_low_detail

    for kind, count in counts.items():
        for i, picture in enumerate(load_low_detail(kind, count)):
            picture.save(folder / f"{kind}-{i:03}.png")
