"""Property, tag, value and undo commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corpuscope.cli.app import app, opened, parse_ids, print_json
from corpuscope.errors import InvalidInput
from corpuscope.services import annotations as notes
from corpuscope.services.annotations import PROPERTY_TYPES, Property, Tag
from corpuscope.services.projects import Project

property_app = typer.Typer(
    help="Create, list, rename and delete properties; set their values.", no_args_is_help=True
)
tag_app = typer.Typer(
    help="Tags of tag properties: create, rename, recolour, parents, merge.", no_args_is_help=True
)
app.add_typer(property_app, name="property")
app.add_typer(tag_app, name="tag")

ProjectArg = Annotated[Path, typer.Argument(help="The project folder.")]
PropertyArg = Annotated[str, typer.Argument(help="Property name (or id).")]
TagArg = Annotated[str, typer.Argument(help="Tag name (or id).")]


def _ref(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _prop(project: Project, text: str) -> Property:
    return notes.load_property(project, _ref(text))


def _tag(project: Project, prop: Property, text: str) -> Tag:
    return notes.find_tag(project, prop, _ref(text))


@property_app.command("list")
def property_list(
    project: ProjectArg,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """List the properties with their type and mode."""
    with opened(project) as handle:
        found = notes.list_properties(handle)
    if as_json:
        print_json([vars(prop) for prop in found])
        return
    for prop in found:
        typer.echo(f"{prop.id:>4}  {prop.name}  [{prop.type}, {prop.mode}]")


@property_app.command("create")
def property_create(
    project: ProjectArg,
    name: Annotated[str, typer.Argument(help="Name of the new property.")],
    type_: Annotated[
        str, typer.Option("--type", "-t", help=f"One of: {', '.join(PROPERTY_TYPES)}.")
    ] = "multi_tags",
    mode: Annotated[
        str, typer.Option(help="'image' (per picture) or 'instance' (per file).")
    ] = "image",
) -> None:
    """Create a property."""
    with opened(project) as handle:
        prop = notes.create_property(handle, name, type_, mode)
    typer.echo(f"Created property {prop.id}: {prop.name} [{prop.type}, {prop.mode}]")


@property_app.command("rename")
def property_rename(project: ProjectArg, prop: PropertyArg, new_name: str) -> None:
    """Rename a property."""
    with opened(project) as handle:
        renamed = notes.rename_property(handle, _ref(prop), new_name)
    typer.echo(f"Renamed to {renamed.name}")


@property_app.command("delete")
def property_delete(project: ProjectArg, prop: PropertyArg) -> None:
    """Delete a property with its tags and values (undo with `corpuscope undo`)."""
    with opened(project) as handle:
        notes.delete_property(handle, _ref(prop))
    typer.echo("Deleted (corpuscope undo brings it back).")


@property_app.command("set")
def property_set(
    project: ProjectArg,
    prop: PropertyArg,
    values: Annotated[list[str], typer.Argument(help="The value; for tag properties, tag names.")],
    images: Annotated[
        str, typer.Option(help="Image ids (or file ids for instance properties): 1,2,5-8.")
    ],
    add: Annotated[
        bool, typer.Option("--add", help="Tags: add to the existing ones instead of replacing.")
    ] = False,
) -> None:
    """Set a value on many images at once (one undo step)."""
    with opened(project) as handle:
        found = _prop(handle, prop)
        ids = parse_ids(images)
        if found.is_tags:
            tags = [_tag(handle, found, name).id for name in values]
            count = (notes.add_tags if add else notes.set_values)(handle, found.id, ids, tags)
        else:
            if len(values) != 1:
                raise InvalidInput(f"{found.name!r} takes one value; quote it if it has spaces.")
            count = notes.set_values(handle, found.id, ids, values[0])
    typer.echo(f"Set {found.name} on {count} images.")


@property_app.command("clear")
def property_clear(
    project: ProjectArg,
    prop: PropertyArg,
    images: Annotated[str, typer.Option(help="Image (or file) ids: 1,2,5-8.")],
) -> None:
    """Remove a property's value from many images."""
    with opened(project) as handle:
        count = notes.clear_values(handle, _ref(prop), parse_ids(images))
    typer.echo(f"Cleared {count} images.")


