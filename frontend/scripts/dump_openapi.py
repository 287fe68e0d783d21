"""The front-end's API types from the server's own schema: the one way they are made.

``python scripts/dump_openapi.py OPENAPI_JSON`` writes the API's OpenAPI document;
``--types SCHEMA_D_TS`` also turns it into TypeScript with openapi-typescript (what
``npm run gen:api`` does, into ``src/api/schema.d.ts``). ``tests/test_api_types.py`` runs the
same into a temporary folder and fails when the committed ``schema.d.ts`` differs.
Run it with the project's venv.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from corpuscope.web.app import create_app
from corpuscope.web.settings import Settings

FRONTEND = Path(__file__).resolve().parents[1]
OPENAPI_TYPESCRIPT = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"


def write_openapi(target: Path) -> int:
    """Write the OpenAPI document of an app made with default settings; its number of paths."""
    with tempfile.TemporaryDirectory() as home:
        document = create_app(Settings(run_tasks=False, home=Path(home))).openapi()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return len(document["paths"])


def write_types(openapi: Path, target: Path) -> None:
    """TypeScript types of ``openapi`` into ``target`` (fields with a default stay optional)."""
    command = [str(OPENAPI_TYPESCRIPT), str(openapi.resolve()), "-o", str(target.resolve())]
    subprocess.run([*command, "--default-non-nullable", "false"], check=True, cwd=FRONTEND)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("openapi", type=Path, help="where to write the OpenAPI JSON")
    parser.add_argument("--types", type=Path, help="also write the TypeScript types here")
    args = parser.parse_args()
    paths = write_openapi(args.openapi)
    print(f"wrote {args.openapi} ({paths} paths)")
    if args.types is not None:
        write_types(args.openapi, args.types)


if __name__ == "__main__":
    main()
