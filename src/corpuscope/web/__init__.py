"""The web app: ``create_app(Settings(...))`` gives an ASGI app (API under /api, UI at /)."""

from corpuscope.web.app import create_app
from corpuscope.web.settings import Settings

__all__ = ["Settings", "create_app"]
