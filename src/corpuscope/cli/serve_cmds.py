"""The ``serve`` command: the web interface and its API, on this machine by default."""

from __future__ import annotations

import os
import socket
import threading
import webbrowser
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import typer

from corpuscope.cli.app import app
from corpuscope.errors import InvalidInput
from corpuscope.web.settings import DEFAULT_PORT, LOCAL_HOSTS, Settings, new_token


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise InvalidInput(
                f"Cannot listen on {host}:{port} ({error.strerror or error}); "
                "choose another port with --port."
            ) from None


NO_TOKEN_WARNING = (
    "Warning: serving without an access token. Any program or person with an account on this "
    "machine can read and change your projects through this address."
)


@app.command()
def serve(
    project: Annotated[
        Path | None, typer.Argument(help="A project folder to open (created if needed).")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Interface to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser window.")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            help="Access token every API request must carry (default: $CORPUSCOPE_TOKEN, else "
            "a new random one, printed in the link).",
        ),
    ] = None,
    no_token: Annotated[
        bool,
        typer.Option(
            "--no-token",
            help="Serve without a token (localhost only): every account on this machine can "
            "then use the server.",
        ),
    ] = False,
) -> None:
    """Start the web interface on http://HOST:PORT and open it in the browser.

    Every request needs the access token, even on localhost (on a shared machine, localhost is
    every other account): the printed link carries it, and opening it once lets the browser
    remember it. Scripts send it as `Authorization: Bearer TOKEN`; CORPUSCOPE_TOKEN sets it.
    """
    import uvicorn

    from corpuscope.web import create_app
    from corpuscope.web.app import prepare

    if no_token and token is not None:
        raise InvalidInput("Give either an access token or --no-token, not both.")
    if no_token and host not in LOCAL_HOSTS:
        raise InvalidInput(f"--no-token is accepted on localhost only, not on {host}.")
    # read here rather than by the option, since `corpuscope demo` calls this function directly
    chosen = None if no_token else (token or os.environ.get("CORPUSCOPE_TOKEN") or new_token())
    projects = (project.expanduser().resolve(),) if project is not None else ()
    settings = Settings(projects=projects, host=host, port=port, token=chosen).checked()
    application = create_app(settings)
    _check_port(host, port)
    prepare(application)
    shown = "localhost" if host in LOCAL_HOSTS else host
    url = f"http://{shown}:{port}/" + (f"?token={quote(chosen)}" if chosen else "")
    if chosen is None:
        typer.echo(NO_TOKEN_WARNING, err=True)
    typer.echo(f"corpuscope is serving on {url}  (Ctrl+C stops it)")
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    uvicorn.run(application, host=host, port=port, log_level="warning")
