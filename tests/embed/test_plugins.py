"""Models from installed packages: the example plug-in of docs/models.md, installed here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpuscope.embed import plugins
from corpuscope.embed.registry import find_model, list_models, load_embedder
from corpuscope.errors import ModelUnavailable

from .conftest import generated_picture


def _dist(site: Path, name: str, points: dict[str, str]) -> None:
    info = site / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    body = "".join(f"{key} = {value}\n" for key, value in points.items())
    (info / "entry_points.txt").write_text(f"[corpuscope.models]\n{body}")


def test_the_documented_plugin_is_listed_and_embeds(example_plugin: str) -> None:
    assert example_plugin == "colour-histogram"
    info = find_model(example_plugin)
    assert info.source == "plugin" and info.available and not info.has_text
    assert info.dim == 64 and info.title.startswith("Colour histogram")
    assert info.location == "colour_histogram:ColourHistogram"
    assert [m.name for m in list_models()][-1] == example_plugin
    embedder = load_embedder(example_plugin, threads=1)
    assert embedder.name == example_plugin and embedder.version == "1"
    pictures = [generated_picture(seed) for seed in range(3)]
    vectors = embedder.embed_images(pictures)
    assert vectors.shape == (3, 64) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.allclose(embedder.embed_images(pictures[:1]), vectors[:1])
    assert not np.allclose(vectors[0], vectors[1])


def test_without_the_package_the_model_is_unknown() -> None:
    assert "colour-histogram" not in [m.name for m in list_models()]


def test_broken_plugins_are_listed_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "broken_plugin.py").parent.mkdir(parents=True)
    (site / "broken_plugin.py").write_text("raise ImportError('needs a GPU library')\n")
    (site / "not_a_model.py").write_text("class Thing:\n    pass\n")
    _dist(site, "broken-plugin", {"broken": "broken_plugin:Model"})
    _dist(site, "thing", {"thing": "not_a_model:Thing", "clip-vit-b-32": "not_a_model:Thing"})
    monkeypatch.syspath_prepend(str(site))
    found = {p.name: p for p in plugins.list_plugins(reserved=frozenset({"clip-vit-b-32"}))}
    assert "needs a GPU library" in found["broken"].error
    assert "is not a corpuscope Embedder class" in found["thing"].error
    assert "built-in" in found["clip-vit-b-32"].error
    broken = find_model("broken")
    assert not broken.available and "broken-plugin" in broken.reason
    with pytest.raises(ModelUnavailable, match="The model thing cannot run here"):
        load_embedder("thing")
    clip = find_model("clip-vit-b-32")  # the built-in model wins
    assert clip.source == "hugging-face"
