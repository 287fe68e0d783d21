"""A request for a new run (k-means, automatic, near-duplicates, by tags): checked, then run.

The web app queues a request as a task (a run takes seconds to minutes on a large project);
the CLI runs the same request directly. :func:`check_run_request` does only the cheap checks
(parameters, the run and group named by ``within``, the tag property, the model's vectors), so
a bad request is refused at once instead of failing later as a task; :func:`run_request` picks
the service that does the work.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, get_args

from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD
from corpuscope.analysis.inputs import check_fraction
from corpuscope.errors import InvalidInput
from corpuscope.services.clustering import (
    check_cluster_count,
    check_scope,
    load_parent_group,
    run_clustering,
)
from corpuscope.services.duplicates import check_threshold, run_duplicates
from corpuscope.services.progress import Report
from corpuscope.services.runs import RunView
from corpuscope.services.tag_groups import DEFAULT_MIN_SIMILARITY, load_tag_property, run_by_tags
from corpuscope.services.vectors import check_vectors_exist
from corpuscope.store.db import Project

Algorithm = Literal["kmeans", "auto", "duplicates", "tags"]
ALGORITHMS: tuple[str, ...] = get_args(Algorithm)


@dataclass(frozen=True)
class RunRequest:
    """``kmeans`` (``k`` groups, -1: chosen), ``auto``, ``duplicates`` (``threshold``: least
    similarity), ``tags`` (each image to the nearest tag of ``property``, unassigned below
    ``threshold``). The images: all, ``image_ids``, or one group of an earlier run (``within``:
    ``(run id, group id)``, k-means and automatic only). ``level`` (automatic only): levels finer
    (< 0) or coarser (> 0) than the automatic answer."""

    algorithm: Algorithm = "kmeans"
    k: int = -1
    threshold: float | None = None
    property: int | str | None = None
    text_weight: float = 0.5
    model: str | None = None
    seed: int = 0
    stability: bool = False
    image_ids: tuple[int, ...] | None = None
    within: tuple[int, int] | None = None
    level: int = 0

    def to_params(self) -> dict[str, Any]:
        """As JSON-ready task parameters (see :func:`request_from_params`)."""
        params = asdict(self)
        for key in ("image_ids", "within"):
            if params[key] is not None:
                params[key] = list(params[key])
        return params


def task_kind_of(request: RunRequest) -> str:
    """The task kind that runs a request: ``duplicates``, or ``cluster`` for the others."""
    return "duplicates" if request.algorithm == "duplicates" else "cluster"


def request_from_params(params: dict[str, Any]) -> RunRequest:
    """The request that :meth:`RunRequest.to_params` wrote (unknown keys are refused)."""
    values = dict(params)
    for key in ("image_ids", "within"):
        if isinstance(values.get(key), list):
            values[key] = tuple(values[key])
    try:
        return RunRequest(**values)
    except TypeError:
        known = ", ".join(RunRequest.__dataclass_fields__)
        raise InvalidInput(f"A run request takes only these parameters: {known}.") from None


def check_run_request(project: Project, request: RunRequest) -> RunRequest:
    """The request checked and completed (defaults filled in, the property by id); raises a
    ``CorpuscopeError`` with a sentence for what cannot be run."""
    algorithm = request.algorithm
    if algorithm not in ALGORITHMS:
        raise InvalidInput(f"Unknown algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}.")
    if request.within is not None and algorithm not in ("kmeans", "auto"):
        raise InvalidInput(f"A {algorithm} run covers all images or a list of images.")
    check_scope(request.within, request.image_ids)
    if algorithm == "duplicates":
        threshold = DEFAULT_THRESHOLD if request.threshold is None else request.threshold
        check_threshold(threshold)
        return replace(request, threshold=threshold)
    if algorithm == "tags":
        if request.property is None:
            raise InvalidInput("A run by tags needs the tag property whose tags to use.")
        prop, _ = load_tag_property(project.read(), request.property)
        threshold = DEFAULT_MIN_SIMILARITY if request.threshold is None else request.threshold
        check_fraction(threshold, name="The least similarity to a tag")
        check_fraction(request.text_weight, name="The weight of tag names", low=0.0)
        request = replace(request, property=prop.id, threshold=threshold)
    else:
        request = replace(request, k=-1 if algorithm == "auto" else request.k)
        check_cluster_count(request.k)
    if request.level and request.k != -1:
        raise InvalidInput("Only automatic clustering (k = -1) has finer and coarser levels.")
    if request.within is not None:
        load_parent_group(project.read(), *request.within)
    else:
        check_vectors_exist(project, request.model, image_ids=request.image_ids)
    return request


def run_request(
    project: Project,
    request: RunRequest,
    *,
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> RunView:
    """Run a checked request with the service of its algorithm, and record the run."""
    if request.algorithm == "duplicates":
        return run_duplicates(
            project,
            threshold=request.threshold,
            image_ids=request.image_ids,
            model=request.model,
            report=report,
            cancel=cancel,
        )
    if request.algorithm == "tags":
        assert request.property is not None and request.threshold is not None
        return run_by_tags(
            project,
            request.property,
            min_similarity=request.threshold,
            text_weight=request.text_weight,
            image_ids=request.image_ids,
            model=request.model,
            report=report,
            cancel=cancel,
        )
    return run_clustering(
        project,
        k=request.k,
        model=request.model,
        seed=request.seed,
        within=request.within,
        image_ids=request.image_ids,
        stability=request.stability,
        level=request.level,
        report=report,
        cancel=cancel,
    )
