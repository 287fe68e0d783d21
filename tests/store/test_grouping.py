"""Arrays for grouping: filtered ids, (image, key) pairs per level, tag ancestry."""

from __future__ import annotations

import numpy as np

from corpuscope.store.grouping import Level, load_filtered_ids, load_level_pairs, load_tag_ancestry
from corpuscope.store.images import ImageFilter
from corpuscope.store.properties import save_property
from corpuscope.store.tags import save_tag
from corpuscope.store.values import add_tag_values, set_scalar_values


def test_pairs_for_every_kind_of_level(project) -> None:
    with project.write() as conn:
        conn.execute("INSERT INTO folders (id, path) VALUES (1, '/a'), (2, '/b')")
        conn.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'PNG')",
            [(i, f"{i:040x}") for i in (1, 2, 3)],
        )
        conn.executemany(
            "INSERT INTO files (id, folder_id, path, image_id, status) VALUES (?, ?, ?, ?, 'ok')",
            [(1, 1, "x", 1), (2, 2, "x", 1), (3, 2, "y", 2), (4, 2, "z", 3)],
        )
        tags = save_property(conn, "Tags", "multi_tags", "instance")
        note = save_property(conn, "Note", "text", "instance")
        root = save_tag(conn, tags, "root")
        leaf = save_tag(conn, tags, "leaf", parents=[root.id])
        add_tag_values(conn, tags, [1, 2], [leaf.id])  # both files of image 1
        add_tag_values(conn, tags, [3], [root.id, leaf.id])
        set_scalar_values(conn, note, [1], "first")
        set_scalar_values(conn, note, [2], "second")
    conn = project.read()
    assert load_filtered_ids(conn, ImageFilter()).tolist() == [1, 2, 3]
    assert load_filtered_ids(conn, ImageFilter(image_ids=())).tolist() == []
    images, keys = load_level_pairs(conn, Level(None))
    assert sorted(zip(images.tolist(), np.asarray(keys).tolist(), strict=True)) == [
        (1, 1),
        (1, 2),
        (2, 2),
        (3, 2),
    ]
    images, keys = load_level_pairs(conn, Level(tags))
    assert sorted(zip(images.tolist(), np.asarray(keys).tolist(), strict=True)) == [
        (1, leaf.id),
        (2, root.id),
        (2, leaf.id),
    ]
    images, keys = load_level_pairs(conn, Level(note))
    assert sorted(zip(images.tolist(), keys, strict=True)) == [(1, "first"), (1, "second")]
    assert load_tag_ancestry(conn, tags) == [
        (root.id, root.id),
        (leaf.id, root.id),
        (leaf.id, leaf.id),
    ]
