"""The Typer application and the small pieces every command module shares."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from corpuscope.services.projects import Project, open_project

app = typer.Typer(
    help="Explore large image corpora by visual similarity.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@contextmanager
def opened(root: Path) -> Iterator[Project]:
    project = open_project(root)
    try:
        yield project
    finally:
        project.close()


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def parse_ids(text: str) -> list[int]:
    """``"1,2,5-8"`` -> ``[1, 2, 5, 6, 7, 8]``."""
    from corpuscope.errors import InvalidInput

    ids: list[int] = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        try:
            if "-" in part[1:]:
                low, high = part.split("-", 1)
                ids.extend(range(int(low), int(high) + 1))
            else:
                ids.append(int(part))
        except ValueError:
            raise InvalidInput(f"{part!r} is not an id or a range of ids like 5-8.") from None
    return ids
