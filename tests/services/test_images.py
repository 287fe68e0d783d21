"""The images service: filters checked at the edge, pages with values, files by id only."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.services import annotations as notes
from corpuscope.services import images as imgservice
from corpuscope.services.images import ConditionSpec, FilterSpec, SortSpec
from corpuscope.services.importing import run_import
from corpuscope.store.db import Project


@pytest.fixture
def imported(project: Project, tmp_path: Path, write_image) -> Project:
    for seed in range(4):
        write_image(tmp_path / "in" / f"{seed}.png", seed=seed, size=(60, 40))
    run_import(project, [tmp_path / "in"])
    # The tests below name images by id: import gives ids in path order, checked here.
    page = imgservice.list_images(project, sort=SortSpec("path"), limit=10)
    assert [(item.row.id, item.row.path) for item in page.items] == [
        (seed + 1, f"{seed}.png") for seed in range(4)
    ]
    return project


def test_pages_with_values_and_totals(imported: Project) -> None:
    prop = notes.create_property(imported, "Year", "number")
    notes.set_values(imported, prop.id, [2, 3], 1999)
    page = imgservice.list_images(
        imported, sort=SortSpec("path", descending=True), limit=2, properties=["Year"]
    )
    assert page.total == 4 and (page.offset, page.limit) == (0, 2)
    assert [(item.row.path, item.values) for item in page.items] == [
        ("3.png", {}),
        ("2.png", {prop.id: 1999.0}),
    ]
    ids = imgservice.list_image_ids(imported, FilterSpec(path_contains="1"))
    assert (ids.total, ids.ids) == (1, [2])


@pytest.mark.parametrize(
    ("flt", "sort", "error", "words"),
    [
        (FilterSpec(status="broken"), None, InvalidInput, "Unknown status"),
        (FilterSpec(folder_ids=[9]), None, NotFound, "folder 9"),
        (FilterSpec(group_id=9), None, NotFound, "group 9"),
        (FilterSpec(image_ids=list(range(100_001))), None, InvalidInput, "at most"),
        (
            FilterSpec(conditions=[ConditionSpec("Year", "any", tags=[1])]),
            None,
            InvalidInput,
            "does not apply",
        ),
        (FilterSpec(conditions=[ConditionSpec("Year", "eq")]), None, InvalidInput, "needs a value"),
        (
            FilterSpec(conditions=[ConditionSpec("Year", "eq", "x")]),
            None,
            InvalidInput,
            "not a number",
        ),
        (
            FilterSpec(conditions=[ConditionSpec("Kind", "any")]),
            None,
            InvalidInput,
            "at least one tag",
        ),
        (
            FilterSpec(conditions=[ConditionSpec("Kind", "any", tags=[True])]),
            None,
            InvalidInput,
            "not a tag",
        ),
        (
            FilterSpec(conditions=[ConditionSpec("Kind", "eq", 3)]),
            None,
            InvalidInput,
            "does not apply",
        ),
        (None, SortSpec("size"), InvalidInput, "Unknown sort"),
        (None, SortSpec("property"), InvalidInput, "property to sort by"),
        (None, SortSpec("rank"), InvalidInput, "group"),
    ],
)
def test_bad_filters_and_sorts_say_what_is_wrong(
    imported: Project, flt: FilterSpec | None, sort: SortSpec | None, error: type, words: str
) -> None:
    notes.create_property(imported, "Year", "number")
    notes.create_property(imported, "Kind", "tag")
    with pytest.raises(error, match=words):
        imgservice.list_images(imported, flt, sort)


def test_page_bounds(imported: Project) -> None:
    with pytest.raises(InvalidInput, match="offset"):
        imgservice.list_images(imported, offset=-1)
    with pytest.raises(InvalidInput, match="between 1 and 1000"):
        imgservice.list_images(imported, limit=1001)
    with pytest.raises(InvalidInput, match="between 1 and 100000"):
        imgservice.list_image_ids(imported, limit=100_001)


def test_folders_with_counts(imported: Project, tmp_path: Path) -> None:
    [folder] = imgservice.list_folders(imported)
    assert (folder.path, folder.images) == (str((tmp_path / "in").resolve()), 4)


def test_files_are_served_from_the_database_only(imported: Project, tmp_path: Path) -> None:
    path, media = imgservice.image_file(imported, 1)
    assert path == (tmp_path / "in" / "0.png").resolve() and media == "image/png"
    assert imgservice.thumbnail_file(imported, 1, 512).is_file()
    with pytest.raises(InvalidInput, match="sizes 128 and 512"):
        imgservice.thumbnail_file(imported, 1, 256)
    with pytest.raises(NotFound, match="no file 3"):
        imgservice.image_file(imported, 1, file_id=3)
    with imported.write() as conn:
        conn.execute("UPDATE images SET sha1 = '../../x' WHERE id = 2")
        conn.execute("UPDATE files SET path = '/etc/passwd' WHERE id = 3")
    with pytest.raises(NotFound, match="no thumbnail"):
        imgservice.thumbnail_file(imported, 2, 128)
    with pytest.raises(NotFound, match="outside its folder; it is not served"):
        imgservice.image_file(imported, 3)


def test_one_image_in_full(imported: Project) -> None:
    kind = notes.create_property(imported, "Kind", "multi_tags")
    note = notes.create_property(imported, "Note", "text", "instance")
    tag = notes.create_tag(imported, kind.id, "x")
    notes.add_tags(imported, kind.id, [1], [tag.id])
    notes.set_values(imported, note.id, [1], "copy one")
    detail = imgservice.load_image(imported, 1)
    user_values = {key: value for key, value in detail.values.items() if key != kind.id}
    assert detail.row.id == 1 and detail.values[kind.id] == [tag.id]
    assert sorted(user_values.values()) == [40.0, 60.0]  # Width and Height, read from the file
    assert detail.file_values == {1: {note.id: "copy one"}}
    assert [file.path for file in detail.files] == ["0.png"] and detail.groups == []
    with pytest.raises(NotFound):
        imgservice.load_image(imported, 77)


def test_cached_orders_follow_every_change(imported: Project, tmp_path: Path, write_image) -> None:
    year = notes.create_property(imported, "Year", "number")
    by_year = SortSpec("property", "Year")

    def order(sort: SortSpec = by_year, flt: FilterSpec | None = None) -> list[int]:
        return [item.row.id for item in imgservice.list_images(imported, flt, sort).items]

    notes.set_values(imported, year.id, [3], 1800)
    notes.set_values(imported, year.id, [1], 1900)
    assert order() == [3, 1, 2, 4]
    notes.set_values(imported, year.id, [4], 1700)
    assert order() == [4, 3, 1, 2]
    notes.undo(imported)
    assert order() == [3, 1, 2, 4]
    notes.redo(imported)
    assert order(SortSpec("property", "Year", descending=True)) == [1, 3, 4, 2]
    assert order(flt=FilterSpec(image_ids=[1, 2, 4])) == [4, 1, 2]
    assert order(SortSpec("path", descending=True)) == [4, 3, 2, 1]
    write_image(tmp_path / "in" / "00.png", seed=9, size=(60, 40))
    run_import(imported, [tmp_path / "in"])
    assert order(SortSpec("path")) == [1, 5, 2, 3, 4]  # 0.png, 00.png, 1.png ...
    assert order() == [4, 3, 1, 2, 5]  # the new image has no year: last
