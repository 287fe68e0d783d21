"""Clustering commands: cluster, duplicates, runs, save, discard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from corpuscope.cli.app import app, opened, print_json
from corpuscope.cli.progress import ProgressBar
from corpuscope.errors import InvalidInput
from corpuscope.services import runs as runsvc
from corpuscope.services.levels import run_level_step
from corpuscope.services.projects import Project
from corpuscope.services.run_requests import RunRequest, check_run_request, run_request
from corpuscope.services.runs import RunView
from corpuscope.services.tag_groups import DEFAULT_MIN_SIMILARITY

ProjectArg = Annotated[Path, typer.Argument(help="The project folder.")]
JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="One JSON document, the shape the web API serves (GET /runs)."),
]


def _within(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        run, group = (int(part) for part in text.split(":"))
    except ValueError:
        raise InvalidInput(f"--within takes RUN:GROUP, like 3:17, not {text!r}.") from None
    return run, group


def level_sentence(params: dict[str, Any]) -> str:
    """Where an automatic run stands among its levels, in words."""
    level, count = int(params.get("level", 0)), int(params["levels"])
    if level == 0:
        return f"Level 0: the grain found automatically ({count} levels kept; see finer / coarser)."
    which = "finer" if level < 0 else "coarser"
    return f"Level {level:+d}: {abs(level)} step(s) {which} than the grain found automatically."


def _print_run(project: Project, view: RunView, as_json: bool) -> None:
    if as_json:
        print_json(runsvc.describe_run(project, view, members=True))
        return
    run = view.run
    typer.echo(
        f"Run {run.id}: {run.algorithm}, {len(view.groups)} groups over {run.n_images} images "
        f"({run.seconds or 0:.2f} s)"
    )
    if "levels" in run.params:
        typer.echo(f"  {level_sentence(run.params)}")
    for group in view.groups:
        score = f"score {group.score:5.1f}" if group.score is not None else "         "
        stable = f"  stability {group.stability:.2f}" if group.stability is not None else ""
        typer.echo(f"  [{group.id:>5}] {group.label:<24} {group.size:>6} images  {score}{stable}")


@app.command()
def cluster(
    project: ProjectArg,
    k: Annotated[
        int, typer.Option("--k", help="Number of clusters; -1 chooses it automatically.")
    ] = -1,
    model: Annotated[
        str | None, typer.Option(help="Vectors of this model (default: the project's model).")
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same clusters.")
    ] = 0,
    within: Annotated[
        str | None, typer.Option(help="Cluster one group of an earlier run: RUN:GROUP.")
    ] = None,
    stability: Annotated[
        bool, typer.Option(help="Also measure how reproducible each cluster is.")
    ] = False,
    level: Annotated[
        int,
        typer.Option(
            help="Automatic only: 0 = the grain found automatically; -1, -2... finer; "
            "1, 2... coarser (up to the finest or coarsest level found)."
        ),
    ] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Cluster the project's images (or one group of an earlier run) and record the run."""
    request = RunRequest(
        algorithm="auto" if k == -1 else "kmeans",
        k=k,
        model=model,
        seed=seed,
        within=_within(within),
        stability=stability,
        level=level,
    )
    with opened(project) as handle:
        _print_run(handle, _run(handle, request), as_json)


def _step_level(project: Path, run: int, *, step: int, group: int | None, as_json: bool) -> None:
    with opened(project) as handle:
        _print_run(handle, run_level_step(handle, run, step=step, group_id=group), as_json)


