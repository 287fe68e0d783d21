"""Image filters, sorts and pages in SQL, checked on rows inserted directly."""

from __future__ import annotations

import pytest

from corpuscope.errors import NotFound
from corpuscope.store import images as imgstore
from corpuscope.store.images import Condition, ImageFilter, ImageSort
from corpuscope.store.properties import save_property
from corpuscope.store.tags import add_parent, save_tag
from corpuscope.store.values import add_tag_values, set_scalar_values


@pytest.fixture
def rows(project):
    """Images 1-6; files in two folders (image 6 has two copies, image 5 is missing)."""
    with project.write() as conn:
        conn.execute("INSERT INTO folders (id, path) VALUES (1, '/photos'), (2, '/scans')")
        conn.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 10, 20, 'PNG')",
            [(i, f"{i:040x}") for i in range(1, 7)],
        )
        files = [
            (1, 1, "z.png", 1, "ok"), (2, 1, "y.png", 2, "ok"), (3, 1, "x_1.png", 3, "ok"),
            (4, 2, "w.png", 4, "ok"), (5, 2, "v.png", 5, "missing"), (6, 2, "u.png", 6, "ok"),
            (7, 1, "a.png", 6, "ok"), (8, 1, "bad.png", None, "error"),
        ]  # fmt: skip
        conn.executemany(
            "INSERT INTO files (id, folder_id, path, image_id, status) VALUES (?, ?, ?, ?, ?)",
            files,
        )
        kind = save_property(conn, "Kind", "multi_tags", "image")
        year = save_property(conn, "Year", "number", "image")
        copy = save_property(conn, "Copy", "text", "instance")
        animal = save_tag(conn, kind, "Animal")
        cat = save_tag(conn, kind, "Cat", parents=[animal.id])
        kitten = save_tag(conn, kind, "Kitten")
        add_parent(conn, kitten.id, cat.id)
        add_tag_values(conn, kind, [1, 2], [cat.id])
        add_tag_values(conn, kind, [3], [kitten.id])
        add_tag_values(conn, kind, [2], [animal.id])
        set_scalar_values(conn, year, [1, 4], 1900.0)
        set_scalar_values(conn, year, [2], 2000.0)
        set_scalar_values(conn, copy, [7], "second copy")
    return {
        "kind": kind,
        "year": year,
        "copy": copy,
        "animal": animal,
        "cat": cat,
        "kitten": kitten,
    }


def ids(project, flt=ImageFilter(), sort=ImageSort(), offset=0, limit=100):
    return imgstore.list_image_ids(project.read(), flt, sort, offset=offset, limit=limit)


def test_folders_status_path_and_ids(project, rows) -> None:
    assert ids(project) == [1, 2, 3, 4, 5, 6]
    assert ids(project, ImageFilter(folder_ids=(2,))) == [4, 5, 6]
    assert ids(project, ImageFilter(status="missing")) == [5]
    assert ids(project, ImageFilter(status="ok")) == [1, 2, 3, 4, 6]
    assert ids(project, ImageFilter(path_contains="x_")) == [3]  # _ is not a wildcard
    assert ids(project, ImageFilter(path_contains="a.png")) == [6]
    assert ids(project, ImageFilter(image_ids=(6, 2, 99))) == [2, 6]
    assert ids(project, ImageFilter(image_ids=())) == []
    assert imgstore.count_images(project.read(), ImageFilter(folder_ids=(1,))) == 4


def test_conditions(project, rows) -> None:
    kind, year, copy = rows["kind"], rows["year"], rows["copy"]
    cat_and_below = tuple(imgstore.list_descendants(project.read(), rows["cat"].id))
    assert cat_and_below == (rows["cat"].id, rows["kitten"].id)

    def where(*conditions):
        return ids(project, ImageFilter(conditions=conditions))

    assert where(Condition(kind, "any", tag_sets=(cat_and_below,))) == [1, 2, 3]
    assert where(Condition(kind, "any", tag_sets=((rows["cat"].id,),))) == [1, 2]
    assert where(Condition(kind, "all", tag_sets=((rows["cat"].id,), (rows["animal"].id,)))) == [2]
    assert where(Condition(kind, "none", tag_sets=(cat_and_below,))) == [4, 5, 6]
    assert where(Condition(kind, "empty")) == [4, 5, 6]
    assert where(Condition(kind, "not_empty")) == [1, 2, 3]
    assert where(Condition(year, "eq", 1900.0)) == [1, 4]
    assert where(Condition(year, "ne", 1900.0)) == [2, 3, 5, 6]
    assert where(Condition(year, "ge", 1950)) == [2]
    assert where(Condition(year, "lt", 1950), Condition(kind, "not_empty")) == [1]
    assert where(Condition(copy, "contains", "SECOND")) == [6]
    assert where(Condition(copy, "not_empty")) == [6]


