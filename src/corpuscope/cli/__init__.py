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
from corpuscope.errors import CorpuscopeError


def main() -> None:
    """Entry point: a user-caused error prints one sentence and exits with status 1."""
    for stream in (sys.stdout, sys.stderr):  # a name that is not UTF-8 never stops a command
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        app()
    except CorpuscopeError as error:
        print(f"Error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("Interrupted; everything committed so far is kept.", file=sys.stderr)
        sys.exit(130)
