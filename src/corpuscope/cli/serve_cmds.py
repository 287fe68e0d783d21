"""The ``serve`` command: the web interface and its API, on this machine by default."""

from __future__ import annotations

import secrets
import socket
import threading
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from corpuscope.cli.app import app
from corpuscope.errors import InvalidInput
from corpuscope.web.settings import DEFAULT_PORT, LOCAL_HOSTS, Settings


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


@app.command()
def serve(
    project: Annotated[
        Path | None, typer.Argument(help="A project folder to open (created if needed).")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Interface to listen on; anything but localhost needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser window.")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            help="Access token every API request must carry (made up for you when --host is "
            "not localhost)."
        ),
    ] = None,
) -> None:
    """Start the web interface on http://HOST:PORT and open it in the browser.

    The server listens on this machine only unless --host says otherwise; then every request
    needs the access token, which the printed link carries.
    """
    import uvicorn

    from corpuscope.web import create_app

    if host not in LOCAL_HOSTS and token is None:
        token = secrets.token_urlsafe(24)
    projects = (project.expanduser().resolve(),) if project is not None else ()
    settings = Settings(projects=projects, host=host, port=port, token=token).checked()
    application = create_app(settings)
    _check_port(host, port)
    shown = "localhost" if host in LOCAL_HOSTS else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    typer.echo(f"corpuscope is serving on {url}  (Ctrl+C stops it)")
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    uvicorn.run(application, host=host, port=port, log_level="warning")
