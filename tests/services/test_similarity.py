import pytest

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.services.similarity import search_text, similar_images


def test_similar_images_come_from_the_same_family_without_the_query(project, vectors) -> None:
    found = similar_images(project, [35], limit=10)
    assert all(31 <= m.image_id <= 60 and m.image_id != 35 for m in found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert all(m.z_score > 1 for m in found)


def test_several_query_images_and_a_minimum_score(project, vectors) -> None:
    found = similar_images(project, [1, 2], limit=200, min_score=0.5)
    assert found and all(m.score >= 0.5 for m in found)
    assert {1, 2}.isdisjoint(m.image_id for m in found)


def test_text_search_needs_a_text_model(project, vectors) -> None:
    with pytest.raises(InvalidInput, match="cannot read text"):
        search_text(project, "a red vase")
    with pytest.raises(InvalidInput, match="Type some words"):
        search_text(project, "   ")


def test_bad_queries_are_refused(project, vectors) -> None:
    with pytest.raises(NotFound):
        similar_images(project, [9999])
    with pytest.raises(InvalidInput):
        similar_images(project, [])
