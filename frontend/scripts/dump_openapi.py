"""Write the API's OpenAPI document to a file, for `npm run gen:api` (run with the project's venv)."""

import json
import sys
from pathlib import Path

from corpuscope.web.app import create_app
from corpuscope.web.settings import Settings

target = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi.json")
app = create_app(Settings(run_tasks=False, home=target.parent / ".home"))
target.write_text(json.dumps(app.openapi(), indent=1), encoding="utf-8")
print(f"wrote {target} ({len(app.openapi()['paths'])} paths)")
