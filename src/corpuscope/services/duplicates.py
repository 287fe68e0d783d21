"""Near-duplicate runs: groups of copies of the same picture, recorded like any run.

The signals are what each image got at import, its layout fingerprint and its finer 32 x 32
picture, and the model's vectors when the project has them for every image searched: they find
the rotated, overlaid and cropped copies whose layout moved (docs/scores.md says what the
duplicate score means and what each signal brings). Without vectors the layout alone proposes
the candidates. Files with identical bytes
are one image: an image with several files is reported as a group of its own when it has no
near-duplicate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.detail import DETAIL_LENGTH
from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD, compute_duplicates
from corpuscope.analysis.fingerprint import FINGERPRINT_DTYPE, FINGERPRINT_LENGTH
from corpuscope.analysis.scores import compute_group_score
from corpuscope.errors import Cancelled, InvalidInput, NotFound
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


def run_duplicates(
    project: Project,
    *,
    threshold: float | None = None,
    image_ids: Sequence[int] | None = None,
    model: str | None = None,
    report: Callable[[int, int, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> RunView:
    """Find near-duplicate groups among all images (or ``image_ids``) and record them as a run.

    ``threshold``: the least duplicate score (``DEFAULT_THRESHOLD`` when None). ``report``
    hears of the stages; ``cancel``, when set between them, stops the work (``Cancelled``).
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    check_threshold(threshold)
    step = _Stages(report, cancel)
    step(0, "Reading fingerprints")
    ids, prints, details = _fingerprints(project, image_ids, report=report, cancel=cancel)
    vectors, vector_set = find_vectors(project, model, ids)
    started = time.perf_counter()
    found = compute_duplicates(
        prints,
        threshold=threshold,
        details=details,
        vectors=vectors,
        report=lambda done, _total, message: step(1 + done, message),  # stages 1-3 of 5
    )
    seconds = time.perf_counter() - started
    signal = vectors if vectors is not None else _unit(prints)
    del prints, details  # 4.9 GB at a million images, not needed to record the groups
    step(4, "Recording the groups")
    groups = [
        _group(ids, signal, members, score)
        for members, score in zip(found.groups, found.scores, strict=True)
    ]
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
    used = "layout+detail+vectors" if vectors is not None else "layout+detail"
    params = {"threshold": threshold, "signal": used}
    view = record_run(project, "duplicates", params, None, data, groups, seconds)
    step(5, "Done")
    return view


class _Stages:
    """Reports stage ``done`` of 5 (reading, the comparison's three stages, recording) and
    stops when the user cancelled, also between the comparison's stages (minutes each at a
    million images)."""

    def __init__(
        self, report: Callable[[int, int, str], None] | None, cancel: threading.Event | None
    ) -> None:
        self._report, self._cancel = report, cancel

    def __call__(self, done: int, message: str) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled("The near-duplicate search was cancelled; nothing was recorded.")
        if self._report is not None:
            self._report(done, 5, message)


def check_threshold(threshold: float) -> None:
    """Refuse a duplicate score threshold outside (0, 1]. (What one run can start is bounded by
    the algorithm: each image is compared with its ``NEIGHBOURS`` nearest only.)"""
    if not 0.0 < threshold <= 1.0:
        raise InvalidInput("The duplicate score threshold must be between 0 and 1.")


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
    is committed: a cancelled refresh (``Cancelled``) keeps what it computed.
    """
    missing = images_missing_fingerprint(project.read())
    done = 0
    for start in range(0, len(missing), batch):
        report_stage(report, cancel, start, len(missing), "Fingerprinting images")
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
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float16], npt.NDArray[np.float16]]:
    """Ids, layout fingerprints ``(n, FINGERPRINT_LENGTH)`` and finer pictures of the images
    (those missing are computed first, reported to ``report``)."""
    refresh_fingerprints(project, report=report, cancel=cancel)
    ids, rows = load_fingerprints(
        project.read(), width=FINGERPRINT_LENGTH + DETAIL_LENGTH, dtype=FINGERPRINT_DTYPE
    )  # others (another length) are refreshed later
    if image_ids is not None:
        keep = np.isin(ids, np.asarray(image_ids, dtype=np.int64))
        ids, rows = ids[keep], rows[keep]
    if len(ids) < 2:
        raise InvalidInput(_too_few(project, image_ids))
    return ids, rows[:, :FINGERPRINT_LENGTH], rows[:, FINGERPRINT_LENGTH:]


def _too_few(project: Project, image_ids: Sequence[int] | None) -> str:
    """Why fewer than two images can be compared: too few imported, or their thumbnails gone."""
    missing = [i for i, _ in images_missing_fingerprint(project.read())]
    if image_ids is not None:
        missing = sorted(set(missing) & {int(i) for i in image_ids})
    if not missing:
        return "Near-duplicates need at least two imported images."
    count = f"{len(missing)} images have" if len(missing) > 1 else "1 image has"
    return (
        f"Near-duplicates need at least two images with a fingerprint; {count} none "
        "because their thumbnails are gone: import their folders again to make them."
    )


def find_vectors(
    project: Project, model: str | None, ids: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float32] | None, VectorSet | None]:
    """The model's vectors of exactly these images, or None when some are missing. All the
    project's images: the set's memory map itself (no copy of 5 GB at a million images)."""
    try:
        found, X, vector_set = load_project_vectors(project, model)
        if not np.array_equal(found, ids):
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
    signal: npt.NDArray[np.float32],
    members: npt.NDArray[np.int64],
    score: float,
) -> NewGroup:
    centre = signal[members].sum(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    typicality = signal[members] @ centre
    order = np.argsort(-typicality, kind="stable")
    return NewGroup(
        "cluster",
        compute_group_score(signal[members]),
        ids[members][order].tolist(),
        typicality[order].tolist(),
        similarity=round(score, 4),
    )
