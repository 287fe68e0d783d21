"""The app factory: ``create_app(settings)`` builds the API, the guard and the UI."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from corpuscope import __version__
from corpuscope.web.errors import add_error_handlers
from corpuscope.web.hub import ProjectHub
from corpuscope.web.recent import RecentProjects
from corpuscope.web.routes import annotations as annotation_routes
from corpuscope.web.routes import (
    csv,
    exports,
    grouping,
    history,
    images,
    maps,
    projects,
    runs,
    similarity,
    tasks,
)
from corpuscope.web.routes.ui import mount_ui
from corpuscope.web.schemas.common import ErrorOut
from corpuscope.web.security import Guard
from corpuscope.web.settings import Settings

log = logging.getLogger(__name__)
ROUTERS = (
    projects,
    images,
    annotation_routes,
    history,
    csv,
    grouping,
    runs,
    similarity,
    maps,
    tasks,
    exports,
)
ERRORS = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (400, "Bad request"),
        (401, "The access token is missing or wrong"),
        (403, "A write from another web site"),
        (404, "Not found"),
        (409, "Conflicts with what is stored"),
        (413, "Request body too large"),
        (422, "Invalid parameters"),
    )
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app for ``settings``; projects open (and their tasks resume) at start-up."""
    settings = (settings or Settings()).checked()
    hub = ProjectHub(
        RecentProjects(settings.recent_file),
        run_tasks=settings.run_tasks,
        start=settings.projects[0] if settings.projects else None,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for path in settings.projects:
            await run_in_threadpool(hub.open, path, create=True)
        try:
            yield
        finally:
            await run_in_threadpool(hub.close_all)

    app = FastAPI(
        title="corpuscope",
        version=__version__,
        description="Explore large image corpora by visual similarity. See docs/api.md.",
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN: nothing offline
        redoc_url=None,
        responses=ERRORS,  # type: ignore[arg-type]
    )
    app.state.hub = hub
    app.state.settings = settings
    add_error_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    mount_ui(app, settings.static_dir)
    app.add_middleware(Guard, settings=settings)
    return app


def prepare(app: FastAPI) -> None:
    """Do now what the app would do on its first requests: FastAPI builds each route's
    validation lazily, and the OpenAPI document (which the UI reads) on first use; together
    about a second of CPU on a 2-core machine, which would delay the first page's requests."""
    app.openapi()
