import io
import itertools

import pytest

from corpuscope.errors import InvalidInput
from corpuscope.services import annotations as notes
from corpuscope.services.csv_io import export_csv, format_tags, import_csv, parse_tags
from corpuscope.services.importing import run_import
from corpuscope.store.db import create_project
from corpuscope.store.properties import load_property
from corpuscope.store.tags import Tag, list_tags


@pytest.fixture
def corpus(tmp_path, write_image):
    for seed in range(4):
        write_image(tmp_path / "photos" / f"{seed}.png", seed=seed)
    write_image(tmp_path / "photos" / "copy" / "0-again.png", seed=0)
    return tmp_path / "photos"


def _export(project) -> str:
    out = io.StringIO()
    export_csv(project, out)
    return out.getvalue()


def test_tag_cells_escape_separators() -> None:
    assert parse_tags(r"A\>B>C\|D|E\\") == [["A>B", "C|D"], ["E\\"]]


def test_export_then_import_into_a_fresh_project_round_trips_exactly(
    project, tmp_path, corpus
) -> None:
    run_import(project, [corpus])
    subject = notes.create_property(project, "Subject", "multi_tags")
    animal = notes.create_tag(project, subject.id, "Animal")
    pets = notes.create_tag(project, subject.id, "Pets")
    cat = notes.create_tag(project, subject.id, "Cat|Felis > catus", parents=[animal.id, pets.id])
    dog = notes.create_tag(project, subject.id, "Dog", parents=[animal.id])
    notes.add_tags(project, subject.id, [1, 2], [cat.id])
    notes.add_tags(project, subject.id, [2], [dog.id])
    room = notes.create_property(project, "Room", "tag", mode="instance")
    notes.create_tag(project, room.id, "Hall")
    notes.add_tags(project, room.id, [5], ["Hall"])
    for name, type_, value in (
        ("Year", "number", "0.30000000000000004"),
        ("Seen", "checkbox", "true"),
        ("Note", "text", 'quote " comma, newline\nend'),
        ("Link", "url", "https://x.org"),
    ):
        prop = notes.create_property(project, name, type_)
        notes.set_values(project, prop.id, [3], value)
    first = _export(project)
    with create_project(tmp_path / "copy") as other:
        run_import(other, [corpus])
        summary = import_csv(other, io.StringIO(first))
        assert summary.unmatched == 0
        assert _export(other) == first
        subject_id = load_property(other.read(), "Subject").id  # after Width, Height (metadata)
        tags = {t.name: t for t in list_tags(other.read(), subject_id)}
        assert sorted(tags["Cat|Felis > catus"].parents) == sorted(
            [tags["Animal"].id, tags["Pets"].id]
        )


def _user_properties(project) -> int:
    """Properties other than the metadata the import read (Width, Height)."""
    sql = "SELECT COUNT(*) FROM properties WHERE metadata_field IS NULL"
    return int(project.read().execute(sql).fetchone()[0])


def test_import_is_one_undo_step(project, corpus) -> None:
    run_import(project, [corpus])
    text = 'folder,path,sha1,"Kind [tag, image]"\n' + f"{corpus},0.png,,Vase>Amphora\n"
    summary = import_csv(project, io.StringIO(text))
    assert (summary.values, summary.properties_created, summary.tags_created) == (1, 1, 2)
    notes.undo(project)
    assert _user_properties(project) == 0
    assert project.read().execute("SELECT COUNT(*) FROM tags").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("name,path\n", "folder, path, sha1"),
        ("folder,path,sha1,Weird\n", "column heading"),
        ('folder,path,sha1,"N [number, image]"\n/x,a.png,,1,2\n', "cells"),
    ],
)
def test_malformed_csv_is_refused_with_a_reason(project, text, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        import_csv(project, io.StringIO(text))


def test_a_bad_value_names_its_line_and_nothing_is_written(project, corpus) -> None:
    run_import(project, [corpus])
    text = f'folder,path,sha1,"N [number, image]"\n{corpus},0.png,,1\n{corpus},1.png,,lots\n'
    with pytest.raises(InvalidInput, match="Line 3"):
        import_csv(project, io.StringIO(text))
    assert _user_properties(project) == 0


def test_format_tags_writes_every_path_of_a_dag() -> None:
    tags = {
        1: Tag(1, 1, "A", "#000000", ()),
        2: Tag(2, 1, "B", "#000000", ()),
        3: Tag(3, 1, "C", "#000000", (1, 2)),
    }
    assert format_tags([3], tags) == "A>C|B>C"


def _layered(levels: int, width: int) -> dict[int, Tag]:
    """``levels`` rows of ``width`` tags, each under every tag of the row above; one at the
    bottom (id 0) under the last row: ``width ** levels`` paths from the roots to it."""
    tags: dict[int, Tag] = {}
    above: tuple[int, ...] = ()
    for level in range(levels):
        row = tuple(range(1 + level * width, 1 + (level + 1) * width))
        tags.update({i: Tag(i, 1, f"t{i}", "#000000", above) for i in row})
        above = row
    tags[0] = Tag(0, 1, "bottom", "#000000", above)
    return tags


@pytest.mark.parametrize(("levels", "width"), [(2, 2), (3, 2), (6, 2), (40, 2), (5, 4)])
def test_tag_paths_hold_every_parent_link_and_stay_few(levels: int, width: int) -> None:
    from corpuscope.services.csv_io import MAX_PATHS, tag_paths

    tags = _layered(levels, width)
    by_name = {tag.name: tag.id for tag in tags.values()}
    paths = tag_paths(0, tags)
    links = {(parent, tag.id) for tag in tags.values() for parent in tag.parents}
    written = {(by_name[a], by_name[b]) for path in paths for a, b in itertools.pairwise(path)}
    assert written == links
    assert all(path[-1] == "bottom" and not tags[by_name[path[0]]].parents for path in paths)
    if width**levels <= MAX_PATHS:
        assert len(paths) == width**levels == len({tuple(p) for p in paths})
    else:
        assert len(paths) <= len(links)


def test_tag_paths_of_a_very_deep_chain() -> None:
    from corpuscope.services.csv_io import tag_paths

    tags = {i: Tag(i, 1, f"t{i}", "#000000", (i - 1,) if i else ()) for i in range(5000)}
    [path] = tag_paths(4999, tags)
    assert path == [f"t{i}" for i in range(5000)]
