"""The journal's restore must make a scope's rows exactly a captured state."""

from corpuscope.store import journal
from corpuscope.store.properties import save_property
from corpuscope.store.tags import save_tag


def _snapshot(conn):
    return {
        table: sorted(map(tuple, conn.execute(f"SELECT * FROM {table}")))
        for table in journal.TABLES
    }


def test_restore_brings_back_a_deleted_property_with_everything_in_it(project) -> None:
    with project.write() as conn:
        conn.execute(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (1, 'a', 1, 1, 'PNG')"
        )
        prop = save_property(conn, "Kind", "multi_tags", "image")
        parent = save_tag(conn, prop, "Animal")
        child = save_tag(conn, prop, "Cat", parents=[parent.id])
        conn.execute("INSERT INTO image_tags VALUES (?, 1)", (child.id,))
    scope = journal.property_scope(prop.id)
    with project.write() as conn:
        before_all = _snapshot(conn)
        before = journal.capture(conn, scope)
        conn.execute("DELETE FROM properties WHERE id = ?", (prop.id,))
        assert _snapshot(conn)["tags"] == []
        journal.restore(conn, scope, before)
        assert _snapshot(conn) == before_all


def test_undo_and_redo_walk_the_history_and_a_new_change_drops_redo(project) -> None:
    with project.write() as conn:
        prop = save_property(conn, "Kind", "multi_tags", "image")
    scope = journal.tags_scope([1])
    states = []
    for name in ("One", "Two", "Three"):
        with project.write() as conn:
            before = journal.capture(conn, scope)
            if name == "One":
                save_tag(conn, prop, name)
            else:
                conn.execute("UPDATE tags SET name = ? WHERE id = 1", (name,))
            journal.record_change(conn, name, scope, before, journal.capture(conn, scope))
            states.append(_snapshot(conn))
    with project.write() as conn:
        assert journal.undo_last(conn).label == "Three"
        assert _snapshot(conn) == states[1]
        assert journal.undo_last(conn).label == "Two"
        assert journal.redo_next(conn).label == "Two"
        assert _snapshot(conn) == states[1]
        before = journal.capture(conn, scope)
        conn.execute("UPDATE tags SET name = 'Four' WHERE id = 1")
        journal.record_change(conn, "Four", scope, before, journal.capture(conn, scope))
        assert journal.redo_next(conn) is None
        assert [e.label for e in journal.list_journal(conn)] == ["Four", "Two", "One"]


def test_a_change_that_changes_nothing_is_not_recorded(project) -> None:
    with project.write() as conn:
        scope = journal.tags_scope([5])
        rows = journal.capture(conn, scope)
        assert journal.record_change(conn, "nothing", scope, rows, rows) is None
        assert journal.undo_last(conn) is None
