"""What a server is started with: the projects to open, where to listen, the access token, limits."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from corpuscope.errors import InvalidInput

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9._~-]+")
DEFAULT_PORT = 8765


def default_home() -> Path:
    """``$CORPUSCOPE_HOME``, else ``~/.config/corpuscope``: where recent projects are listed."""
    configured = os.environ.get("CORPUSCOPE_HOME")
    return Path(configured) if configured else Path.home() / ".config" / "corpuscope"


def new_token() -> str:
    """A fresh random access token (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Settings:
    """How :func:`corpuscope.web.create_app` builds an app.

    ``token``: every ``/api`` request must carry it (``Authorization: Bearer T`` or the cookie
    that ``/?token=T`` sets); a fresh random one by default, since on a shared machine
    "localhost" is every other account. ``None`` serves without one, on localhost only.
    ``allowed_hosts``: ``Host`` header names accepted (default: the local names when bound to
    localhost, which defeats DNS rebinding; anything when bound elsewhere with a token).
    """

    projects: tuple[Path, ...] = ()
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token: str | None = field(default_factory=new_token)
    home: Path | None = None
    max_body_bytes: int = 64 * 1024 * 1024
    max_upload_bytes: int = 32 * 1024 * 1024  # an outside image to search with
    allowed_hosts: tuple[str, ...] | None = None
    run_tasks: bool = True
    static_dir: Path | None = None
    extra_origins: tuple[str, ...] = field(default=())

    @property
    def is_local(self) -> bool:
        return self.host in LOCAL_HOSTS

    def checked(self) -> Settings:
        """These settings, refused when they would expose the server without a token."""
        if not self.is_local and not self.token:
            raise InvalidInput(
                f"Serving on {self.host} makes the server reachable from other machines; "
                "give an access token (--token) to do so."
            )
        if self.token is not None and len(self.token) < 8:
            raise InvalidInput("The access token must have at least 8 characters.")
        if self.token is not None and not TOKEN_CHARACTERS.fullmatch(self.token):
            raise InvalidInput(
                "The access token may hold only letters, digits and the characters - _ . ~"
                " (it travels in links and cookies)."
            )
        if self.max_body_bytes < 1024:
            raise InvalidInput("The request body limit must be at least 1 KiB.")
        return self

    def host_names(self) -> tuple[str, ...] | None:
        """Accepted ``Host`` names; None accepts any."""
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        if self.is_local:
            return LOCAL_HOSTS
        return None

    @property
    def recent_file(self) -> Path:
        return (self.home or default_home()) / "recent.json"
