import pytest
from tests.analysis.test_levels import nested_blobs
from tests.services.conftest import save_planted

from corpuscope.errors import Conflict, InvalidInput, NoFinerGrouping
from corpuscope.services import runs
from corpuscope.services.clustering import run_clustering
from corpuscope.services.levels import run_level_step
from corpuscope.store import runs as runstore


@pytest.fixture
def nested(project):
    """360 images (ids 1..360): three families of three sub-families of 40."""
    X, fine, _ = nested_blobs()
    return save_planted(project, X), fine


def _partition(view) -> list[list[int]]:
    return sorted(sorted(i for i, _ in g.members) for g in view.groups)


def _covers(view, ids) -> bool:
    members = sorted(i for g in view.groups for i, _ in g.members)
    return members == ids.tolist()


def test_automatic_run_keeps_its_levels_and_shows_the_found_grain(project, nested) -> None:
    ids, _ = nested
    view = run_clustering(project, k=-1, seed=0)
    assert view.run.params["level"] == 0 and view.run.params["levels"] >= 3
    assert len(view.groups) == 9
    levels = runstore.load_levels(project.read(), view.run.id)
    assert levels is not None and levels.image_ids.tolist() == ids.tolist()
    assert len(levels.labels) == view.run.params["levels"]
    assert {g.level for g in view.groups} == {levels.chosen}


def test_whole_run_finer_then_coarser_comes_back_and_keeps_unchanged_groups(
    project, nested
) -> None:
    ids, _ = nested
    view = run_clustering(project, k=-1, seed=0)
    runs.name_group(project, view.groups[0].id, "kept")
    coarser = run_level_step(project, view.run.id, step=1)
    assert coarser.run.id == view.run.id and coarser.run.params["level"] == 1
    assert len(coarser.groups) < len(view.groups) and _covers(coarser, ids)
    back = run_level_step(project, view.run.id, step=-1)
    assert _partition(back) == _partition(view)
    finer = run_level_step(project, view.run.id, step=-1)
    assert len(finer.groups) > len(view.groups) and _covers(finer, ids)
    with pytest.raises(NoFinerGrouping, match="no finer level"):
        run_level_step(project, view.run.id, step=-1)


def test_cli_level_option_matches_a_step(project, nested) -> None:
    stepped = run_level_step(project, run_clustering(project, k=-1).run.id, step=1)
    direct = run_clustering(project, k=-1, level=1)
    assert _partition(direct) == _partition(stepped)
    assert run_clustering(project, k=-1, level=99).run.params["level"] >= 1  # the coarsest


def test_one_cluster_finer_becomes_a_nested_run_and_coarser_merges_back(project, nested) -> None:
    view = run_clustering(project, k=-1, level=1)
    big = max(view.groups, key=lambda g: g.size)
    child = run_level_step(project, view.run.id, step=-1, group_id=big.id)
    assert (child.run.parent_run_id, child.run.parent_group_id) == (view.run.id, big.id)
    assert len(child.groups) >= 2
    assert sorted(i for g in child.groups for i, _ in g.members) == sorted(
        i for i, _ in big.members
    )
    # coarser on a part of the nested run merges the parts: one left, so the split goes
    back = run_level_step(project, child.run.id, step=1, group_id=child.groups[0].id)
    assert back.run.id == view.run.id
    assert runs.load_run(project, view.run.id).groups[-1].child_run_ids == ()


def test_one_cluster_coarser_merges_it_with_its_neighbours_in_place(project, nested) -> None:
    ids, _ = nested
    view = run_clustering(project, k=-1)
    merged = run_level_step(project, view.run.id, step=1, group_id=view.groups[0].id)
    assert merged.run.id == view.run.id and len(merged.groups) < len(view.groups)
    assert _covers(merged, ids)
    joined = [g for g in merged.groups if g.id not in {v.id for v in view.groups}]
    assert len(joined) == 1 and set(i for i, _ in view.groups[0].members) <= {
        i for i, _ in joined[0].members
    }


def test_a_cluster_at_the_finest_level_has_no_finer_grouping(project, nested) -> None:
    view = run_clustering(project, k=-1, level=-99)
    tiny = view.groups[0]
    with pytest.raises(NoFinerGrouping, match="No finer grouping found in Cluster"):
        run_level_step(project, view.run.id, step=-1, group_id=tiny.id)
    top = run_clustering(project, k=-1, level=99)
    with pytest.raises(Conflict, match="No coarser grouping"):
        run_level_step(project, top.run.id, step=1, group_id=top.groups[0].id)


def test_runs_without_levels_and_bad_steps_are_refused(project, nested) -> None:
    kmeans = run_clustering(project, k=3)
    with pytest.raises(InvalidInput, match="not made by automatic clustering"):
        run_level_step(project, kmeans.run.id, step=1)
    auto = run_clustering(project, k=-1)
    with pytest.raises(InvalidInput, match="-1"):
        run_level_step(project, auto.run.id, step=2)
    with pytest.raises(InvalidInput, match="Only automatic"):
        run_clustering(project, k=3, level=1)


def test_discarding_a_run_drops_its_levels(project, nested) -> None:
    view = run_clustering(project, k=-1)
    runs.discard_run(project, view.run.id)
    assert runstore.load_levels(project.read(), view.run.id) is None
