"""The CLI reference (docs/cli.md), written from the commands' own help.

Regenerate it with ``python -m corpuscope.cli.reference docs/cli.md``; a test fails when the
file in the repository differs from what this writes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from corpuscope.cli import EXIT_CODE_OF_KIND
from corpuscope.cli.app import app  # the package's __init__ registered every command
from corpuscope.errors import Kind

HEADER = """# Command-line reference

Every `corpuscope` command with its arguments and options, as `--help` shows them.
This file is generated: after changing a command, run
`.venv/bin/python -m corpuscope.cli.reference docs/cli.md`.
"""


def render_reference() -> str:
    """The whole reference as Markdown (deterministic: no terminal width, no colours)."""
    root = typer.main.get_command(app)
    context = typer.Context(root, info_name="corpuscope")
    commands = (_section(command, ctx) for command, ctx in _walk(root, context))
    return "\n".join([HEADER, _exit_statuses(), *commands])


KIND_WORDS: dict[Kind, str] = {
    "invalid": "a value or an option refused",
    "too_large": "something over a size limit",
    "not_found": "something named that does not exist (a property, tag, run, image, file)",
    "conflict": "contradicts what the project holds (a name taken, a tag cycle)",
    "unavailable": "cannot be used here (a folder that is not a project, a model not installed)",
    "cancelled": "cancelled or interrupted (everything committed so far is kept)",
}


def _exit_statuses() -> str:
    """The table of exit statuses, from the one the command line uses."""
    by_status: dict[int, list[str]] = {}
    for kind, status in sorted(EXIT_CODE_OF_KIND.items(), key=lambda item: item[1]):
        by_status.setdefault(status, []).append(KIND_WORDS[kind])
    lines = [
        "## Exit status",
        "",
        "0 when a command did its work. An error you can cause prints one sentence (`Error: ...`)",
        "and exits with the status of its kind (Typer's own usage errors, such as an unknown",
        "option, exit with 2 too):",
        "",
        "| Status | Error |",
        "| --- | --- |",
        *(f"| {status} | {'; '.join(words)} |" for status, words in by_status.items()),
        "",
    ]
    return "\n".join(lines)


# Typer builds its commands with the click it carries (click's classes, duck-typed here).
Command = Any


def _is_group(command: Command) -> bool:
    return hasattr(command, "list_commands")


def _walk(command: Command, ctx: typer.Context) -> Iterator[tuple[Command, typer.Context]]:
    """Every command, parents before children, sub-commands in the order the group lists them."""
    yield command, ctx
    if _is_group(command):
        for name in command.list_commands(ctx):
            child = command.get_command(ctx, name)
            if child is not None and not child.hidden:
                yield from _walk(child, typer.Context(child, info_name=name, parent=ctx))


def _section(command: Command, ctx: typer.Context) -> str:
    level = "#" * min(2 + ctx.command_path.count(" "), 4)
    lines = [f"{level} `{ctx.command_path}`", ""]
    if command.help:
        lines += [_clean(command.help), ""]
    lines += ["```text", _usage(command, ctx), "```", ""]
    found = (_row(param, ctx) for param in command.get_params(ctx) if param.name != "help")
    rows = [row for row in found if row is not None]
    if rows:
        lines += ["| Argument or option | Description |", "| --- | --- |", *rows, ""]
    if _is_group(command):
        children = [name for name in command.list_commands(ctx) if name]
        if children:
            lines += ["Commands: " + ", ".join(f"`{name}`" for name in children) + ".", ""]
    return "\n".join(lines)


def _usage(command: Command, ctx: typer.Context) -> str:
    pieces = [ctx.command_path, "[OPTIONS]"]
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = (param.metavar or (param.name or "").upper()) + (
                "..." if param.nargs == -1 else ""
            )
            pieces.append(name if param.required else f"[{name}]")
    if _is_group(command):
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def _row(param: Any, ctx: typer.Context) -> str | None:
    record = param.get_help_record(ctx)
    if record is None:
        return None
    names, text = record
    return f"| `{names}` | {_cell(text)} |"


def _clean(text: str) -> str:
    """Help text as typer shows it: paragraphs kept, the ``\\b`` no-rewrap markers dropped."""
    return "\n".join(line for line in text.strip().splitlines() if line.strip() != "\b")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def main(argv: list[str] | None = None) -> None:
    """``python -m corpuscope.cli.reference [PATH]``: write the reference (stdout without PATH)."""
    args = sys.argv[1:] if argv is None else argv
    text = render_reference()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
