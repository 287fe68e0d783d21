"""Model and vector commands: models (list, download, add, remove, use) and vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from corpuscope.cli.app import app, opened, print_json
from corpuscope.cli.progress import ProgressBar
from corpuscope.embed.custom import parse_triple
from corpuscope.embed.ray_pipeline import RayOptions, image_access
from corpuscope.embed.registry import (
    AddOptions,
    ModelInfo,
    add_model,
    download_model,
    list_models,
    remove_model,
)
from corpuscope.errors import InvalidInput
from corpuscope.services.models import choose_model, describe_choice
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
        help="Folder holding models (default: $CORPUSCOPE_MODELS or ~/.local/share/corpuscope/models).",
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
        _print_model(info)


def _print_model(info: ModelInfo) -> None:
    mark = "ready" if info.available else "not usable here"
    default = " (default)" if info.is_default else ""
    text = ", text search" if info.has_text else ""
    dim = f"{info.dim}-d" if info.dim else "length measured on first use"
    typer.echo(f"{info.name}{default}: {info.title} — {dim}{text} — {mark}")
    if info.speed:
        typer.echo(f"    speed: {info.speed}")
    if info.location:
        typer.echo(f"    in: {info.location}")
    elif info.looks_in:
        typer.echo(f"    looks in: {'; then '.join(info.looks_in)}")
    if info.needs and not info.available:
        typer.echo(f"    needs: {', '.join(info.needs)}")
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


@models_app.command("add")
def models_add(
    name: Annotated[str, typer.Argument(help="The model's name (lower case, digits, - . _).")],
    file: Annotated[Path, typer.Argument(help="The ONNX file of an image encoder.")],
    input_size: Annotated[
        int | None, typer.Option(help="Side of the square picture it takes (default: the file's).")
    ] = None,
    mean: Annotated[
        str | None, typer.Option(help="Per-channel mean on 0-1 pixels, e.g. 0.485,0.456,0.406.")
    ] = None,
    std: Annotated[
        str | None, typer.Option(help="Per-channel std on 0-1 pixels, e.g. 0.229,0.224,0.225.")
    ] = None,
    resize: Annotated[
        str | None,
        typer.Option(help="shorter: short side to the size, then centre crop; squash: both sides."),
    ] = None,
    interpolation: Annotated[str, typer.Option(help="bicubic, bilinear, lanczos, ...")] = "bicubic",
    output: Annotated[
        str | None, typer.Option(help="The output with the vectors, when it has several.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="A one-line description.")] = None,
    models_dir: ModelsDir = None,
) -> None:
    """Add an ONNX image encoder from a file (checked first; values default to the file's)."""
    options = AddOptions(
        input_size=input_size,
        mean=parse_triple(mean, "--mean") if mean is not None else None,
        std=parse_triple(std, "--std") if std is not None else None,
        resize=_choice(resize, ("shorter", "squash"), "--resize"),
        interpolation=_choice(
            interpolation,
            ("bicubic", "bilinear", "lanczos", "nearest", "box", "hamming"),
            "--interpolation",
        ),
        output=output,
        title=title,
    )
    added = add_model(name, file, options, models_dir=models_dir)
    for note in added.notes:
        typer.echo(note)
    model = added.model
    typer.echo(
        f"Added {model.name}: {model.dim}-d vectors from {model.input_size} x {model.input_size} "
        f"pictures ({model.resize}), in {model.folder}. "
        f"Compute its vectors with: corpuscope vectors PROJECT --model {model.name}"
    )


def _choice(value: str | None, allowed: tuple[str, ...], option: str) -> Any:
    if value is not None and value not in allowed:
        raise InvalidInput(f"{option} is one of {', '.join(allowed)}, not {value!r}.")
    return value


@models_app.command("remove")
def models_remove(
    name: Annotated[str, typer.Argument(help="A model added from a file.")],
    models_dir: ModelsDir = None,
) -> None:
    """Remove a model added from a file (projects keep the vectors it made)."""
    folder = remove_model(name, models_dir=models_dir)
    typer.echo(f"Removed {name} ({folder}).")


@models_app.command("use")
def models_use(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    name: Annotated[
        str | None, typer.Argument(help="The model to work with (none: show the current one).")
    ] = None,
    models_dir: ModelsDir = None,
) -> None:
    """Choose the model a project works with (clustering, map, similar images, search)."""
    with opened(project) as handle:
        choice = (
            choose_model(handle, name, models_dir=models_dir)
            if name is not None
            else describe_choice(handle)
        )
    how = "" if choice.chosen else " (by default: no model was chosen)"
    typer.echo(
        f"{project} works with {choice.model}{how}; {choice.vectors} images have its vectors."
    )


@app.command()
def vectors(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    model: Annotated[
        str | None, typer.Option(help="Model name (default: the project's model).")
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Write the vectors to FILE.npz or FILE.parquet (vectors, image_ids, paths, "
            "model) instead."
        ),
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
