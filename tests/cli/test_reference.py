"""docs/cli.md is the commands' own help, regenerated whenever a command changes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from corpuscope.cli.reference import render_reference

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"
REGENERATE = ".venv/bin/python -m corpuscope.cli.reference docs/cli.md"


def test_docs_cli_md_is_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_reference(), (
        f"docs/cli.md is stale: regenerate it with `{REGENERATE}`"
    )


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^#{2,4} `([^`]+)`$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_each_command_lists_every_option_its_help_shows() -> None:
    sections = _sections(render_reference())
    for path in ("corpuscope import", "corpuscope serve"):
        words = path.split()[1:]
        result = subprocess.run(
            [sys.executable, "-m", "corpuscope", *words, "--help"],
            capture_output=True,
            text=True,
            check=True,
            env={"COLUMNS": "200", "NO_COLOR": "1", "PATH": ""},
        )
        shown = set(re.findall(r"(--[a-z][a-z-]+)", result.stdout)) - {"--help"}
        assert shown, result.stdout
        for option in shown:
            assert f"`{option}" in sections[path] or f" {option}" in sections[path], (path, option)


def test_the_module_writes_the_file_it_checks(tmp_path: Path) -> None:
    target = tmp_path / "cli.md"
    subprocess.run([sys.executable, "-m", "corpuscope.cli.reference", str(target)], check=True)
    assert target.read_text(encoding="utf-8") == render_reference()
