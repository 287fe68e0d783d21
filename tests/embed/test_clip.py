"""CLIP through transformers, on a tiny randomly initialised model saved in the real layout.

Slow: importing torch and transformers and building the model take several seconds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from corpuscope.embed.clip import ClipEmbedder
from corpuscope.errors import InvalidInput, ModelUnavailable

from .conftest import CLIP_SIZE, save_tiny_clip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clip(models_dir: Path) -> ClipEmbedder:
    return ClipEmbedder("clip-vit-b-32", models_dir / "clip-vit-b-32", threads=1)


def _pictures() -> list[Image.Image]:
    rng = np.random.default_rng(0)
    return [
        Image.fromarray(rng.integers(0, 255, (40 + 7 * i, 50, 3), dtype=np.uint8)) for i in range(5)
    ]


def test_loads_from_the_folder_with_its_preprocessing(clip: ClipEmbedder) -> None:
    assert clip.name == "clip-vit-b-32"
    assert clip.dim == 24 and clip.has_text
    assert clip.preprocessing.size == CLIP_SIZE
    assert clip.preprocessing.mode == "short_side"
    assert np.isclose(clip.preprocessing.mean[0], 0.48145466 * 255)
    assert clip.version.startswith("1-w")
    assert clip.worker_recipe() is None  # too big to copy into every worker


def test_image_vectors_are_unit_and_deterministic(clip: ClipEmbedder) -> None:
    vectors = clip.embed_images(_pictures())
    assert vectors.shape == (5, 24) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors, clip.embed_images(_pictures()), atol=1e-6)


def test_images_match_the_model_run_directly(clip: ClipEmbedder, models_dir: Path) -> None:
    import torch
    from transformers import CLIPModel

    model = CLIPModel.from_pretrained(models_dir / "clip-vit-b-32", local_files_only=True)
    batch = np.stack([clip.preprocessing.apply(image) for image in _pictures()])
    with torch.inference_mode():
        output = model.get_image_features(pixel_values=torch.from_numpy(batch))
    tensor = output if isinstance(output, torch.Tensor) else output.pooler_output
    expected = tensor.numpy() / np.linalg.norm(tensor.numpy(), axis=1, keepdims=True)
    assert np.allclose(clip.embed_batch(batch), expected, atol=1e-5)


def test_text_vectors_are_unit_and_follow_the_text(clip: ClipEmbedder) -> None:
    texts = ["the cat", "the cat", "cat the the", ""]
    vectors = clip.embed_text(texts)
    assert vectors.shape == (4, 24) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[1], atol=1e-6)
    assert not np.allclose(vectors[0], vectors[2], atol=1e-3)
    assert clip.embed_text([]).shape == (0, 24)
    long = clip.embed_text(["the cat " * 50])  # longer than the text tower: truncated
    assert long.shape == (1, 24)


def test_text_input_is_checked(clip: ClipEmbedder) -> None:
    with pytest.raises(InvalidInput):
        clip.embed_text("the cat")


def test_version_changes_with_the_weights(tmp_path: Path, clip: ClipEmbedder) -> None:
    other = save_tiny_clip(tmp_path / "clip-vit-b-32", seed=1)
    assert ClipEmbedder("clip-vit-b-32", other, threads=1).version != clip.version


def test_a_damaged_folder_is_a_clear_error(tmp_path: Path, models_dir: Path) -> None:
    folder = tmp_path / "clip-vit-b-32"
    shutil.copytree(models_dir / "clip-vit-b-32", folder)
    (folder / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModelUnavailable, match="could not be loaded"):
        ClipEmbedder("clip-vit-b-32", folder, threads=1)


class _Trap:
    """Unpickling this creates a file: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('unpickled')",))


def test_safetensors_are_loaded_never_the_pickle_beside_them(
    tmp_path: Path, models_dir: Path
) -> None:
    import pickle

    folder = tmp_path / "clip-vit-b-32"
    shutil.copytree(models_dir / "clip-vit-b-32", folder)
    marker = tmp_path / "marker"
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(_Trap(marker)))
    embedder = ClipEmbedder("clip-vit-b-32", folder, threads=1)
    assert embedder.dim > 0
    assert not marker.exists()
