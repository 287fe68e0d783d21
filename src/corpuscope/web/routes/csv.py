"""CSV export and import of property values (one row per file; tags as paths like A>B)."""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from corpuscope.errors import InvalidInput
from corpuscope.filenames import format_name
from corpuscope.services.csv_io import export_csv, import_csv
from corpuscope.web.deps import OpenDep, ProjectDep
from corpuscope.web.schemas.annotations import CsvImportOut
from corpuscope.web.schemas.common import Name

router = APIRouter(prefix="/api/projects/{pid}", tags=["csv"])
CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": "A CSV file in the shape the export writes (UTF-8).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The CSV file."}},
)
def export(
    entry: OpenDep,
    properties: Annotated[list[Name] | None, Query(max_length=1000)] = None,
) -> Response:
    """Every file with the values of ``properties`` (default: all of them)."""
    out = io.StringIO()
    export_csv(entry.project, out, properties=properties)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(f"{format_name(entry.root.name)}.csv")},
    )


def attachment(name: str) -> str:
    """A download header for any file name (RFC 6266): an ASCII stand-in for old clients and
    the exact name, UTF-8 and percent-encoded (RFC 5987 ``filename*``)."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\%;' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.post("/import-csv", openapi_extra=CSV_BODY)
async def import_values(request: Request, project: ProjectDep) -> CsvImportOut:
    """Set values from a CSV body (``Content-Type: text/csv``); empty cells change nothing."""
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The CSV file must be encoded in UTF-8.") from None
    if "\x00" in text:
        raise InvalidInput("The CSV file contains NUL characters; is it really a CSV file?")
    summary = await run_in_threadpool(import_csv, project, io.StringIO(text, newline=""))
    return CsvImportOut(**asdict(summary))
