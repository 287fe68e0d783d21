"""Export commands: a run or the map as a table, images into a folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corpuscope.cli.app import app, opened, parse_ids
from corpuscope.cli.progress import ProgressBar
from corpuscope.errors import InvalidInput
from corpuscope.services.grouping import DatePart, LevelRef
from corpuscope.services.projects import Project

if TYPE_CHECKING:
    from corpuscope.services.table_exports import Table

ProjectArg = Annotated[Path, typer.Argument(help="The project folder.")]
OutputOpt = Annotated[
    Path, typer.Option("--output", "-o", help="The file to write: .csv or .parquet.")
]
FormatOpt = Annotated[
    str | None, typer.Option("--format", help="csv or parquet (default: from the file name).")
]


def _write_table(
    project: Path, output: Path, fmt: str | None, build: Callable[[Project], Table]
) -> None:
    from corpuscope.services.table_exports import table_format, write_table

    chosen = table_format(output, fmt)
    if output.exists():
        raise InvalidInput(f"{output} already exists; choose another file name.")
    with opened(project) as handle:
        table = build(handle)
    write_table(table, output, chosen)
    typer.echo(f"Wrote {len(table[0].values)} rows to {output}")


@app.command("export-run")
def export_run(
    project: ProjectArg,
    run: Annotated[int, typer.Argument(help="The run (with the runs nested under it).")],
    output: OutputOpt,
    fmt: FormatOpt = None,
) -> None:
    """Write a clustering run as a table: each image's deepest group, the path of groups from
    the top (like Cluster 2>Cluster 2.1), the group's score and the image's typicality."""
    from corpuscope.services.table_exports import run_table

    _write_table(project, output, fmt, lambda handle: run_table(handle, run))


@app.command("export-map")
def export_map(
    project: ProjectArg,
    output: OutputOpt,
    model: Annotated[
        str | None, typer.Option(help="The map of this model's vectors (default: the bundled).")
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Write each image's x, y on the 2-D map as a table (the map is laid out if needed)."""
    from corpuscope.services.table_exports import map_table

    _write_table(project, output, fmt, lambda handle: map_table(handle, model=model))


def parse_level(text: str) -> LevelRef:
    """``folder``, a property name or id, or ``NAME:year`` / ``NAME:month`` for a date."""
    name, _, part = text.rpartition(":")
    ref: int | str
    if name and part in ("year", "month"):
        ref = int(name) if name.isdigit() else name
        return DatePart(ref, "year" if part == "year" else "month")
    return int(text) if text.isdigit() else text


@app.command("export-images")
def export_images(
    project: ProjectArg,
    folder: Annotated[Path, typer.Argument(help="Where to put them (made if needed).")],
    run: Annotated[
        int | None, typer.Option(help="A whole run: a sub-folder per group, nested as nested.")
    ] = None,
    cluster: Annotated[
        int | None, typer.Option(help="One cluster (a group id of a run), nested runs inside.")
    ] = None,
    ids: Annotated[
        str | None, typer.Option(help="These images, straight into the folder: 1,2,5-8.")
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            help="Every image, a sub-folder per value of these properties (repeatable, outermost "
            "first; 'folder', or NAME:year / NAME:month for a date)."
        ),
    ] = None,
    link: Annotated[
        bool, typer.Option("--link", help="Symbolic links to the files instead of copies.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Copy (or link) images into a folder, with images.csv listing them and their values.

    Names are kept (a name already taken gets a number); nothing existing is overwritten."""
    from corpuscope.services.export_plan import FolderExport
    from corpuscope.services.folder_export import run_folder_export

    spec = FolderExport(
        folder.expanduser().resolve(),
        link=link,
        image_ids=None if ids is None else tuple(parse_ids(ids)),
        run_id=run,
        group_id=cluster,
        levels=tuple(parse_level(level) for level in by or ()),
    )
    with opened(project) as handle, ProgressBar(quiet=quiet) as bar:
        summary = run_folder_export(
            handle, spec, report=lambda done, total, _: bar.update(folder.name, done, total)
        )
    verb = "Linked" if link else "Copied"
    typer.echo(
        f"{verb} {summary.exported} images into {summary.folders} folders under "
        f"{summary.destination}, listed in {summary.csv}; {summary.missing} missing, "
        f"{summary.failed} failed."
    )
    for problem in summary.problems:
        typer.echo(f"  {problem}")
