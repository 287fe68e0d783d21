"""ONNX image encoders added from a file: exported here with torch.onnx.export, good and broken.

Slow: exporting with torch takes a second or two per network.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from corpuscope.embed.custom import SIDECAR, read_sidecar
from corpuscope.embed.installation import AddOptions
from corpuscope.embed.registry import (
    add_model,
    find_model,
    list_models,
    load_embedder,
    remove_model,
)
from corpuscope.errors import InvalidInput, ModelUnavailable, NotFound

from .conftest import generated_picture
from .tiny_models import SIZE, export_onnx, tiny_encoder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_onnx(tiny_encoder(), tmp_path_factory.mktemp("onnx") / "encoder.onnx")


def test_added_model_gives_the_same_vectors_as_onnxruntime_directly(
    exported: Path, tmp_path: Path
) -> None:
    import onnxruntime as ort

    options = AddOptions(mean=(0.5, 0.4, 0.3), std=(0.2, 0.25, 0.3), input_size=SIZE)
    added = add_model("my-net", exported, options, models_dir=tmp_path)
    assert added.model.dim == 16
    embedder = load_embedder("my-net", models_dir=tmp_path, threads=1)
    assert (embedder.name, embedder.dim, embedder.has_text) == ("my-net", 16, False)
    pictures = [generated_picture(seed) for seed in range(5)]
    batch = np.stack([embedder.preprocessing.apply(picture) for picture in pictures])
    assert np.isclose(
        batch[0, 0].mean(),
        (np.asarray(pictures[0].resize((SIZE, SIZE)))[..., 0] / 255 - 0.5).mean() / 0.2,
        atol=0.2,
    )
    session = ort.InferenceSession(str(exported), providers=["CPUExecutionProvider"])
    direct = session.run(None, {"pixels": batch})[0]
    direct /= np.linalg.norm(direct, axis=1, keepdims=True)
    ours = embedder.embed_images(pictures)
    assert np.all(np.sum(ours * direct, axis=1) >= 0.9999)
    # through the pipeline's workers too (each opens its own session on the copied file)
    recipe = embedder.worker_recipe()
    assert recipe is not None
    assert np.all(np.sum(recipe.load(1).embed_batch(batch) * direct, axis=1) >= 0.9999)


def test_the_sidecar_is_written_and_read_back(exported: Path, tmp_path: Path) -> None:
    add_model("net", exported, AddOptions(input_size=SIZE, resize="squash"), models_dir=tmp_path)
    folder = tmp_path / "net"
    assert sorted(p.name for p in folder.iterdir()) == [SIDECAR, "model.onnx"]
    data = tomllib.loads((folder / SIDECAR).read_text())
    assert data["input_size"] == SIZE and data["resize"] == "squash" and data["dim"] == 16
    assert data["mean"] == [0.485, 0.456, 0.406]
    model = read_sidecar(folder)
    assert model.preprocessing().mode == "square" and model.preprocessing().crop is None
    info = find_model("net", models_dir=tmp_path)
    assert info.source == "file" and info.available and info.dim == 16
    assert info.location == str(folder / "model.onnx")


def test_a_hand_written_sidecar_is_a_model(exported: Path, tmp_path: Path) -> None:
    folder = tmp_path / "by-hand"
    folder.mkdir()
    (folder / "weights.onnx").write_bytes(exported.read_bytes())
    (folder / SIDECAR).write_text(
        'file = "weights.onnx"\ninput_size = 32\nmean = [0.5, 0.5, 0.5]\nstd = [0.5, 0.5, 0.5]\n'
    )
    assert "by-hand" in [info.name for info in list_models(models_dir=tmp_path)]
    embedder = load_embedder("by-hand", models_dir=tmp_path, threads=1)
    assert embedder.dim == 16 and embedder.preprocessing.mean == (127.5, 127.5, 127.5)
    vectors = embedder.embed_images([generated_picture(1), generated_picture(2)])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_broken_sidecar_is_listed_with_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "oops"
    folder.mkdir()
    (folder / SIDECAR).write_text('input_size = "big"\n')
    info = find_model("oops", models_dir=tmp_path)
    assert not info.available and "model file" in info.reason
    with pytest.raises(ModelUnavailable, match="oops"):
        load_embedder("oops", models_dir=tmp_path)


def test_defaults_come_from_the_files_metadata(tmp_path: Path) -> None:
    path = export_onnx(
        tiny_encoder(),
        tmp_path / "meta.onnx",
        dynamic_batch=False,
        shape=(1, 3, SIZE, SIZE),
        metadata={
            "image_mean": "[0.1, 0.2, 0.3]",
            "std": "0.3,0.3,0.3",
            "corpuscope.title": "Meta net",
        },
    )
    added = add_model("meta", path, models_dir=tmp_path / "models")
    model = added.model
    assert model.input_size == SIZE  # from the input's fixed shape
    assert model.mean == (0.1, 0.2, 0.3) and model.std == (0.3, 0.3, 0.3)
    assert model.title == "Meta net" and added.notes == ()
    embedder = load_embedder("meta", models_dir=tmp_path / "models", threads=1)
    vectors = embedder.embed_images([generated_picture(seed) for seed in range(3)])  # batch of 1
    assert vectors.shape == (3, 16) and not np.allclose(vectors[0], vectors[1])


def test_without_mean_and_std_imagenet_is_used_and_said(exported: Path, tmp_path: Path) -> None:
    added = add_model("plain", exported, AddOptions(input_size=SIZE), models_dir=tmp_path)
    assert added.model.mean == (0.485, 0.456, 0.406)
    assert "ImageNet" in added.notes[0]


def test_channels_last_and_feature_maps_work(tmp_path: Path) -> None:
    nhwc = export_onnx(tiny_encoder("nhwc"), tmp_path / "nhwc.onnx", shape=(2, SIZE, SIZE, 3))
    fmap = export_onnx(tiny_encoder("map"), tmp_path / "map.onnx")
    add_model("nhwc", nhwc, AddOptions(input_size=SIZE), models_dir=tmp_path / "m")
    add_model("map", fmap, AddOptions(input_size=SIZE), models_dir=tmp_path / "m")
    first = load_embedder("nhwc", models_dir=tmp_path / "m", threads=1)
    second = load_embedder("map", models_dir=tmp_path / "m", threads=1)
    pictures = [generated_picture(seed) for seed in range(3)]
    assert first.embed_images(pictures).shape == (3, 16)
    assert second.dim == 8 and second.embed_images(pictures).shape == (3, 8)


@pytest.mark.parametrize(
    ("kind", "shape", "message"),
    [
        ("flat", (2, 3 * SIZE * SIZE), "has rank 2"),
        ("integer", (2, 3, SIZE, SIZE), "no float output"),
        ("nan", (2, 3, SIZE, SIZE), "NaN or infinite"),
        ("two", (2, 3, SIZE, SIZE), "several float outputs"),
    ],
)
def test_networks_that_are_not_image_encoders_are_refused(
    tmp_path: Path, kind: str, shape: tuple[int, ...], message: str
) -> None:
    outputs = ("a", "b") if kind == "two" else ("features",)
    path = export_onnx(tiny_encoder(kind), tmp_path / f"{kind}.onnx", shape=shape, outputs=outputs)
    with pytest.raises(InvalidInput, match=message) as caught:
        add_model(kind, path, AddOptions(input_size=SIZE), models_dir=tmp_path / "models")
    assert "Traceback" not in str(caught.value)
    assert not (tmp_path / "models" / kind).exists()
    assert not [p for p in (tmp_path / "models").glob(".*")]  # no staging folder left


def test_output_picks_one_of_several(tmp_path: Path) -> None:
    path = export_onnx(tiny_encoder("two"), tmp_path / "two.onnx", outputs=("a", "b"))
    added = add_model(
        "two", path, AddOptions(input_size=SIZE, output="b"), models_dir=tmp_path / "m"
    )
    assert added.model.dim == 8 and added.model.output == "b"
    with pytest.raises(InvalidInput, match="no output named 'c'; its outputs are a, b"):
        add_model("three", path, AddOptions(input_size=SIZE, output="c"), models_dir=tmp_path / "m")


def test_files_and_names_that_cannot_be_added(exported: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a protobuf at all" * 10)
    with pytest.raises(InvalidInput, match="not an ONNX model"):
        add_model("garbage", garbage, models_dir=tmp_path)
    with pytest.raises(InvalidInput, match="There is no file"):
        add_model("missing", tmp_path / "missing.onnx", models_dir=tmp_path)
    with pytest.raises(InvalidInput, match="A model name is"):
        add_model("My Net", exported, models_dir=tmp_path)
    with pytest.raises(InvalidInput, match="already exists"):
        add_model("clip-vit-b-32", exported, models_dir=tmp_path)
    dynamic = export_onnx(tiny_encoder(), tmp_path / "dynamic.onnx", dynamic_size=True)
    with pytest.raises(InvalidInput, match="give it with --input-size"):
        add_model("nosize", dynamic, models_dir=tmp_path)  # no fixed size, no metadata
    assert (
        add_model("sized", dynamic, AddOptions(input_size=48), models_dir=tmp_path).model.dim == 16
    )
    fixed = export_onnx(tiny_encoder(), tmp_path / "fixed.onnx", dynamic_batch=False)
    with pytest.raises(InvalidInput, match="takes 32 x 32 pictures, not 64 x 64"):
        add_model("fixed", fixed, AddOptions(input_size=64), models_dir=tmp_path)


def test_remove_deletes_the_folder(exported: Path, tmp_path: Path) -> None:
    add_model("gone", exported, AddOptions(input_size=SIZE), models_dir=tmp_path)
    remove_model("gone", models_dir=tmp_path)
    assert not (tmp_path / "gone").exists()
    with pytest.raises(NotFound):
        remove_model("gone", models_dir=tmp_path)
    with pytest.raises(InvalidInput, match="Unknown model 'gone'"):
        load_embedder("gone", models_dir=tmp_path)