@app.command()
def finer(
    project: ProjectArg,
    run: Annotated[int, typer.Argument(help="An automatic run.")],
    group: Annotated[
        int | None, typer.Option(help="Only this cluster: its parts become a nested run.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show an automatic run (or one of its clusters) one level finer, from its stored levels."""
    _step_level(project, run, step=-1, group=group, as_json=as_json)


@app.command()
def coarser(
    project: ProjectArg,
    run: Annotated[int, typer.Argument(help="An automatic run.")],
    group: Annotated[
        int | None, typer.Option(help="Only this cluster: it merges with its neighbours.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show an automatic run (or one of its clusters) one level coarser, from its stored levels."""
    _step_level(project, run, step=1, group=group, as_json=as_json)


@app.command()
def duplicates(
    project: ProjectArg,
    threshold: Annotated[
        float | None, typer.Option(help="Similarity from 0 to 1 (default: the documented default).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Find near-duplicate groups (exact copies always) and record them as a run."""
    with opened(project) as handle:
        _print_run(handle, _run(handle, RunRequest("duplicates", threshold=threshold)), as_json)


@app.command("group-by-tags")
def group_by_tags(
    project: ProjectArg,
    prop: Annotated[
        str, typer.Argument(metavar="PROPERTY", help="The tag property (name or id) to group by.")
    ],
    min_similarity: Annotated[
        float,
        typer.Option(help="Images less similar than this to every tag (-1 to 1) stay Unassigned."),
    ] = DEFAULT_MIN_SIMILARITY,
    text_weight: Annotated[
        float,
        typer.Option(
            help="How much a tag's name counts against its images, 0 to 1 (models that read text)."
        ),
    ] = 0.5,
    model: Annotated[
        str | None, typer.Option(help="Vectors of this model (default: the project's model).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Put each image in the group of its nearest tag of PROPERTY (known by the images already
    tagged and, with a model that reads text, by its name), or in Unassigned; record a run."""
    request = RunRequest(
        "tags",
        property=int(prop) if prop.isdigit() else prop,
        threshold=min_similarity,
        text_weight=text_weight,
        model=model,
    )
    with opened(project) as handle:
        _print_run(handle, _run(handle, request), as_json)


def _run(project: Project, request: RunRequest) -> RunView:
    """Check and run a request here and now, with a progress bar on a terminal."""
    checked = check_run_request(project, request)
    with ProgressBar(unit="steps") as bar:
        return run_request(project, checked, report=bar.report)


@app.command()
def runs(
    project: ProjectArg,
    as_json: JsonOpt = False,
) -> None:
    """List the clustering runs, nested runs indented under their parent."""
    with opened(project) as handle:
        found = runsvc.list_runs(handle)
        documents = runsvc.describe_runs(handle) if as_json else []
    if as_json:
        print_json(documents)
        return
    depth: dict[int, int] = {}
    for run in found:
        depth[run.id] = depth.get(run.parent_run_id or -1, -1) + 1
        indent = "  " * depth[run.id]
        where = f" in group {run.parent_group_id}" if run.parent_group_id else ""
        saved = f", saved as property {run.saved_property_id}" if run.saved_property_id else ""
        typer.echo(
            f"{indent}run {run.id}: {run.algorithm} {run.params}{where}, {run.n_images} images{saved}"
        )


@app.command()
def save(
    project: ProjectArg,
    run: Annotated[int, typer.Argument(help="The run to save, with the runs nested under it.")],
    flat: Annotated[
        bool, typer.Option("--flat", help="Only the leaf groups, no parent tags.")
    ] = False,
    name: Annotated[
        str | None, typer.Option(help="Property name (default: Clustering, made unique).")
    ] = None,
) -> None:
    """Save a run as a tag property whose tags mirror the nesting (one undo step)."""
    with opened(project) as handle:
        prop = runsvc.save_run(handle, run, flat=flat, name=name)
    typer.echo(f"Saved run {run} as the property {prop.name!r} (id {prop.id}).")


@app.command()
def discard(
    project: ProjectArg,
    run: Annotated[int, typer.Argument(help="The run to forget, with the runs nested under it.")],
) -> None:
    """Discard a run (saved properties are kept)."""
    with opened(project) as handle:
        runsvc.discard_run(handle, run)
    typer.echo(f"Discarded run {run}.")
