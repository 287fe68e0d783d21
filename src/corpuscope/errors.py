"""Errors a user can cause.

Every exception here carries one sentence a person understands (``str(error)``), a ``kind``
that says what went wrong, and, for the sentences the web app translates, a stable ``code``
with the values the sentence needs (``params``; the codes are listed in docs/i18n.md).

The kind is not an HTTP status nor an exit code: each edge maps kinds to its own answer, in one
table each (``corpuscope.web.errors.STATUS_OF_KIND``, ``corpuscope.cli.EXIT_CODE_OF_KIND``).
Anything else that escapes is a bug.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

#: ``invalid``: a parameter or value that cannot be accepted as given; ``not_found``: something
#: named that does not exist; ``conflict``: contradicts what is stored; ``unavailable``: cannot
#: be used on this machine now (a project that cannot be opened, a model without its weights);
#: ``cancelled``: stopped by the user; ``too_large``: over a size limit.
Kind = Literal["invalid", "not_found", "conflict", "unavailable", "cancelled", "too_large"]

#: A value a translated sentence shows.
Param = str | int | float


class CorpuscopeError(Exception):
    """Base class: ``str(error)`` is the message shown to the user.

    ``code`` (like ``"tag.cycle"``) and ``params`` (like ``{"tag": "Jar", "parent": "Vase"}``)
    let an interface show the sentence in the user's language; errors without a code are shown
    as their English sentence."""

    kind: Kind = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, params: Mapping[str, Param] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params: dict[str, Param] = dict(params or {})


class InvalidInput(CorpuscopeError):
    """A parameter or a value that cannot be accepted as given."""

    kind: Kind = "invalid"


class NotFound(CorpuscopeError):
    """A project, image, property, tag, run or file that does not exist."""

    kind: Kind = "not_found"


class Conflict(CorpuscopeError):
    """The request contradicts what is stored (a duplicate name, a tag cycle, ...)."""

    kind: Kind = "conflict"


class NoFinerGrouping(Conflict):
    """The automatic mode found no groups inside a group (or no coarser level above it)."""


class ProjectError(CorpuscopeError):
    """A project folder that cannot be opened (missing, newer version, not a project)."""

    kind: Kind = "unavailable"


class ModelUnavailable(CorpuscopeError):
    """A model whose weights or runtime are not on this machine; the message says how to fix it."""

    kind: Kind = "unavailable"


class Cancelled(CorpuscopeError):
    """The user cancelled the work before it finished."""

    kind: Kind = "cancelled"


class TooLarge(CorpuscopeError):
    """Something over a size limit (an uploaded image over the server's limit)."""

    kind: Kind = "too_large"
