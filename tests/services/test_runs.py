import pytest

from corpuscope.errors import NotFound
from corpuscope.services import annotations as notes
from corpuscope.services import runs
from corpuscope.store import runs as runstore
from corpuscope.store.runs import NewGroup, NewRun
from corpuscope.store.tags import list_tags


@pytest.fixture
def images(project):
    with project.write() as conn:
        conn.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'PNG')",
            [(i, f"s{i}") for i in range(1, 11)],
        )
    return list(range(1, 11))


def _group(members, kind="cluster", name=None):
    return NewGroup(kind, 10.0, members, [1.0 - 0.1 * i for i in range(len(members))], name=name)


def _run(project, groups, parent=None):
    with project.write() as conn:
        return runstore.save_run(
            conn,
            NewRun(
                "kmeans",
                {"k": len(groups)},
                0,
                None,
                {"kind": "all"},
                sum(len(g.members) for g in groups),
                0.1,
                groups,
                parent_run_id=parent[0] if parent else None,
                parent_group_id=parent[1] if parent else None,
            ),
        )


@pytest.fixture
def tree(project, images):
    root = _run(
        project,
        [_group([1, 2, 3, 4, 5, 6]), _group([7, 8], name="Vases"), _group([9, 10], "outliers")],
    )
    first = runs.load_run(project, root).groups[0].id
    child = _run(project, [_group([1, 2, 3]), _group([4, 5, 6])], parent=(root, first))
    grandchild_parent = runs.load_run(project, child).groups[1].id
    _run(project, [_group([4]), _group([5, 6])], parent=(child, grandchild_parent))
    return root


def _tag_tree(project, prop_id):
    tags = list_tags(project.read(), prop_id)
    names = {t.id: t.name for t in tags}
    return {t.name: sorted(names[p] for p in t.parents) for t in tags}


def _image_tags(project, prop_id):
    rows = project.read().execute(
        "SELECT image_tags.image_id, tags.name FROM image_tags JOIN tags ON tags.id = image_tags.tag_id "
        "WHERE tags.property_id = ? ORDER BY image_id",
        (prop_id,),
    )
    return dict(rows.fetchall())


def test_groups_get_numbered_labels_that_follow_the_nesting(project, tree) -> None:
    root = runs.load_run(project, tree)
    assert [g.label for g in root.groups] == ["Cluster 1", "Vases", "Outliers 3"]
    child = runs.load_run(project, root.groups[0].child_run_ids[0])
    assert [g.label for g in child.groups] == ["Cluster 1.1", "Cluster 1.2"]
    grandchild = runs.load_run(project, child.groups[1].child_run_ids[0])
    assert [g.label for g in grandchild.groups] == ["Cluster 1.2.1", "Cluster 1.2.2"]


def test_saving_mirrors_the_nesting_and_tags_each_image_with_its_leaf(project, tree) -> None:
    prop = runs.save_run(project, tree)
    assert (prop.name, prop.type) == ("Clustering", "tag")
    assert _tag_tree(project, prop.id) == {
        "Cluster 1": [],
        "Vases": [],
        "Outliers 3": [],
        "Cluster 1.1": ["Cluster 1"],
        "Cluster 1.2": ["Cluster 1"],
        "Cluster 1.2.1": ["Cluster 1.2"],
        "Cluster 1.2.2": ["Cluster 1.2"],
    }
    assert _image_tags(project, prop.id) == {
        1: "Cluster 1.1",
        2: "Cluster 1.1",
        3: "Cluster 1.1",
        4: "Cluster 1.2.1",
        5: "Cluster 1.2.2",
        6: "Cluster 1.2.2",
        7: "Vases",
        8: "Vases",
        9: "Outliers 3",
        10: "Outliers 3",
    }
    assert runs.load_run(project, tree).run.saved_property_id == prop.id


def test_a_flat_save_keeps_only_the_leaves_and_names_are_made_unique(project, tree) -> None:
    notes.create_property(project, "Clustering", "text")
    prop = runs.save_run(project, tree, flat=True)
    assert prop.name == "Clustering (2)"
    assert set(_tag_tree(project, prop.id)) == {
        "Cluster 1.1",
        "Cluster 1.2.1",
        "Cluster 1.2.2",
        "Vases",
        "Outliers 3",
    }
    assert all(parents == [] for parents in _tag_tree(project, prop.id).values())
    assert len(_image_tags(project, prop.id)) == 10


def test_saving_is_one_undo_step(project, tree) -> None:
    prop = runs.save_run(project, tree, name="Greek vases")
    assert prop.name == "Greek vases"
    notes.undo(project)
    assert project.read().execute("SELECT COUNT(*) FROM tags").fetchone()[0] == 0
    assert project.read().execute("SELECT COUNT(*) FROM properties").fetchone()[0] == 0


def test_discarding_a_run_takes_its_nested_runs_along(project, tree) -> None:
    assert len(runs.list_runs(project)) == 3
    runs.discard_run(project, tree)
    assert runs.list_runs(project) == []
    with pytest.raises(NotFound):
        runs.load_run(project, tree)


def test_named_groups_become_tag_names(project, tree) -> None:
    first = runs.load_run(project, tree).groups[0]
    runs.name_group(project, first.id, "Amphorae")
    prop = runs.save_run(project, tree)
    assert "Amphorae" in _tag_tree(project, prop.id)
    assert runs.load_run(project, first.child_run_ids[0]).groups[0].label == "Cluster 1.1"
