"""Checking and normalising scalar values by property type (pure functions, no I/O)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from urllib.parse import urlparse

from corpuscope.errors import InvalidInput
from corpuscope.store.values import Scalar

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TRUE = {"true", "yes", "1", "on", "x"}
_FALSE = {"false", "no", "0", "off", ""}


def normalize_value(type_: str, raw: object) -> Scalar:
    """The stored form of ``raw`` for a scalar property type, or InvalidInput saying why not."""
    if isinstance(raw, str):
        raw = raw.strip() if type_ != "text" else raw
    if type_ == "text":
        if not isinstance(raw, str):
            raise InvalidInput("A text value must be a string.")
        return raw
    if type_ == "number":
        return _number(raw)
    if type_ == "checkbox":
        return _checkbox(raw)
    if not isinstance(raw, str):
        raise InvalidInput(f"A {type_} value must be written as text.")
    if type_ == "date":
        return _date(raw)
    if type_ == "url":
        return _url(raw)
    if type_ == "color":
        if not _COLOR.match(raw):
            raise InvalidInput(f"{raw!r} is not a colour; write it as #rrggbb.")
        return raw.lower()
    raise InvalidInput(f"Properties of type {type_} take tags, not a plain value.")


def format_value(type_: str, value: Scalar) -> str:
    """The text form used in CSV files; ``normalize_value(type_, format_value(...))`` round-trips."""
    if type_ == "checkbox":
        return "true" if value else "false"
    if type_ == "number":
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    return str(value)


def _number(raw: object) -> float:
    if isinstance(raw, bool):
        raise InvalidInput("A number value must be a number, not true/false.")
    try:
        number = float(raw) if isinstance(raw, int | float | str) else math.nan
    except OverflowError:  # an integer past 1.8e308
        raise InvalidInput("The number is too large (the largest is about 1.8e308).") from None
    except ValueError:
        raise InvalidInput(f"{str(raw)[:50]!r} is not a number.") from None
    if not math.isfinite(number):
        raise InvalidInput(f"{str(raw)[:50]!r} is not a finite number.")
    return number


def _checkbox(raw: object) -> int:
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, int) and raw in (0, 1):
        return raw
    if isinstance(raw, str) and raw.lower() in _TRUE | _FALSE:
        return int(raw.lower() in _TRUE)
    raise InvalidInput(f"{raw!r} is not a checkbox value; use true or false.")


def _date(raw: str) -> str:
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw).isoformat()
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).isoformat()
    except ValueError:
        raise InvalidInput(f"{raw!r} is not a date; write it as YYYY-MM-DD.") from None


def _url(raw: str) -> str:
    parts = urlparse(raw)
    if parts.scheme not in ("http", "https", "ftp", "file") or not (parts.netloc or parts.path):
        raise InvalidInput(f"{raw!r} is not a web address; it must start with http:// or https://.")
    return raw
