"""Every error as JSON ``{"detail": "<one sentence>"}``: user errors 4xx, a bug 500.

A user error's kind gives its status (:data:`STATUS_OF_KIND`, the one table); an error with a
code adds it with its params, for the interface to show the sentence in the user's language:
``{"detail": ..., "code": "tag.cycle", "params": {"tag": "Jar", "parent": "Vase"}}``.

Besides the errors services raise on purpose, a few the database raises are nets with a
sentence of their own: a database another process keeps locked (503 with ``Retry-After``), a
full disk (507), a number past SQLite's integers or a query past its limits (422).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from corpuscope.errors import CorpuscopeError, Kind

log = logging.getLogger(__name__)


def _where(loc: Sequence[Any]) -> str:
    parts = [str(part) for part in loc]
    source = parts[0] if parts else "request"
    path = ".".join(parts[1:])
    names = {"body": "body field", "query": "query parameter", "path": "path parameter"}
    return f"{names.get(source, source)} {path}".strip()


def validation_sentence(errors: Sequence[Any]) -> str:
    """One sentence for the first problem pydantic found (and how many more there are)."""
    if not errors:
        return "The request is not valid."
    first = errors[0]
    kind, loc, message = first.get("type", ""), first.get("loc", ()), first.get("msg", "")
    more = f" ({len(errors) - 1} more problems)" if len(errors) > 1 else ""
    if kind == "json_invalid":
        return f"The request body is not valid JSON{more}."
    if tuple(loc) == ("body",) and kind == "missing":
        return "The request needs a JSON body."
    return f"Invalid {_where(loc)}: {message.rstrip('.')}{more}."


#: The HTTP status of each kind of user error.
STATUS_OF_KIND: dict[Kind, int] = {
    "invalid": 422,
    "not_found": 404,
    "conflict": 409,
    "unavailable": 409,
    "cancelled": 409,
    "too_large": 413,
}


def error_body(error: CorpuscopeError) -> dict[str, Any]:
    """``{"detail"}``, with ``code`` and ``params`` when the error has a code."""
    body: dict[str, Any] = {"detail": str(error)}
    if error.code is not None:
        body.update(code=error.code, params=error.params)
    return body


async def _corpuscope_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CorpuscopeError)
    return JSONResponse(error_body(error), status_code=STATUS_OF_KIND[error.kind])


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return JSONResponse({"detail": validation_sentence(error.errors())}, status_code=422)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    detail = error.detail
    if error.status_code == 404 and detail == "Not Found":
        detail = f"There is no route {request.url.path}."
    elif error.status_code == 400 and detail == "There was an error parsing the body":
        detail = "The request body is not valid JSON (or not UTF-8)."
    elif error.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


async def _integrity_error(request: Request, error: Exception) -> JSONResponse:
    """A safety net: a service let the database refuse a reference or a duplicate; say so."""
    log.warning("database refused %s %s: %s", request.method, request.url.path, error)
    if "FOREIGN KEY" in str(error):
        detail, status = "The request refers to something that is not in this project.", 404
    else:
        detail, status = "The request conflicts with what the project holds.", 409
    return JSONResponse({"detail": detail}, status_code=status)


#: Seconds a client should wait before trying again when the database is locked.
RETRY_AFTER_S = 5


async def _operational_error(request: Request, error: Exception) -> JSONResponse:
    message = str(error).lower()
    if "locked" in message or "busy" in message:
        log.warning("database locked on %s %s: %s", request.method, request.url.path, error)
        return JSONResponse(
            {
                "detail": "The project's database is busy with another program's work; "
                "try again in a few seconds."
            },
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    if "full" in message:
        log.error("disk full on %s %s: %s", request.method, request.url.path, error)
        return JSONResponse(
            {"detail": "The disk holding the project is full; free some space and try again."},
            status_code=507,
        )
    if "too large" in message or "too many" in message or "too big" in message:
        return JSONResponse(
            {"detail": "The request is too large for the database to answer; narrow it down."},
            status_code=422,
        )
    return await _unexpected(request, error)


async def _overflow(request: Request, error: Exception) -> JSONResponse:
    log.warning("number out of range on %s %s: %s", request.method, request.url.path, error)
    return JSONResponse(
        {"detail": "A number in the request is too large; integers go up to 2^63 - 1."},
        status_code=422,
    )


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": "Something went wrong on the server; the log has the details."},
        status_code=500,
    )


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CorpuscopeError, _corpuscope_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(sqlite3.IntegrityError, _integrity_error)
    app.add_exception_handler(sqlite3.OperationalError, _operational_error)
    app.add_exception_handler(sqlite3.DataError, _operational_error)
    app.add_exception_handler(OverflowError, _overflow)
    app.add_exception_handler(Exception, _unexpected)
