import pytest

from corpuscope.errors import InvalidInput
from corpuscope.services import annotations as notes
from corpuscope.services.tag_groups import run_by_tags


def test_images_go_to_the_tag_of_their_family_or_to_unassigned(project, vectors) -> None:
    prop = notes.create_property(project, "Family", "multi_tags")
    first = notes.create_tag(project, prop.id, "First")
    second = notes.create_tag(project, prop.id, "Second")
    notes.add_tags(project, prop.id, [1, 2, 3], [first.id])
    notes.add_tags(project, prop.id, [31, 32], [second.id])
    view = run_by_tags(project, prop.id, min_similarity=0.6)
    by_name = {g.label: sorted(i for i, _ in g.members) for g in view.groups}
    assert by_name["First"] == list(range(1, 31))
    assert by_name["Second"] == list(range(31, 61))
    assert by_name["Unassigned 3"] == list(range(61, 121))
    assert view.groups[-1].kind == "unassigned"


def test_by_tags_needs_a_tag_property_with_tags(project, vectors) -> None:
    text = notes.create_property(project, "Note", "text")
    with pytest.raises(InvalidInput, match="not a tag property"):
        run_by_tags(project, text.id)
    empty = notes.create_property(project, "Empty", "tag")
    with pytest.raises(InvalidInput, match="no tags"):
        run_by_tags(project, empty.id)
    notes.create_tag(project, empty.id, "Unused")
    with pytest.raises(InvalidInput, match="tag a few images"):
        run_by_tags(project, empty.id)
