"""The single-page UI at ``/``: the built front-end if present, else a placeholder page."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Scope

STATIC = Path(__file__).resolve().parents[1] / "static"
PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>corpuscope</title></head>
<body>
<h1>corpuscope</h1>
<p>The server is running, but the web interface has not been built into this installation.
Build it with the set-up command in the README, or use the API: its description is at
<a href="/docs">/docs</a> (<a href="/openapi.json">/openapi.json</a>).</p>
</body></html>
"""


class SpaFiles(StaticFiles):
    """Static files; a path that names no file and has no extension gets ``index.html``, so the
    front-end's own routes (``/project/abc``) survive a reload."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as error:
            if (
                error.status_code != 404
                or "." in PurePosixPath(path).name
                or path.startswith("api")
            ):
                raise
            return await super().get_response("index.html", scope)


def mount_ui(app: FastAPI, static_dir: Path | None = None) -> None:
    """Serve ``static_dir`` (default: the package's ``web/static``) at ``/``."""
    folder = static_dir or STATIC
    if (folder / "index.html").is_file():
        app.mount("/", SpaFiles(directory=folder, html=True), name="ui")
        return

    @app.get("/", include_in_schema=False)
    def placeholder() -> HTMLResponse:
        return HTMLResponse(PLACEHOLDER)
