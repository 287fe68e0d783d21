import pytest

from corpuscope.errors import Conflict, InvalidInput
from corpuscope.store import tags as tagstore
from corpuscope.store.properties import save_property


@pytest.fixture
def prop(project):
    with project.write() as conn:
        return save_property(conn, "Subject", "multi_tags", "image")


def _tag(project, prop, name, parents=()):
    with project.write() as conn:
        return tagstore.save_tag(conn, prop, name, parents=parents)


def test_a_link_that_would_make_a_cycle_is_refused_and_nothing_changes(project, prop) -> None:
    a = _tag(project, prop, "A")
    b = _tag(project, prop, "B", [a.id])
    c = _tag(project, prop, "C", [b.id])
    for child, parent in ((a.id, c.id), (a.id, a.id), (b.id, c.id)):
        with pytest.raises(Conflict, match="cycle"), project.write() as conn:
            tagstore.add_parent(conn, child, parent)
    assert [t.parents for t in tagstore.list_tags(project.read(), prop.id)] == [
        (),
        (a.id,),
        (b.id,),
    ]


def test_a_dag_with_two_parents_is_allowed(project, prop) -> None:
    a, b = _tag(project, prop, "A"), _tag(project, prop, "B")
    c = _tag(project, prop, "C", [a.id, b.id])
    assert c.parents == (a.id, b.id)


def test_parents_must_belong_to_the_same_property(project, prop) -> None:
    with project.write() as conn:
        other = save_property(conn, "Other", "tag", "image")
    a = _tag(project, prop, "A")
    b = _tag(project, other, "B")
    with pytest.raises(InvalidInput, match="same property"), project.write() as conn:
        tagstore.add_parent(conn, b.id, a.id)


def test_duplicate_names_and_bad_colours_are_refused(project, prop) -> None:
    _tag(project, prop, "Cats")
    with pytest.raises(Conflict), project.write() as conn:
        tagstore.save_tag(conn, prop, "  Cats ")
    with pytest.raises(InvalidInput, match="#rrggbb"), project.write() as conn:
        tagstore.save_tag(conn, prop, "Dogs", color="red")


def test_deleting_a_tag_relinks_its_children_to_its_parents(project, prop) -> None:
    a = _tag(project, prop, "A")
    b = _tag(project, prop, "B", [a.id])
    c = _tag(project, prop, "C", [b.id])
    with project.write() as conn:
        tagstore.delete_tag(conn, b)
    assert tagstore.load_tag(project.read(), c.id).parents == (a.id,)


def test_merge_moves_values_and_unites_parents_and_children(project, prop) -> None:
    with project.write() as conn:
        conn.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'PNG')",
            [(i, f"s{i}") for i in range(1, 5)],
        )
    root1, root2 = _tag(project, prop, "Root1"), _tag(project, prop, "Root2")
    keep = _tag(project, prop, "Cat", [root1.id])
    gone = _tag(project, prop, "Kitten", [root2.id])
    child = _tag(project, prop, "Tabby kitten", [gone.id])
    with project.write() as conn:
        conn.executemany(
            "INSERT INTO image_tags VALUES (?, ?)", [(keep.id, 1), (gone.id, 2), (gone.id, 1)]
        )
        result = tagstore.merge_tags(conn, keep, [gone])
    assert result.survivor.parents == (root1.id, root2.id)
    assert tagstore.load_tag(project.read(), child.id).parents == (keep.id,)
    rows = (
        project.read()
        .execute("SELECT tag_id, image_id FROM image_tags ORDER BY image_id")
        .fetchall()
    )
    assert [tuple(r) for r in rows] == [(keep.id, 1), (keep.id, 2)]
    assert tagstore.find_tag(project.read(), prop.id, "Kitten") is None


def test_merging_a_parent_into_its_child_drops_the_cycle_link_only(project, prop) -> None:
    top = _tag(project, prop, "Top")
    mid = _tag(project, prop, "Mid", [top.id])
    low = _tag(project, prop, "Low", [mid.id])
    with project.write() as conn:
        result = tagstore.merge_tags(conn, low, [mid])
    assert result.survivor.parents == (top.id,)
    assert result.links_dropped == 0


def test_merge_refuses_tags_of_another_property(project, prop) -> None:
    with project.write() as conn:
        other = save_property(conn, "Other", "tag", "image")
    a, b = _tag(project, prop, "A"), _tag(project, other, "B")
    with pytest.raises(InvalidInput), project.write() as conn:
        tagstore.merge_tags(conn, a, [b])


def test_merge_drops_a_link_that_would_close_a_cycle_and_counts_it(project, prop) -> None:
    a = _tag(project, prop, "A")
    b = _tag(project, prop, "B", [a.id])
    c = _tag(project, prop, "C", [b.id])
    with project.write() as conn:
        result = tagstore.merge_tags(conn, c, [a])
    assert result.links_dropped == 1
    assert result.survivor.parents == (b.id,)
    assert tagstore.load_tag(project.read(), b.id).parents == ()
