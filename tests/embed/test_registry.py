from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from corpuscope.embed import efficientnet
from corpuscope.embed.efficientnet import EfficientNetLite0
from corpuscope.embed.registry import DEFAULT_MODEL, download_model, list_models, load_embedder
from corpuscope.errors import InvalidInput, ModelUnavailable


def test_lists_every_model_default_first(empty_hf_cache: Path) -> None:
    models = list_models()
    assert models[0].name == DEFAULT_MODEL and models[0].is_default
    assert models[0].available and models[0].reason == "" and models[0].how_to_enable == ""
    assert models[0].location == str(efficientnet.SHIPPED_MODEL)  # the ONNX file it runs from
    names = [model.name for model in models]
    assert "clip-vit-b-32" in names and len(names) == len(set(names))


def test_a_model_without_weights_says_how_to_enable_it(empty_hf_cache: Path) -> None:
    clip = next(model for model in list_models() if model.name == "clip-vit-b-32")
    assert not clip.available
    assert clip.reason == "its weights are not on this machine"
    assert "corpuscope models download clip-vit-b-32" in clip.how_to_enable
    assert (clip.dim, clip.has_text) == (512, True)
    assert clip.size and clip.speed


def test_a_model_folder_makes_it_available(placeholder_models: Path, empty_hf_cache: Path) -> None:
    clip = next(m for m in list_models(models_dir=placeholder_models) if m.name == "clip-vit-b-32")
    assert clip.available and clip.location == str(placeholder_models / "clip-vit-b-32")


def test_missing_weights_give_the_clear_message(empty_hf_cache: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        load_embedder("clip-vit-b-32", models_dir=tmp_path / "models")
    message = str(caught.value)
    assert message.startswith("The model clip-vit-b-32 is not on this machine")
    assert "corpuscope models download clip-vit-b-32" in message
    assert str(tmp_path / "models" / "clip-vit-b-32") in message
    assert "Traceback" not in message


def test_an_unknown_model_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="Unknown model"):
        load_embedder("resnet-9000")
    with pytest.raises(InvalidInput, match="Unknown model"):
        download_model("resnet-9000")


def test_missing_libraries_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "transformers" else real(name, *args),
    )
    with pytest.raises(ModelUnavailable, match=r"pip install 'corpuscope\[clip\]'"):
        load_embedder("clip-vit-b-32")
    clip = next(model for model in list_models() if model.name == "clip-vit-b-32")
    assert not clip.available and "corpuscope[clip]" in clip.how_to_enable


def test_download_of_the_bundled_model_returns_its_shipped_file_else_its_weights(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert download_model(DEFAULT_MODEL) == efficientnet.SHIPPED_MODEL
    monkeypatch.setattr(efficientnet, "SHIPPED_MODEL", tmp_path / "not-built.onnx")
    assert download_model(DEFAULT_MODEL).suffix == ".pth"  # a checkout before `make model`


def test_download_returns_a_folder_already_there(placeholder_models: Path) -> None:
    folder = download_model("clip-vit-b-32", models_dir=placeholder_models)
    assert folder == placeholder_models / "clip-vit-b-32"


def test_download_without_network_is_a_clear_error(
    empty_hf_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    def offline(*args: object, **kwargs: object) -> str:
        raise OSError("Network is unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(ModelUnavailable, match="Could not download clip-vit-b-32"):
        download_model("clip-vit-b-32", models_dir=tmp_path)


@pytest.mark.slow
def test_loads_the_default_model(bundled: EfficientNetLite0) -> None:
    embedder = load_embedder()
    assert isinstance(embedder, EfficientNetLite0)
    assert embedder.name == DEFAULT_MODEL and embedder.dim == 1280
    assert load_embedder(None, threads=1).runtime == "onnxruntime (1 thread)"


@pytest.mark.slow
def test_loads_clip_from_a_models_folder(models_dir: Path) -> None:
    embedder = load_embedder("clip-vit-b-32", models_dir=models_dir, threads=1)
    assert embedder.name == "clip-vit-b-32" and embedder.has_text
    vectors = embedder.embed_text(["the cat"])
    assert np.isclose(np.linalg.norm(vectors), 1.0, atol=1e-5)


def test_listing_models_and_starting_workers_import_no_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, corpuscope.embed.registry as r, corpuscope.embed.pipeline, "
        "corpuscope.embed.worker; r.list_models(); "
        "print(sorted(m for m in ('torch', 'transformers', 'onnxruntime') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
