"""The front-end's API types from the server's own schema: the one way they are made.

``python scripts/dump_openapi.py OPENAPI_JSON`` writes the API's OpenAPI document;
``--types SCHEMA_D_TS`` also turns it into TypeScript with openapi-typescript (what
``npm run gen:api`` does, into ``src/api/schema.d.ts``); ``--constants`` writes the values the
server owns (default duplicate threshold, most clusters, property types, name length, colour
pattern) as a TypeScript module, read from the same schema. ``tests/test_api_types.py`` runs the
same into a temporary folder and fails when a committed file differs.
Run it with the project's venv.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from corpuscope.web.app import create_app
from corpuscope.web.settings import Settings

FRONTEND = Path(__file__).resolve().parents[1]
OPENAPI_TYPESCRIPT = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"


def write_openapi(target: Path) -> dict[str, Any]:
    """Write the OpenAPI document of an app made with default settings; the document."""
    with tempfile.TemporaryDirectory() as home:
        document = create_app(Settings(run_tasks=False, home=Path(home))).openapi()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return document


def write_constants(document: dict[str, Any], target: Path) -> None:
    """The server's own limits and defaults, from ``document``, as a TypeScript module."""
    schemas = document["components"]["schemas"]
    cluster, prop = schemas["ClusterIn"]["properties"], schemas["PropertyIn"]["properties"]
    [colour] = [c for c in schemas["TagIn"]["properties"]["color"]["anyOf"] if "pattern" in c]
    values = {
        "DUPLICATE_THRESHOLD": (
            "the default least duplicate score",
            cluster["threshold"]["x-duplicates-default"],
        ),
        "MAX_CLUSTERS": ("the most clusters a k-means run makes", int(cluster["k"]["maximum"])),
        "PROPERTY_TYPES": ("the types a property can have", prop["type"]["enum"]),
        "NAME_MAX_LENGTH": (
            "the longest name of a property, a tag or a run",
            prop["name"]["maxLength"],
        ),
        "COLOUR_PATTERN": ("a tag colour, as a regular expression", colour["pattern"]),
    }
    lines = [
        "// Written by scripts/dump_openapi.py from the server's OpenAPI schema (npm run gen:api).",
        "// Do not edit: change the server and regenerate.",
        "",
    ]
    for name, (what, value) in values.items():
        suffix = " as const" if isinstance(value, list) else ""
        lines += [
            f"/** The server's value: {what}. */",
            f"export const {name} = {json.dumps(value)}{suffix};",
        ]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_types(openapi: Path, target: Path) -> None:
    """TypeScript types of ``openapi`` into ``target`` (fields with a default stay optional)."""
    command = [str(OPENAPI_TYPESCRIPT), str(openapi.resolve()), "-o", str(target.resolve())]
    subprocess.run([*command, "--default-non-nullable", "false"], check=True, cwd=FRONTEND)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("openapi", type=Path, help="where to write the OpenAPI JSON")
    parser.add_argument("--types", type=Path, help="also write the TypeScript types here")
    parser.add_argument("--constants", type=Path, help="also write the server's values here")
    args = parser.parse_args()
    document = write_openapi(args.openapi)
    print(f"wrote {args.openapi} ({len(document['paths'])} paths)")
    if args.constants is not None:
        write_constants(document, args.constants)
    if args.types is not None:
        write_types(args.openapi, args.types)


if __name__ == "__main__":
    main()
