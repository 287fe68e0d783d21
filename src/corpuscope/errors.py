"""Errors a user can cause.

Every exception here carries one sentence a person understands. The CLI prints it and exits
non-zero; the web layer maps it to a 4xx response. Anything else that escapes is a bug.
"""


class CorpuscopeError(Exception):
    """Base class: ``str(error)`` is the message shown to the user."""

    http_status = 400


class InvalidInput(CorpuscopeError):
    """A parameter or a value that cannot be accepted as given."""

    http_status = 422


class NotFound(CorpuscopeError):
    """A project, image, property, tag, run or file that does not exist."""

    http_status = 404


class Conflict(CorpuscopeError):
    """The request contradicts what is stored (a duplicate name, a tag cycle, ...)."""

    http_status = 409


class NoFinerGrouping(Conflict):
    """The automatic mode found no groups inside a group (or no coarser level above it)."""


class ProjectError(CorpuscopeError):
    """A project folder that cannot be opened (missing, newer version, not a project)."""

    http_status = 409


class ModelUnavailable(CorpuscopeError):
    """A model whose weights or runtime are not on this machine; the message says how to fix it."""

    http_status = 409


class Cancelled(CorpuscopeError):
    """The user cancelled the work before it finished."""

    http_status = 409
