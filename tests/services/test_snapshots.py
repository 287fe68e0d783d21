"""Reads that span several tables see one snapshot, even when a write commits in between.

The write is committed for real, on the project's writer connection, at the exact moment the
reader starts a chosen query (SQLite's statement trace): the interleaving a soak test found by
chance (grouping by a tag property answered 500 while an undo re-created a merged tag).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from tests.services.test_grouping import make_images

from corpuscope.services import annotations as notes
from corpuscope.services.grouping import group_images
from corpuscope.services.images import ConditionSpec, FilterSpec, list_images
from corpuscope.store.db import Project, in_one_snapshot


@contextmanager
def commit_during(
    project: Project, marker: str, write: Callable[[], object]
) -> Iterator[list[str]]:
    """Run ``write`` (once, committed by another thread) when this thread's reader starts a
    query that mentions ``marker``; the list holds what ``write`` returned once it did."""
    seen: list[str] = []

    def trace(sql: str) -> None:
        if marker in sql and not seen:
            done: list[object] = []
            writer = threading.Thread(target=lambda: done.append(write()))
            writer.start()  # another thread: it has its own reader connection
            writer.join()
            seen.extend(done)

    conn = project.read()
    conn.set_trace_callback(trace)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


@pytest.fixture
def merged(project: Project) -> tuple[Project, int]:
    """Kind: tags Cat (images 1-2) and Feline (images 3-4), Feline merged into Cat."""
    make_images(project, 5)
    kind = notes.create_property(project, "Kind", "multi_tags")
    cat = notes.create_tag(project, kind.id, "Cat")
    feline = notes.create_tag(project, kind.id, "Feline")
    notes.add_tags(project, kind.id, [1, 2], [cat.id])
    notes.add_tags(project, kind.id, [3, 4], [feline.id])
    notes.merge_tags(project, cat.id, [feline.id])
    return project, kind.id


def test_grouping_by_tags_sees_an_undo_whole_or_not_at_all(merged) -> None:
    project, kind = merged
    with commit_during(project, "image_tags", lambda: notes.undo(project)) as seen:
        grouping = group_images(project, [kind])
    assert seen  # the undo really committed while the grouping was reading
    assert [(g.label, g.count) for g in grouping.groups] == [("Cat", 4), ("(no value)", 1)]
    after = group_images(project, [kind])
    assert [(g.label, g.count) for g in after.groups] == [
        ("Cat", 2),
        ("Feline", 2),
        ("(no value)", 1),
    ]


def test_without_a_snapshot_the_same_interleaving_is_inconsistent(merged) -> None:
    """The check above would catch a service that reads outside a snapshot."""
    project, kind = merged
    unprotected = group_images.__wrapped__
    undo = commit_during(project, "image_tags", lambda: notes.undo(project))
    with undo, pytest.raises(KeyError):
        unprotected(project, [kind])


def test_a_page_of_images_counts_what_it_lists(project: Project) -> None:
    make_images(project, 7)
    note = notes.create_property(project, "Note", "text")
    notes.set_values(project, note.id, [1, 2, 3], "kept")
    moves = iter([([1], [4, 5]), ([2], [6, 7])])

    def move_values() -> None:
        cleared, added = next(moves)
        notes.clear_values(project, note.id, cleared)
        notes.set_values(project, note.id, added, "kept")

    kept = FilterSpec(conditions=[ConditionSpec(note.id, "eq", "kept")])
    with commit_during(project, "SELECT images.id FROM images", move_values) as seen:
        page = list_images(project, kept, properties=[note.id])
    assert seen
    assert [item.row.id for item in page.items] == [1, 2, 3] and page.total == 3
    assert all(item.values[note.id] == "kept" for item in page.items)
    with commit_during(project, "SELECT images.id FROM images", move_values):
        torn = list_images.__wrapped__(project, kept, properties=[note.id])
    assert torn.total != len(torn.items)  # what the snapshot prevents


def test_a_snapshot_holds_until_its_block_ends_and_nests(project: Project) -> None:
    make_images(project, 2)

    @in_one_snapshot
    def count(project: Project) -> int:
        return int(project.read().execute("SELECT COUNT(*) FROM images").fetchone()[0])

    with project.snapshot() as conn:
        before = conn.execute("SELECT COUNT(*) FROM images").fetchone()[0]
        with project.write() as writer:
            writer.execute(
                "INSERT INTO images (id, sha1, width, height, format) VALUES (9, 'x', 1, 1, 'PNG')"
            )
        assert count(project) == before == 2  # the nested call joined the outer snapshot
    assert count(project) == 3
    assert not project.read().in_transaction
