"""Model and vector commands: models, models download, vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corpuscope.cli.app import app, opened, print_json
from corpuscope.cli.progress import ProgressBar
from corpuscope.embed.ray_pipeline import RayOptions, image_access
from corpuscope.embed.registry import download_model, list_models
from corpuscope.services.vectors import VectorOptions, VectorProgress, export_vectors, run_vectors

models_app = typer.Typer(
    help="List the image models (which are usable here, and how to enable the others).",
    invoke_without_command=True,
)
app.add_typer(models_app, name="models")

ModelsDir = Annotated[
    Path | None,
    typer.Option(
        "--models-dir",
        help="Folder holding model weights (default: $CORPUSCOPE_MODELS or ~/.cache/corpuscope/models).",
    ),
]


@models_app.callback()
def models(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
    models_dir: ModelsDir = None,
) -> None:
    """List the image models, which are usable here, and how to enable the others."""
    if ctx.invoked_subcommand is not None:
        return
    found = list_models(models_dir=models_dir)
    if as_json:
        print_json([vars(info) for info in found])
        return
    for info in found:
        mark = "ready" if info.available else "not installed"
        default = " (default)" if info.is_default else ""
        text = ", text search" if info.has_text else ""
        typer.echo(f"{info.name}{default}: {info.title} — {info.dim}-d{text} — {mark}")
        if not info.available:
            typer.echo(f"    {info.reason}")
            typer.echo(f"    {info.how_to_enable}")


@models_app.command("download")
def models_download(
    name: Annotated[str, typer.Argument(help="Model name, as `corpuscope models` lists it.")],
    models_dir: ModelsDir = None,
) -> None:
    """Fetch a model's weights into the models folder (needs a network connection)."""
    folder = download_model(name, models_dir=models_dir)
    typer.echo(f"{name} is ready in {folder}")


@app.command()
def vectors(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    model: Annotated[
        str | None, typer.Option(help="Model name (default: efficientnet-lite0).")
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(help="Write the vectors to FILE.npz (vectors, image_ids, paths) instead."),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(help="Images per inference batch.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes (default: tuned to the cores); with Ray, model copies "
            "(default: one per CPU or GPU of the cluster)."
        ),
    ] = None,
    models_dir: ModelsDir = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray",
            help="Compute on Ray: a Ray instance started on this machine, or the cluster at "
            "--ray-address (pip install 'corpuscope[ray]'; see docs/scale.md).",
        ),
    ] = False,
    ray_address: Annotated[
        str | None,
        typer.Option(
            help="The Ray cluster: HOST:PORT (the head, usually port 6379), ray://HOST:10001 "
            "(Ray Client) or auto (the cluster this machine belongs to); implies --ray."
        ),
    ] = None,
    ray_images: Annotated[
        str,
        typer.Option(
            help="How Ray workers get the images: shared (they open the files, at the same "
            "paths) or driver (this machine reads them and sends the bytes)."
        ),
    ] = "shared",
) -> None:
    """Compute the vectors still missing for a model (resumable), or export them."""
    with opened(project) as handle:
        if export is not None:
            count = export_vectors(handle, export, model=model)
            typer.echo(f"Wrote {count} vectors to {export}")
            return
        with ProgressBar(quiet=quiet) as bar:

            def on_progress(report: VectorProgress) -> None:
                bar.update(report.model, report.done, report.total, report.failed)

            on_ray = ray or ray_address is not None
            cluster = RayOptions(ray_address, image_access(ray_images), workers) if on_ray else None
            local_workers = None if on_ray else workers
            options = VectorOptions(
                model, models_dir, batch_size, local_workers, on_progress, ray=cluster
            )
            summary = run_vectors(handle, options)
    rate = (summary.computed + summary.failed) / max(summary.seconds, 1e-9)
    typer.echo(
        f"{summary.model}: {summary.computed} vectors computed, {summary.failed} images failed, "
        f"{summary.already} already there ({summary.seconds:.1f} s, {rate:.1f} images/s)."
    )
