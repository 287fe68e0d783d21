"""Shared field types: bounded ids, clean text, scalar values, and the error body."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_ID = 2**62
MAX_IDS = 100_000


def clean_text(text: str) -> str:
    """Refuse NUL characters and lone surrogates (they cannot be stored)."""
    if "\x00" in text:
        raise ValueError("text cannot contain a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text contains characters that are not valid Unicode") from None
    return text


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdList = Annotated[list[Id], Field(max_length=MAX_IDS)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_text)]
Text = Annotated[str, Field(max_length=10_000), AfterValidator(clean_text)]
PathText = Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(clean_text)]
Number = Annotated[float, Field(allow_inf_nan=False)]
Scalar = bool | int | Number | Text
Ref = Id | Name  # a property or tag, by id or by name


class Strict(BaseModel):
    """Request models refuse unknown fields: a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    """``detail``: one English sentence. For the errors the interface translates, ``code``
    names the sentence and ``params`` holds the values it shows (docs/i18n.md lists them)."""

    detail: str
    code: str | None = None
    params: dict[str, str | int | float] | None = None


class ChangedOut(BaseModel):
    changed: int


class OkOut(BaseModel):
    ok: bool = True
