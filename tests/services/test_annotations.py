import pytest

from corpuscope.errors import Conflict, InvalidInput, NotFound
from corpuscope.services import annotations as notes
from corpuscope.store import journal
from corpuscope.store.tags import list_tags


@pytest.fixture
def images(project):
    with project.write() as conn:
        conn.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 10, 10, 'PNG')",
            [(i, f"sha{i}") for i in range(1, 7)],
        )
    return list(range(1, 7))


def _state(project):
    conn = project.read()
    return {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}"))) for t in journal.TABLES}


def test_scalar_values_are_checked_by_type(project, images) -> None:
    year = notes.create_property(project, "Year", "number")
    when = notes.create_property(project, "Found", "date")
    notes.set_values(project, year.id, images[:3], "-480")
    notes.set_values(project, when.id, images[:1], "1876-05-02")
    assert (
        project.read()
        .execute("SELECT value FROM image_values WHERE property_id = ?", (year.id,))
        .fetchall()[0][0]
        == -480.0
    )
    for prop, bad in ((year, "five hundred"), (when, "May 1876"), (year, "nan")):
        with pytest.raises(InvalidInput):
            notes.set_values(project, prop.id, images[:1], bad)


def test_values_on_unknown_images_are_refused_without_writing(project, images) -> None:
    prop = notes.create_property(project, "Note", "text")
    before = _state(project)
    with pytest.raises(NotFound, match="999"):
        notes.set_values(project, prop.id, [1, 999], "x")
    assert _state(project) == before


def test_a_single_tag_property_holds_one_tag(project, images) -> None:
    prop = notes.create_property(project, "Room", "tag")
    a = notes.create_tag(project, prop.id, "Room A")
    b = notes.create_tag(project, prop.id, "Room B")
    notes.add_tags(project, prop.id, images[:2], [a.id])
    notes.add_tags(project, prop.id, images[:1], [b.id])
    rows = (
        project.read()
        .execute("SELECT tag_id, image_id FROM image_tags ORDER BY image_id")
        .fetchall()
    )
    assert [tuple(r) for r in rows] == [(b.id, 1), (a.id, 2)]
    with pytest.raises(InvalidInput, match="one tag"):
        notes.set_values(project, prop.id, images[:1], [a.id, b.id])


def test_every_change_undoes_and_redoes_exactly(project, images) -> None:
    steps = []
    states = [_state(project)]

    def step(action):
        steps.append(action())
        states.append(_state(project))

    prop = notes.create_property(project, "Subject", "multi_tags")
    states.append(_state(project))
    animal = notes.create_tag(project, prop.id, "Animal")
    states.append(_state(project))
    cat = notes.create_tag(project, prop.id, "Cat", parents=[animal.id])
    states.append(_state(project))
    kitten = notes.create_tag(project, prop.id, "Kitten")
    states.append(_state(project))
    step(lambda: notes.add_tags(project, prop.id, images[:4], [cat.id]))
    step(lambda: notes.add_tags(project, prop.id, images[3:], [kitten.id]))
    step(lambda: notes.rename_tag(project, cat.id, "Cats"))
    step(lambda: notes.recolor_tag(project, cat.id, "#112233"))
    step(lambda: notes.add_parent(project, kitten.id, animal.id))
    step(lambda: notes.merge_tags(project, cat.id, [kitten.id]))
    step(lambda: notes.delete_tag(project, animal.id))
    step(lambda: notes.clear_values(project, prop.id, images[:2]))
    step(lambda: notes.rename_property(project, prop.id, "Subjects"))
    step(lambda: notes.delete_property(project, prop.id))
    for expected in reversed(states[:-1]):
        assert notes.undo(project) is not None
        assert _state(project) == expected
    assert notes.undo(project) is None
    for expected in states[1:]:
        assert notes.redo(project) is not None
        assert _state(project) == expected
    assert notes.redo(project) is None


def test_undo_survives_reopening_the_project(tmp_path, images, project) -> None:
    from corpuscope.store.db import open_project

    prop = notes.create_property(project, "Note", "text")
    notes.set_values(project, prop.id, [1], "first")
    notes.set_values(project, prop.id, [1], "second")
    project.close()
    with open_project(project.root) as reopened:
        notes.undo(reopened)
        assert reopened.read().execute("SELECT value FROM image_values").fetchone()[0] == "first"


def test_merge_keeps_every_image_of_every_merged_tag(project, images) -> None:
    prop = notes.create_property(project, "Subject", "multi_tags")
    tags = [notes.create_tag(project, prop.id, name) for name in ("Vase", "Vases", "vase ")[:2]]
    notes.add_tags(project, prop.id, [1, 2], [tags[0].id])
    notes.add_tags(project, prop.id, [2, 3], [tags[1].id])
    notes.merge_tags(project, tags[0].id, [tags[1].id])
    assert [t.name for t in list_tags(project.read(), prop.id)] == ["Vase"]
    tagged = [r[0] for r in project.read().execute("SELECT image_id FROM image_tags ORDER BY 1")]
    assert tagged == [1, 2, 3]


def test_errors_are_clear(project, images) -> None:
    prop = notes.create_property(project, "Subject", "multi_tags")
    with pytest.raises(Conflict):
        notes.create_property(project, "subject", "text")
    with pytest.raises(InvalidInput, match="Unknown property type"):
        notes.create_property(project, "X", "sometimes")
    with pytest.raises(NotFound):
        notes.set_values(project, "Nope", [1], "x")
    with pytest.raises(InvalidInput, match="list of tags"):
        notes.set_values(project, prop.id, [1], "Cat")
    with pytest.raises(InvalidInput, match="at least one other tag"):
        tag = notes.create_tag(project, prop.id, "Cat")
        notes.merge_tags(project, tag.id, [tag.id])


def test_a_batch_of_changes_is_one_undo_step(project, images) -> None:
    kind = notes.create_property(project, "Kind", "multi_tags")
    period = notes.create_property(project, "Period", "tag")
    note = notes.create_property(project, "Note", "text")
    vase = notes.create_tag(project, kind.id, "Vase")
    archaic = notes.create_tag(project, period.id, "Archaic")
    before = _state(project)
    count = notes.apply_changes(
        project,
        [2, 3],
        [
            notes.Change(kind.id, "add-tags", [vase.id]),
            notes.Change(period.id, "add-tags", ["Archaic"]),
            notes.Change(note.id, "set", "accepted"),
        ],
    )
    assert count == 2
    rows = (
        project.read().execute("SELECT tag_id, image_id FROM image_tags ORDER BY 1, 2").fetchall()
    )
    assert [tuple(r) for r in rows] == [
        (vase.id, 2),
        (vase.id, 3),
        (archaic.id, 2),
        (archaic.id, 3),
    ]
    notes.undo(project)
    assert _state(project) == before
    with pytest.raises(InvalidInput, match="Cannot add-tags"):
        notes.apply_changes(project, [1], [notes.Change(note.id, "add-tags", [vase.id])])
    assert _state(project) == before
