"""Grouping: the SQL counts equal a plain Python count over random projects, and tree order."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.services import annotations as notes
from corpuscope.services.grouping import (
    GroupNode,
    group_images,
    list_group_members,
    list_property_tags,
)
from corpuscope.services.images import ConditionSpec, FilterSpec
from corpuscope.store.db import Project, create_project


def make_images(project: Project, count: int) -> list[int]:
    with project.write() as conn:
        conn.execute("INSERT INTO folders (id, path) VALUES (1, '/a'), (2, '/b')")
        conn.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'PNG')",
            [(i, f"{i:040x}") for i in range(1, count + 1)],
        )
        conn.executemany(
            "INSERT INTO files (folder_id, path, image_id, status) VALUES (?, ?, ?, 'ok')",
            [(1 + i % 2, f"{i}.png", i) for i in range(1, count + 1)],
        )
    return list(range(1, count + 1))


def random_project(
    root: Path, seed: int
) -> tuple[Project, dict[str, dict[int, object]], dict[int, list[int]]]:
    """A tag hierarchy (multi tags), a number property with gaps; the truth in plain dicts."""
    rng = random.Random(seed)
    project = create_project(root)
    ids = make_images(project, rng.randint(5, 40))
    kind = notes.create_property(project, "Kind", "multi_tags")
    parents: dict[int, list[int]] = {}
    tags: list[int] = []
    for number in range(rng.randint(1, 7)):
        above = rng.sample(tags, k=min(len(tags), rng.randint(0, 2)))
        tag = notes.create_tag(project, kind.id, f"t{number}", parents=above)
        tags.append(tag.id)
        parents[tag.id] = above
    truth: dict[str, dict[int, object]] = {"Kind": {}, "Year": {}}
    for image in ids:
        chosen = sorted(set(rng.sample(tags, k=rng.randint(0, min(2, len(tags))))))
        if chosen:
            notes.add_tags(project, kind.id, [image], chosen)
            truth["Kind"][image] = chosen
    year = notes.create_property(project, "Year", "number")
    for image in ids:
        if rng.random() < 0.7:
            value = float(rng.choice([1900, 1950, 2000]))
            notes.set_values(project, year.id, [image], value)
            truth["Year"][image] = value
    return project, truth, parents


def ancestors(tag: int, parents: dict[int, list[int]]) -> set[int]:
    found = {tag}
    for parent in parents[tag]:
        found |= ancestors(parent, parents)
    return found


def keys_of(value: object) -> list[object]:
    if value is None:
        return [None]
    return list(value) if isinstance(value, list) else [value]


@pytest.mark.parametrize("seed", range(12))
def test_counts_equal_a_plain_count(tmp_path: Path, seed: int) -> None:
    project, truth, parents = random_project(tmp_path / "p", seed)
    with project:
        all_ids = [row[0] for row in project.read().execute("SELECT id FROM images")]
        grouping = group_images(project, ["Year", "Kind"])
        assert grouping.total == len(all_ids)
        outer: Counter[object] = Counter()
        inner: Counter[tuple[object, object]] = Counter()
        rolled: Counter[tuple[object, object]] = Counter()
        for image in all_ids:
            year = truth["Year"].get(image)
            outer[year] += 1
            kinds = truth["Kind"].get(image)
            for kind in keys_of(kinds):
                inner[(year, kind)] += 1
            above = set().union(*(ancestors(k, parents) for k in kinds)) if kinds else {None}
            for tag in above:
                rolled[(year, tag)] += 1
        assert {g.key: g.count for g in grouping.groups} == dict(outer)
        for group in grouping.groups:
            assert {c.key: c.count for c in group.children} == {
                k: n for (y, k), n in inner.items() if y == group.key
            } | {k: 0 for (y, k) in rolled if y == group.key and (y, k) not in inner}
            assert {c.key: c.total for c in group.children} == {
                k: n for (y, k), n in rolled.items() if y == group.key
            }


def test_tags_come_in_tree_order_with_depth(project: Project) -> None:
    ids = make_images(project, 4)
    prop = notes.create_property(project, "Kind", "tag")
    b = notes.create_tag(project, prop.id, "b")
    a = notes.create_tag(project, prop.id, "a")
    b2 = notes.create_tag(project, prop.id, "b child", parents=[b.id])
    a1 = notes.create_tag(project, prop.id, "A child", parents=[a.id])
    notes.set_values(project, prop.id, ids[:1], [b2.id])
    notes.set_values(project, prop.id, ids[1:2], [a1.id])
    notes.set_values(project, prop.id, ids[2:3], [a.id])
    grouping = group_images(project, [prop.id])
    shown = [(g.label, g.depth, g.count, g.total) for g in grouping.groups]
    assert shown == [
        ("a", 0, 1, 2),
        ("A child", 1, 1, 1),
        ("b", 0, 0, 1),
        ("b child", 1, 1, 1),
        ("(no value)", 0, 1, 1),
    ]
    assert grouping.groups[1].parents == (a.id,)


def test_folder_level_and_scalar_labels(project: Project) -> None:
    ids = make_images(project, 5)
    seen = notes.create_property(project, "Seen", "checkbox")
    notes.set_values(project, seen.id, ids[:2], True)
    notes.set_values(project, seen.id, ids[2:3], False)
    grouping = group_images(project, ["folder", "Seen"])
    assert [(g.key, g.label, g.count) for g in grouping.groups] == [(1, "/a", 2), (2, "/b", 3)]
    labels = {g.label: [(c.label, c.count) for c in g.children] for g in grouping.groups}
    assert labels == {
        "/a": [("true", 1), ("(no value)", 1)],
        "/b": [("false", 1), ("true", 1), ("(no value)", 1)],
    }


def test_members_of_a_group_and_filters(project: Project) -> None:
    ids = make_images(project, 6)
    prop = notes.create_property(project, "Kind", "multi_tags")
    parent = notes.create_tag(project, prop.id, "parent")
    child = notes.create_tag(project, prop.id, "child", parents=[parent.id])
    notes.add_tags(project, prop.id, ids[:2], [child.id])
    notes.add_tags(project, prop.id, ids[1:3], [parent.id])
    page = list_group_members(project, ["Kind"], [parent.id])
    assert [item.row.id for item in page.items] == ids[1:3]
    page = list_group_members(project, ["Kind"], [parent.id], descendants=True)
    assert [item.row.id for item in page.items] == ids[:3]
    only_b = FilterSpec(folder_ids=[2])
    page = list_group_members(project, ["Kind"], [parent.id], only_b, descendants=True)
    assert [item.row.id for item in page.items] == [1, 3]
    assert list_group_members(project, ["folder"], [1], only_b).total == 0
    page = list_group_members(project, ["Kind"], [None], properties=["Kind"])
    assert [item.row.id for item in page.items] == ids[3:]
    filtered = FilterSpec(conditions=[ConditionSpec("Kind", "not_empty")])
    assert group_images(project, ["Kind"], filtered).total == 3
    with pytest.raises(NotFound):
        group_images(project, ["Nope"])
    with pytest.raises(InvalidInput, match="at most one per level"):
        list_group_members(project, ["Kind"], [1, 2])
    with pytest.raises(InvalidInput, match="1 to 1000 groups"):
        group_images(project, ["Kind"], max_groups=0)


def test_property_catalogue_with_tag_counts(project: Project) -> None:
    ids = make_images(project, 3)
    prop = notes.create_property(project, "Kind", "multi_tags")
    notes.create_property(project, "Note", "text")
    tag = notes.create_tag(project, prop.id, "x")
    notes.add_tags(project, prop.id, ids, [tag.id])
    catalogue = list_property_tags(project)
    assert [(p.name, [(t.name, n) for t, n in tags]) for p, tags in catalogue] == [
        ("Kind", [("x", 3)]),
        ("Note", []),
    ]
    assert isinstance(GroupNode(None, "", 0), GroupNode)
