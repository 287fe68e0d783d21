from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from corpuscope.embed import onnx_cache

PROBE = np.linspace(-1, 1, 2 * 3 * 8 * 8, dtype=np.float32).reshape(2, 3, 8, 8)


class Tiny(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv2d(3, 5, 3, padding=1)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv(pixels)).mean(dim=(2, 3))


def _expected(batch: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        result: np.ndarray = Tiny().eval()(torch.from_numpy(batch)).numpy()
    return result


def test_exports_once_atomically_and_reuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "onnx" / "tiny-key.onnx"
    builds: list[int] = []

    def build() -> torch.nn.Module:
        builds.append(1)
        return Tiny().eval()

    runner = onnx_cache.load_runner(path=path, build_model=build, probe=PROBE, threads=1)
    assert path.is_file() and builds == [1]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left behind
    batch = np.random.default_rng(0).uniform(-1, 1, (4, 3, 8, 8)).astype(np.float32)
    assert np.allclose(runner.run(batch), _expected(batch), atol=1e-5)
    again = onnx_cache.load_runner(path=path, build_model=build, probe=PROBE, threads=1)
    assert builds == [1]  # verified against the stored reference, not rebuilt
    assert np.allclose(again.run(batch), _expected(batch), atol=1e-5)


def test_a_damaged_cache_file_is_exported_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tiny.onnx"
    path.write_bytes(b"not an onnx model")
    with caplog.at_level(logging.WARNING):
        runner = onnx_cache.load_runner(
            path=path, build_model=lambda: Tiny().eval(), probe=PROBE, threads=1
        )
    assert "unusable" in caplog.text
    assert np.allclose(runner.run(PROBE), _expected(PROBE), atol=1e-5)


def test_an_export_that_disagrees_with_its_reference_is_redone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tiny.onnx"

    class Other(Tiny):
        def forward(self, pixels: torch.Tensor) -> torch.Tensor:
            return super().forward(pixels) + 1.0

    onnx_cache.load_runner(path=path, build_model=lambda: Tiny().eval(), probe=PROBE, threads=1)
    onnx_cache.export(Other().eval(), path=path, probe=PROBE)
    # Tamper: keep Other's graph but claim Tiny's outputs as the reference.
    import onnx

    proto = onnx.load(str(path))
    reference = onnx_cache._encode(_expected(PROBE))
    for entry in proto.metadata_props:
        if entry.key == onnx_cache._REFERENCE:
            entry.value = reference
    onnx.save(proto, str(path))
    with caplog.at_level(logging.WARNING):
        runner = onnx_cache.load_runner(
            path=path, build_model=lambda: Tiny().eval(), probe=PROBE, threads=1
        )
    assert "disagrees" in caplog.text
    assert np.allclose(runner.run(PROBE), _expected(PROBE), atol=1e-5)


def test_an_unfaithful_export_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_run = onnx_cache.OnnxRunner.run

    def skewed(self: onnx_cache.OnnxRunner, batch: np.ndarray) -> np.ndarray:
        return real_run(self, batch) + 0.1

    monkeypatch.setattr(onnx_cache.OnnxRunner, "run", skewed)
    path = tmp_path / "tiny.onnx"
    with pytest.raises(onnx_cache.ExportFailed, match="does not reproduce"):
        onnx_cache.export(Tiny().eval(), path=path, probe=PROBE)
    assert list(tmp_path.iterdir()) == []  # neither the model nor a temporary file


def test_missing_onnxruntime_raises_import_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError):
        onnx_cache.load_runner(
            path=tmp_path / "t.onnx", build_model=lambda: Tiny().eval(), probe=PROBE, threads=1
        )


def test_the_recipe_loads_a_normalising_model_without_torch_state(tmp_path: Path) -> None:
    path = tmp_path / "tiny.onnx"
    onnx_cache.load_runner(path=path, build_model=lambda: Tiny().eval(), probe=PROBE, threads=1)
    model = onnx_cache.OnnxRecipe(str(path)).load(threads=1)
    vectors = model.embed_batch(PROBE)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    expected = _expected(PROBE)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(vectors, expected, atol=1e-5)


def test_micro_batches_give_the_same_vectors(tmp_path: Path) -> None:
    path = tmp_path / "tiny.onnx"
    onnx_cache.load_runner(path=path, build_model=lambda: Tiny().eval(), probe=PROBE, threads=1)
    batch = np.random.default_rng(1).uniform(-1, 1, (7, 3, 8, 8)).astype(np.float32)
    whole = onnx_cache.OnnxRecipe(str(path), micro_batch=7).load(threads=1).embed_batch(batch)
    pieces = onnx_cache.OnnxRecipe(str(path), micro_batch=3).load(threads=1).embed_batch(batch)
    assert whole.shape == (7, 5)
    assert np.allclose(whole, pieces, atol=1e-6)