def _tree_lines(tags: list[Tag]) -> list[str]:
    children: dict[int | None, list[Tag]] = {}
    for tag in tags:
        for parent in tag.parents or (None,):
            children.setdefault(parent, []).append(tag)
    lines: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for tag in children.get(parent, []):
            lines.append(f"{'  ' * depth}{tag.name}  (id {tag.id}, {tag.color})")
            walk(tag.id, depth + 1)

    walk(None, 0)
    return lines


@tag_app.command("list")
def tag_list(
    project: ProjectArg,
    prop: PropertyArg,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """Show a property's tags as a tree (a tag with two parents appears under both)."""
    with opened(project) as handle:
        tags = notes.list_tags(handle, _ref(prop))
    if as_json:
        print_json([vars(tag) for tag in tags])
        return
    for line in _tree_lines(tags):
        typer.echo(line)


@tag_app.command("create")
def tag_create(
    project: ProjectArg,
    prop: PropertyArg,
    name: Annotated[str, typer.Argument(help="Name of the new tag.")],
    color: Annotated[str | None, typer.Option(help="Colour as #rrggbb.")] = None,
    parent: Annotated[list[str] | None, typer.Option(help="Parent tag (repeatable).")] = None,
) -> None:
    """Create a tag, optionally under parent tags."""
    with opened(project) as handle:
        found = _prop(handle, prop)
        parents = [_tag(handle, found, text).id for text in parent or []]
        tag = notes.create_tag(handle, found.id, name, color=color, parents=parents)
    typer.echo(f"Created tag {tag.id}: {tag.name}")


@tag_app.command("rename")
def tag_rename(project: ProjectArg, prop: PropertyArg, tag: TagArg, new_name: str) -> None:
    """Rename a tag."""
    with opened(project) as handle:
        renamed = notes.rename_tag(handle, _tag(handle, _prop(handle, prop), tag).id, new_name)
    typer.echo(f"Renamed to {renamed.name}")


@tag_app.command("recolor")
def tag_recolor(project: ProjectArg, prop: PropertyArg, tag: TagArg, color: str) -> None:
    """Give a tag a new colour (#rrggbb)."""
    with opened(project) as handle:
        notes.recolor_tag(handle, _tag(handle, _prop(handle, prop), tag).id, color)
    typer.echo("Recoloured.")


@tag_app.command("parent")
def tag_parent(
    project: ProjectArg,
    prop: PropertyArg,
    tag: TagArg,
    parent: Annotated[str, typer.Argument(help="The parent tag.")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove this parent instead.")] = False,
) -> None:
    """Put TAG under PARENT (refused if it would make a cycle), or remove that link."""
    with opened(project) as handle:
        found = _prop(handle, prop)
        child, above = _tag(handle, found, tag), _tag(handle, found, parent)
        (notes.remove_parent if remove else notes.add_parent)(handle, child.id, above.id)
    typer.echo("Done.")


@tag_app.command("delete")
def tag_delete(project: ProjectArg, prop: PropertyArg, tag: TagArg) -> None:
    """Delete a tag (its children move up to its parents)."""
    with opened(project) as handle:
        notes.delete_tag(handle, _tag(handle, _prop(handle, prop), tag).id)
    typer.echo("Deleted (corpuscope undo brings it back).")


@tag_app.command("merge")
def tag_merge(
    project: ProjectArg,
    prop: PropertyArg,
    survivor: Annotated[str, typer.Argument(help="The tag that remains.")],
    others: Annotated[list[str], typer.Argument(help="Tags merged into it.")],
) -> None:
    """Merge tags into one: images, parents and children move to the survivor."""
    with opened(project) as handle:
        found = _prop(handle, prop)
        keep = _tag(handle, found, survivor)
        result = notes.merge_tags(handle, keep.id, [_tag(handle, found, o).id for o in others])
    typer.echo(f"Merged {result.merged} tags into {result.survivor.name}.")
    if result.links_dropped:
        typer.echo(
            f"{result.links_dropped} parent links were dropped: they would have made a cycle."
        )


@app.command()
def undo(project: ProjectArg) -> None:
    """Undo the last annotation change (values, tags, properties, saved clusterings)."""
    with opened(project) as handle:
        entry = notes.undo(handle)
    typer.echo(f"Undid: {entry.label}" if entry else "Nothing to undo.")


@app.command()
def redo(project: ProjectArg) -> None:
    """Redo the last undone change."""
    with opened(project) as handle:
        entry = notes.redo(handle)
    typer.echo(f"Redid: {entry.label}" if entry else "Nothing to redo.")
