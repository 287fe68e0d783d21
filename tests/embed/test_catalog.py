from __future__ import annotations

import pytest

from corpuscope.embed.catalog import CATALOG, DEFAULT_MODEL, find_spec
from corpuscope.errors import InvalidInput


def test_names_are_unique_and_the_default_is_bundled() -> None:
    names = [spec.name for spec in CATALOG]
    assert len(names) == len(set(names))
    assert CATALOG[0].name == DEFAULT_MODEL == "efficientnet-lite0"
    assert find_spec(DEFAULT_MODEL).family == "bundled"


def test_downloadable_models_name_their_repository() -> None:
    for spec in CATALOG:
        assert spec.title and spec.size and spec.speed and spec.dim > 0
        if spec.family != "bundled":
            assert "/" in spec.repo_id
    assert find_spec("clip-vit-b-32").repo_id == "openai/clip-vit-base-patch32"


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="clip-vit-b-32") as caught:
        find_spec("clip-vit-h-14")
    assert "Unknown model 'clip-vit-h-14'" in str(caught.value)
