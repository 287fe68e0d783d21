"""SigLIP, SigLIP 2 and DINOv2 folders in the Hugging Face layout, tiny and randomly initialised.

Slow: building and loading the models with transformers takes several seconds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from corpuscope.embed.clip import ClipEmbedder
from corpuscope.embed.dinov2 import Dinov2Embedder
from corpuscope.embed.registry import find_model, load_embedder
from corpuscope.errors import InvalidInput, ModelUnavailable

from .conftest import generated_picture
from .tiny_models import SIZE, save_tiny_dinov2, save_tiny_siglip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def families(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models root holding the three families under their catalogue names."""
    root = tmp_path_factory.mktemp("families")
    save_tiny_siglip(root / "siglip-base-patch16-224")
    save_tiny_siglip(root / "siglip2-base-patch16-224", multilingual=True)
    save_tiny_dinov2(root / "dinov2-small")
    return root


def _pictures() -> list:
    return [generated_picture(seed) for seed in range(4)]


@pytest.mark.parametrize("name", ["siglip-base-patch16-224", "siglip2-base-patch16-224"])
def test_siglip_folders_embed_images_and_texts(families: Path, name: str) -> None:
    import torch
    from transformers import SiglipModel

    info = find_model(name, models_dir=families)
    assert info.available and info.has_text and info.location == str(families / name)
    embedder = load_embedder(name, models_dir=families, threads=1)
    assert isinstance(embedder, ClipEmbedder) and embedder.dim == 32
    assert embedder.preprocessing.mode == "square" and embedder.preprocessing.size == SIZE
    batch = np.stack([embedder.preprocessing.apply(picture) for picture in _pictures()])
    model = SiglipModel.from_pretrained(families / name, local_files_only=True).eval()
    with torch.inference_mode():
        output = model.get_image_features(pixel_values=torch.from_numpy(batch))
    raw = (output if isinstance(output, torch.Tensor) else output.pooler_output).numpy()
    expected = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    assert np.all(np.sum(embedder.embed_batch(batch) * expected, axis=1) >= 0.9999)
    texts = embedder.embed_text(["the cat", "the cat", "un chat noir sur la table"])
    assert texts.shape == (3, 32) and np.allclose(np.linalg.norm(texts, axis=1), 1.0, atol=1e-5)
    assert np.allclose(texts[0], texts[1], atol=1e-6) and not np.allclose(texts[0], texts[2])


def test_siglip_and_siglip2_need_their_own_tokenizer_files(families: Path) -> None:
    assert (families / "siglip-base-patch16-224" / "spiece.model").is_file()
    assert (families / "siglip2-base-patch16-224" / "tokenizer.json").is_file()
    assert "spiece.model" in find_model("siglip-base-patch16-224").needs
    assert "tokenizer.json" in find_model("siglip2-base-patch16-224").needs


def test_dinov2_embeds_images_only(families: Path) -> None:
    import torch
    from transformers import Dinov2Model

    info = find_model("dinov2-small", models_dir=families)
    assert info.available and not info.has_text and "tokenizer.json" not in info.needs
    embedder = load_embedder("dinov2-small", models_dir=families, threads=1)
    assert isinstance(embedder, Dinov2Embedder) and embedder.dim == 32
    assert embedder.preprocessing.resize == 40 and embedder.preprocessing.crop == SIZE
    batch = np.stack([embedder.preprocessing.apply(picture) for picture in _pictures()])
    model = Dinov2Model.from_pretrained(families / "dinov2-small", local_files_only=True).eval()
    with torch.inference_mode():
        raw = model(pixel_values=torch.from_numpy(batch)).pooler_output.numpy()
    expected = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    assert np.all(np.sum(embedder.embed_batch(batch) * expected, axis=1) >= 0.9999)
    with pytest.raises(InvalidInput, match="no text encoder"):
        embedder.embed_text(["a cat"])


def test_versions_follow_the_weights(families: Path, tmp_path: Path) -> None:
    first = load_embedder("dinov2-small", models_dir=families, threads=1)
    save_tiny_dinov2(tmp_path / "dinov2-small", seed=1)
    second = load_embedder("dinov2-small", models_dir=tmp_path, threads=1)
    assert first.version.startswith("1-w") and first.version != second.version
    again = load_embedder("dinov2-small", models_dir=families, threads=1)
    assert again.version == first.version


def test_a_folder_of_another_family_is_refused(families: Path, tmp_path: Path) -> None:
    shutil.copytree(families / "siglip-base-patch16-224", tmp_path / "dinov2-small")
    with pytest.raises(ModelUnavailable, match="holds a siglip model, not a dinov2 model"):
        load_embedder("dinov2-small", models_dir=tmp_path, threads=1)


def test_a_siglip_folder_without_its_tokenizer_is_not_available(
    families: Path, tmp_path: Path, empty_hf_cache: Path
) -> None:
    shutil.copytree(families / "siglip-base-patch16-224", tmp_path / "siglip-base-patch16-224")
    (tmp_path / "siglip-base-patch16-224" / "spiece.model").unlink()
    info = find_model("siglip-base-patch16-224", models_dir=tmp_path)
    assert not info.available and "spiece.model" in info.how_to_enable
