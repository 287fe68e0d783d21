import pytest

from corpuscope.errors import InvalidInput, NoFinerGrouping, NotFound
from corpuscope.services import runs
from corpuscope.services.clustering import run_clustering


def _partition(view):
    return sorted(sorted(image for image, _ in g.members) for g in view.groups)


def test_kmeans_run_is_recorded_sorted_and_covers_every_image_once(project, vectors) -> None:
    ids, _ = vectors
    view = run_clustering(project, k=4, seed=1)
    members = [image for g in view.groups for image, _ in g.members]
    assert sorted(members) == ids.tolist()
    assert _partition(view) == [list(range(s, s + 30)) for s in (1, 31, 61, 91)]
    scores = [g.score for g in view.groups]
    assert scores == sorted(scores)
    for group in view.groups:
        image_scores = [score for _, score in group.members]
        assert image_scores == sorted(image_scores, reverse=True)
    again = runs.load_run(project, view.run.id)
    assert _partition(again) == _partition(view)
    assert (again.run.algorithm, again.run.seed, again.run.params["k"]) == ("kmeans", 1, 4)


def test_automatic_mode_finds_the_planted_groups(project, vectors) -> None:
    view = run_clustering(project, k=-1)
    ordinary = [g for g in view.groups if g.kind == "cluster"]
    assert len(ordinary) == 4
    assert view.run.algorithm == "auto"


def test_nesting_clusters_one_group_and_hangs_the_run_under_it(project, vectors) -> None:
    root = run_clustering(project, k=2, seed=0)
    target = root.groups[0]
    nested = run_clustering(project, k=2, within=(root.run.id, target.id))
    assert (nested.run.parent_run_id, nested.run.parent_group_id) == (root.run.id, target.id)
    assert sorted(i for g in nested.groups for i, _ in g.members) == sorted(
        i for i, _ in target.members
    )
    assert runs.load_run(project, root.run.id).groups[0].child_run_ids == (nested.run.id,)
    deeper = run_clustering(project, k=2, within=(nested.run.id, nested.groups[0].id))
    assert deeper.run.scope == {"kind": "group", "run": nested.run.id, "group": nested.groups[0].id}


def test_automatic_mode_in_a_group_without_structure_says_so_and_records_nothing(
    project, vectors
) -> None:
    root = run_clustering(project, k=-1)
    family = root.groups[0]
    before = len(runs.list_runs(project))
    with pytest.raises(NoFinerGrouping, match="No finer grouping found in Cluster 1"):
        run_clustering(project, k=-1, within=(root.run.id, family.id))
    assert len(runs.list_runs(project)) == before


def test_a_subset_of_images_can_be_clustered(project, vectors) -> None:
    view = run_clustering(project, k=2, image_ids=list(range(1, 61)))
    assert view.run.n_images == 60 and view.run.scope["kind"] == "images"


def test_stability_is_reported_per_cluster_when_asked(project, vectors) -> None:
    view = run_clustering(project, k=4, stability=True)
    assert all(g.stability is not None and 0.9 <= g.stability <= 1.0 for g in view.groups)


@pytest.mark.parametrize("k", [0, -2, 100000])
def test_bad_k_is_refused(project, vectors, k) -> None:
    with pytest.raises(InvalidInput, match="number of clusters"):
        run_clustering(project, k=k)


def test_bad_inputs_are_refused(project, vectors) -> None:
    root = run_clustering(project, k=2)
    other = run_clustering(project, k=3)
    with pytest.raises(InvalidInput, match="does not belong"):
        run_clustering(project, k=2, within=(root.run.id, other.groups[0].id))
    with pytest.raises(NotFound):
        run_clustering(project, k=2, image_ids=[1, 5000])
    with pytest.raises(NotFound, match="no vectors"):
        run_clustering(project, k=2, model="clip-vit-b-32")