def test_sorts_and_pages(project, rows) -> None:
    by_path = ImageSort("path")
    # image 6's first ok file is the lowest id: u.png in /scans
    assert ids(project, sort=by_path) == [3, 2, 1, 6, 5, 4]
    assert ids(project, sort=ImageSort("path", descending=True)) == [4, 5, 6, 1, 2, 3]
    assert ids(project, sort=ImageSort("property", rows["year"])) == [1, 4, 2, 3, 5, 6]
    by_year_desc = ImageSort("property", rows["year"], descending=True)
    assert ids(project, sort=by_year_desc) == [2, 4, 1, 6, 5, 3]  # no value: always last
    assert ids(project, sort=ImageSort("property", rows["kind"])) == [2, 1, 3, 4, 5, 6]
    assert ids(project, sort=ImageSort("property", rows["copy"])) == [6, 1, 2, 3, 4, 5]
    assert ids(project, sort=by_path, offset=2, limit=2) == [1, 6]


def test_rows_keep_the_order_asked_for(project, rows) -> None:
    found = imgstore.load_image_rows(project.read(), [5, 99, 6, 1])
    assert [(r.id, r.status, r.path, r.folder_id) for r in found] == [
        (5, "missing", "v.png", 2),
        (6, "ok", "u.png", 2),
        (1, "ok", "z.png", 1),
    ]
    assert found[0].sha1 == f"{5:040x}" and (found[0].width, found[0].height) == (10, 20)
    with pytest.raises(NotFound, match="no image 99"):
        imgstore.load_image_row(project.read(), 99)


def test_files_values_and_counts(project, rows) -> None:
    conn = project.read()
    assert [(f.id, f.folder, f.path) for f in imgstore.list_image_files(conn, 6)] == [
        (6, "/scans", "u.png"),
        (7, "/photos", "a.png"),
    ]
    assert imgstore.load_values_of(conn, rows["kind"], [2, 3, 4]) == {
        2: [rows["animal"].id, rows["cat"].id],
        3: [rows["kitten"].id],
    }
    assert imgstore.load_values_of(conn, rows["year"], [1, 2, 3]) == {1: 1900.0, 2: 2000.0}
    assert imgstore.load_values_of(conn, rows["copy"], [7, 6]) == {7: "second copy"}
    counts = imgstore.count_tag_images(conn, rows["kind"])
    assert counts == {rows["animal"].id: 1, rows["cat"].id: 2, rows["kitten"].id: 1}
    assert imgstore.count_images_per_folder(conn) == {1: 4, 2: 3}
    assert imgstore.list_memberships(conn, 1) == []
    with pytest.raises(NotFound, match="clustering group 5"):
        imgstore.load_group_run(conn, 5)


@pytest.mark.parametrize("mode", ["image", "instance"])
def test_tag_conditions_match_a_plain_python_reference(project, mode) -> None:
    """any / all / none over random tags and sets, many sets at once (one shallow SQL
    expression each, however many tags), equal to set logic done in Python."""
    import random

    rng = random.Random(7)
    with project.write() as conn:
        conn.execute("INSERT INTO folders (id, path) VALUES (1, '/f')")
        conn.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'PNG')",
            [(i, f"{i:040x}") for i in range(1, 41)],
        )
        conn.executemany(  # two files per image: an instance value counts for its image
            "INSERT INTO files (id, folder_id, path, image_id, status) VALUES (?, 1, ?, ?, 'ok')",
            [(f, f"{f}.png", (f + 1) // 2) for f in range(1, 81)],
        )
        prop = save_property(conn, "Kind", "multi_tags", mode)
        tags = [save_tag(conn, prop, f"t{n}").id for n in range(12)]
        held: dict[int, set[int]] = {image: set() for image in range(1, 41)}
        for target in range(1, 41 if mode == "image" else 81):
            chosen = rng.sample(tags, rng.randint(0, 4))
            add_tag_values(conn, prop, [target], chosen)
            held[target if mode == "image" else (target + 1) // 2].update(chosen)
    for _ in range(30):
        sets = tuple(tuple(rng.sample(tags, rng.randint(1, 3))) for _ in range(rng.randint(0, 4)))
        expected = {
            "any": [i for i, own in held.items() if any(own & set(s) for s in sets)],
            "all": [i for i, own in held.items() if all(own & set(s) for s in sets)],
            "none": [i for i, own in held.items() if not any(own & set(s) for s in sets)],
        }
        for op, wanted in expected.items():
            flt = ImageFilter(conditions=(Condition(prop, op, tag_sets=sets),))
            assert ids(project, flt) == wanted, (op, sets)
