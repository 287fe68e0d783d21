"""The ``corpuscope`` command: a thin layer over the services; every command has ``--help``."""

from __future__ import annotations

import io
import sys

from corpuscope.cli import (  # noqa: F401  (each module adds its commands)
    annotation_cmds,
    cluster_cmds,
    export_cmds,
    project_cmds,
    search_cmds,
    serve_cmds,
    vector_cmds,
)
from corpuscope.cli.app import app
from corpuscope.errors import CorpuscopeError, Kind

#: The exit status of each kind of user error (2 for a value refused, as for an unknown option).
EXIT_CODE_OF_KIND: dict[Kind, int] = {
    "invalid": 2,
    "not_found": 3,
    "conflict": 4,
    "unavailable": 5,
    "too_large": 2,
    "cancelled": 130,
}


def main() -> None:
    """Entry point: a user-caused error prints one sentence and exits with the status of its
    kind (:data:`EXIT_CODE_OF_KIND`)."""
    for stream in (sys.stdout, sys.stderr):  # a name that is not UTF-8 never stops a command
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        app()
    except CorpuscopeError as error:
        print(f"Error: {error}", file=sys.stderr)
        sys.exit(EXIT_CODE_OF_KIND[error.kind])
    except KeyboardInterrupt:
        print("Interrupted; everything committed so far is kept.", file=sys.stderr)
        sys.exit(130)
