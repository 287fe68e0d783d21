import pytest

from corpuscope.errors import InvalidInput
from corpuscope.services import annotations as notes
from corpuscope.services import runs
from corpuscope.services.clustering import run_clustering
from corpuscope.services.recommendations import recommend, refuse


def test_recommendations_for_a_tag_come_from_its_family_and_exclude_members(
    project, vectors
) -> None:
    prop = notes.create_property(project, "Family", "tag")
    tag = notes.create_tag(project, prop.id, "First")
    notes.add_tags(project, prop.id, list(range(1, 11)), [tag.id])
    found = recommend(project, target=f"tag:{tag.id}", limit=20)
    assert [r.image_id for r in found] and all(11 <= r.image_id <= 30 for r in found)
    scores = [r.score for r in found]
    assert scores == sorted(scores, reverse=True)


def test_refused_images_never_come_back_and_paging_continues(project, vectors) -> None:
    members = list(range(1, 6))
    first = recommend(project, target="grid:family-one", image_ids=members, limit=5)
    refuse(project, "grid:family-one", [first[0].image_id])
    again = recommend(project, target="grid:family-one", image_ids=members, limit=5)
    assert first[0].image_id not in [r.image_id for r in again]
    page2 = recommend(project, target="grid:family-one", image_ids=members, limit=5, offset=5)
    assert not {r.image_id for r in again} & {r.image_id for r in page2}


def test_a_filter_restricts_the_candidates(project, vectors) -> None:
    found = recommend(
        project, target="grid:x", image_ids=[1, 2, 3], restrict_to=list(range(60, 121)), limit=10
    )
    assert all(r.image_id >= 60 for r in found)


def test_accepting_into_a_cluster_moves_the_image_out_of_its_old_cluster(project, vectors) -> None:
    view = run_clustering(project, k=4, seed=0)
    target, other = view.groups[0], view.groups[1]
    newcomer = other.members[-1][0]
    nested = run_clustering(project, k=2, within=(view.run.id, other.id))
    moved = runs.move_to_group(project, target.id, [newcomer])
    assert moved.size == target.size + 1 and moved.members[-1][0] == newcomer
    after = runs.load_run(project, view.run.id)
    assert sum(g.size for g in after.groups) == 120
    assert newcomer not in [i for i, _ in next(g for g in after.groups if g.id == other.id).members]
    assert newcomer not in [
        i for g in runs.load_run(project, nested.run.id).groups for i, _ in g.members
    ]
    assert sum(g.size for g in runs.load_run(project, nested.run.id).groups) == other.size - 1


def test_bad_requests_are_refused(project, vectors) -> None:
    with pytest.raises(InvalidInput):
        recommend(project, target="nonsense")
    with pytest.raises(InvalidInput):
        recommend(project, target="grid:x", image_ids=[1], limit=0)
    with pytest.raises(InvalidInput):
        refuse(project, "grid:x", [])
