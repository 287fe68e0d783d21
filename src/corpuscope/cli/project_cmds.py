"""Project commands: init, import, status, export, import-csv."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from corpuscope.cli.app import app, opened, print_json
from corpuscope.cli.progress import ProgressBar
from corpuscope.filenames import format_name
from corpuscope.ingest.decode import DEFAULT_MAX_PIXELS
from corpuscope.ingest.reader import DEFAULT_MAX_BYTES
from corpuscope.services.csv_io import export_csv, import_csv
from corpuscope.services.importing import ImportOptions, ImportProgress, run_import
from corpuscope.services.projects import create_project, open_or_create, project_status

ProjectArg = Annotated[Path, typer.Argument(help="The project folder (holds project.db).")]


@app.command()
def init(project: ProjectArg) -> None:
    """Create an empty project in PROJECT (a folder, made if needed)."""
    create_project(project).close()
    typer.echo(f"Project ready in {format_name(project)}")


@app.command("import")
def import_(
    project: ProjectArg,
    folders: Annotated[list[Path], typer.Argument(help="Folders of images to import.")],
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: one per core).")
    ] = None,
    max_pixels: Annotated[
        int,
        typer.Option(help="Refuse images with more pixels than this (decompression-bomb guard)."),
    ] = DEFAULT_MAX_PIXELS,
    max_bytes: Annotated[
        int,
        typer.Option(help="Do not read files larger than this many bytes (default: 2 GiB)."),
    ] = DEFAULT_MAX_BYTES,
    batch_size: Annotated[
        int, typer.Option(help="Files committed per database transaction.")
    ] = 256,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Import folders into PROJECT (created if needed); re-importing only reads what changed.

    Broken files are recorded with a reason (see `corpuscope status`) and never stop the import.
    """
    handle = open_or_create(project)
    try:
        with ProgressBar(quiet=quiet) as bar:

            def on_progress(report: ImportProgress) -> None:
                bar.update(Path(report.folder).name, report.done, report.total, report.errors)

            options = ImportOptions(
                workers, max_pixels, batch_size, on_progress, max_bytes=max_bytes
            )
            summary = run_import(handle, folders, options)
    finally:
        handle.close()
    rate = (summary.added + summary.updated + summary.moved) / max(summary.seconds, 1e-9)
    typer.echo(
        f"Imported {summary.seen} files from {summary.folders} folder(s) in {summary.seconds:.1f} s: "
        f"{summary.added} new, {summary.updated} updated, {summary.moved} moved, "
        f"{summary.skipped} unchanged, {summary.errors} errors, {summary.missing} missing "
        f"({rate:.0f} files/s)."
    )
    for line in summary.unrecorded:
        typer.echo(f"  not recorded: {line}")
    if summary.errors:
        typer.echo(f"See the errors with: corpuscope status {format_name(project)}")


@app.command()
def status(
    project: ProjectArg,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
    limit: Annotated[int, typer.Option(help="Errors and missing files listed at most.")] = 50,
) -> None:
    """Counts of files, images, errors (with their reasons) and missing files."""
    with opened(project) as handle:
        report = project_status(handle, limit=None if as_json else limit)
    if as_json:
        print_json(report.to_dict())
        return
    typer.echo(f"Project {report.project}")
    typer.echo(f"  folders: {len(report.folders)}")
    for folder in report.folders:
        typer.echo(f"    {folder}")
    typer.echo(
        f"  files: {report.files} ({report.ok} ok, {report.errors} errors, {report.missing} missing)"
    )
    typer.echo(f"  images: {report.images} distinct")
    typer.echo(f"  properties: {report.properties}")
    if report.error_files:
        typer.echo(f"  errors ({report.errors}):")
        for problem in report.error_files:
            typer.echo(f"    {problem.folder}/{problem.path}: {problem.reason}")
    if report.missing_files:
        typer.echo(f"  missing ({report.missing}):")
        for problem in report.missing_files:
            typer.echo(f"    {problem.folder}/{problem.path}")


@app.command()
def export(
    project: ProjectArg,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="CSV or Parquet file (default: CSV on stdout)."),
    ] = None,
    properties: Annotated[
        list[str] | None,
        typer.Option("--property", "-p", help="Only these properties (repeatable)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv or parquet (default: from the file name)."),
    ] = None,
) -> None:
    """Export property values as CSV or Parquet: one row per file, tags as paths like
    Animals>Cats (in Parquet, a list of such paths)."""
    from corpuscope.services.table_exports import table_format, values_table, write_table

    with opened(project) as handle:
        if output is None:
            export_csv(handle, sys.stdout, properties=properties)
            return
        chosen = table_format(output, fmt)
        if chosen == "parquet":
            table = values_table(handle, properties=properties)
            write_table(table, output, "parquet")
            rows = len(table[0].values)
        else:
            with output.open("w", newline="", encoding="utf-8") as out:
                rows = export_csv(handle, out, properties=properties)
    typer.echo(f"Wrote {rows} rows to {format_name(output)}")


@app.command("import-csv")
def import_csv_(
    project: ProjectArg,
    source: Annotated[
        Path, typer.Argument(help="A CSV file in the shape `corpuscope export` writes.")
    ],
) -> None:
    """Set property values from a CSV file (empty cells leave values alone); one undo step."""
    from corpuscope.errors import InvalidInput

    if not source.is_file():
        raise InvalidInput(f"There is no file {source}.")
    with opened(project) as handle, source.open(newline="", encoding="utf-8-sig") as file:
        summary = import_csv(handle, file)
    typer.echo(
        f"Read {summary.rows} rows: {summary.values} values set, {summary.unmatched} rows matched "
        f"no file, {summary.properties_created} properties and {summary.tags_created} tags created."
    )


@app.command()
def demo(
    folder: Annotated[
        Path, typer.Argument(help="Where to write the demo images and project.")
    ] = Path("demo"),
    digits: Annotated[
        int, typer.Option(help="How many MNIST digits to include (at most 5,000).")
    ] = 5000,
    serve: Annotated[
        bool, typer.Option(help="Start the web app on the demo project afterwards.")
    ] = True,
    port: Annotated[int, typer.Option(help="Port for the web app.")] = 8765,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Build the demo project (scikit-image photographs and MNIST digits), compute its vectors
    with the bundled model and open it in the web app."""
    from corpuscope.cli.serve_cmds import serve as serve_command
    from corpuscope.cli.vector_cmds import vectors as vectors_command
    from corpuscope.demo import write_demo_corpus

    images = folder / "images"
    count = write_demo_corpus(images, digits=digits)
    typer.echo(f"Demo corpus: {count} images in {images}")
    import_(folder / "project", [images], quiet=quiet)
    vectors_command(folder / "project", quiet=quiet)
    status(folder / "project", as_json=False, limit=10)
    if serve:
        serve_command(folder / "project", port=port)
