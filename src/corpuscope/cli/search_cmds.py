"""Searching a project with an image from outside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corpuscope.cli.app import app, opened, print_json
from corpuscope.errors import InvalidInput
from corpuscope.services.images import load_image_paths
from corpuscope.services.similarity import search_image


@app.command()
def similar(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    image: Annotated[
        Path, typer.Option("--image", help="An image file, in the project or not (not stored).")
    ],
    limit: Annotated[int, typer.Option(help="How many images to list.")] = 20,
    min_score: Annotated[
        float | None, typer.Option(help="Only images at least this similar (-1 to 1).")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Vectors of this model (default: the project's model).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """The project's images most similar to an image file, best first."""
    try:
        data = image.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {image}.") from None
    except OSError as error:
        raise InvalidInput(
            f"The file {image} cannot be read ({error.strerror or error})."
        ) from None
    with opened(project) as handle:
        found = search_image(handle, data, limit=limit, min_score=min_score, model=model)
        paths = load_image_paths(handle)
    rows = [
        {
            "image_id": m.image_id,
            "score": m.score,
            "z_score": m.z_score,
            "path": paths.get(m.image_id),
        }
        for m in found
    ]
    if as_json:
        print_json(rows)
        return
    for rank, row in enumerate(rows, start=1):
        typer.echo(f"{rank:>4}  {row['score']:.3f}  [{row['image_id']:>6}]  {row['path']}")
    if not rows:
        typer.echo("No image is that similar.")
