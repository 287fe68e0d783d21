"""Near-duplicate runs: groups of copies of the same picture, recorded like any run.

The signal is the layout fingerprint each image got at import (see docs/scores.md for what
the threshold means); when the project has vectors, a pair must also look alike to the model
(a veto against different pictures that merely share a layout). Files with identical bytes
are one image: an image with several files is reported as a group of its own when it has no
near-duplicate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD, compute_duplicates
from corpuscope.analysis.fingerprint import FINGERPRINT_DTYPE
from corpuscope.analysis.scores import compute_group_score
from corpuscope.errors import InvalidInput, NotFound
from corpuscope.ingest.reader import thumbnail_fingerprint
from corpuscope.services.clustering import RunInput, record_run
from corpuscope.services.progress import Report, report_stage
from corpuscope.services.runs import RunView
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store.db import Project
from corpuscope.store.files import (
    images_missing_fingerprint,
    load_fingerprints,
    load_image_files,
    save_fingerprints,
)
from corpuscope.store.runs import NewGroup
from corpuscope.store.vectors import VectorSet

#: The lowest threshold a near-duplicate run accepts: below it, different photographs start to
#: pair up (they score up to 0.75, docs/scores.md) and the number of pairs grows with the square
#: of the corpus. A bound on what one request can start.
MIN_THRESHOLD = 0.8


def run_duplicates(
    project: Project,
    *,
    threshold: float | None = None,
    image_ids: Sequence[int] | None = None,
    model: str | None = None,
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> RunView:
    """Find near-duplicate groups among all images (or ``image_ids``) and record them as a run.

    ``report`` hears of each stage; ``cancel`` set between stages raises ``Cancelled``.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    check_threshold(threshold)
    ids, prints = _fingerprints(project, image_ids, report=report, cancel=cancel)
    vectors, vector_set = _vectors(project, model, ids)
    report_stage(report, cancel, 1, 3, f"comparing {len(ids):,} images")
    started = time.perf_counter()
    found = compute_duplicates(prints, threshold=threshold, vectors=vectors)
    seconds = time.perf_counter() - started
    report_stage(report, cancel, 2, 3, "saving the groups")
    signal = vectors if vectors is not None else _unit(prints)
    groups = [_group(ids, prints, signal, members) for members in found.groups]
    grouped = {int(i) for members in found.groups for i in ids[members]}
    files = load_image_files(project.read())
    for image_id in ids.tolist():
        if image_id not in grouped and len(files.get(image_id, [])) > 1:
            count = len(files[image_id])
            groups.append(
                NewGroup(
                    "cluster", 0.0, [image_id], [1.0], f"Identical files ({count})", similarity=1.0
                )
            )
    groups.sort(key=lambda group: -(group.similarity or 0.0))
    data = RunInput(ids, signal, vector_set, {"kind": "all" if image_ids is None else "images"})
    params = {
        "threshold": threshold,
        "signal": "fingerprint" + ("+vectors" if vectors is not None else ""),
    }
    return record_run(project, "duplicates", params, None, data, groups, seconds)


def check_threshold(threshold: float) -> None:
    """Refuse a threshold outside [MIN_THRESHOLD, 1]."""
    if not MIN_THRESHOLD <= threshold <= 1.0:
        raise InvalidInput(
            f"The near-duplicate similarity threshold must be between {MIN_THRESHOLD} and 1."
        )


def refresh_fingerprints(
    project: Project,
    *,
    batch: int = 500,
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Fingerprint the imported images that have none, from their 512-px thumbnails.

    That is every image of a project made before the fingerprint last changed (a migration
    drops the old ones). Returns how many were computed; an image whose thumbnail is gone stays
    without one (and out of near-duplicate runs) until its folder is imported again. Each batch
    is committed: a cancelled refresh keeps what it computed.
    """
    missing = images_missing_fingerprint(project.read())
    done = 0
    for start in range(0, len(missing), batch):
        report_stage(report, cancel, start, len(missing), "fingerprinting images")
        prints = [
            (image_id, blob)
            for image_id, sha1 in missing[start : start + batch]
            if (blob := thumbnail_fingerprint(project.thumbs_dir, sha1)) is not None
        ]
        with project.write() as conn:
            save_fingerprints(conn, prints)
        done += len(prints)
    return done


def _fingerprints(
    project: Project,
    image_ids: Sequence[int] | None,
    *,
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float16]]:
    refresh_fingerprints(project, report=report, cancel=cancel)
    report_stage(report, cancel, 0, 3, "loading fingerprints")
    all_ids, blobs = load_fingerprints(project.read())
    ids = np.asarray(all_ids, dtype=np.int64)
    prints = np.frombuffer(b"".join(blobs), dtype=FINGERPRINT_DTYPE).reshape(len(ids), -1)
    if image_ids is not None:
        keep = np.isin(ids, np.asarray(image_ids, dtype=np.int64))
        ids, prints = ids[keep], prints[keep]
    if len(ids) < 2:
        raise InvalidInput("Near-duplicates need at least two imported images.")
    return ids, prints


def _vectors(
    project: Project, model: str | None, ids: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float32] | None, VectorSet | None]:
    """The model's vectors of exactly these images, or None when some are missing."""
    try:
        found, X, vector_set = load_project_vectors(project, model, image_ids=ids.tolist())
    except NotFound:
        return None, None
    return (X, vector_set) if np.array_equal(found, ids) else (None, None)


def _unit(rows: npt.NDArray[np.float16]) -> npt.NDArray[np.float32]:
    unit = rows.astype(np.float32)
    unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    return unit


def _group(
    ids: npt.NDArray[np.int64],
    prints: npt.NDArray[np.float16],
    signal: npt.NDArray[np.float32],
    members: npt.NDArray[np.int64],
) -> NewGroup:
    unit = _unit(prints[members])
    pairwise = unit @ unit.T
    similarity = float(pairwise[np.triu_indices(len(members), 1)].min())
    centre = signal[members].sum(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    typicality = signal[members] @ centre
    order = np.argsort(-typicality, kind="stable")
    return NewGroup(
        "cluster",
        compute_group_score(signal[members]),
        ids[members][order].tolist(),
        typicality[order].tolist(),
        similarity=round(similarity, 4),
    )
