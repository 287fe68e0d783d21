"""Mistakes around Ray give one sentence at once, without starting or waiting for a cluster."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpuscope.cli import EXIT_CODE_OF_KIND
from corpuscope.embed.efficientnet import EfficientNetLite0
from corpuscope.embed.ray_pipeline import (
    RayOptions,
    _layout,
    _ModelWorker,
    embed_on_ray,
    image_access,
)
from corpuscope.embed.ray_session import ray_session
from corpuscope.errors import InvalidInput, ModelUnavailable


def test_without_ray_installed_the_error_says_how_to_add_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ModelUnavailable, match=r"pip install 'corpuscope\[ray\]'"), ray_session():
        pass


def test_an_address_where_nothing_listens_is_refused_at_once() -> None:
    pytest.importorskip("ray")
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"127.0.0.1:{port}"
    with (
        pytest.raises(ModelUnavailable, match=f"No Ray cluster answers at {address}"),
        ray_session(address),
    ):
        pass
    with pytest.raises(InvalidInput, match="is not a Ray address"), ray_session("head-node"):
        pass


def test_options_are_checked_before_anything_starts(bundled: EfficientNetLite0) -> None:
    assert image_access("driver") == "driver"
    with pytest.raises(InvalidInput, match="'shared' or 'driver'"):
        image_access("nfs")
    items = [(1, Path("a.jpg"))]
    with pytest.raises(InvalidInput, match="at least 1"):
        next(embed_on_ray(items, bundled, RayOptions(workers=0)))
    assert list(embed_on_ray([], bundled, RayOptions(address="127.0.0.1:1"))) == []


class _Cluster:
    """What :func:`_layout` asks of the ``ray`` module."""

    def __init__(self, **resources: float) -> None:
        self.resources = resources

    def cluster_resources(self) -> dict[str, float]:
        return self.resources


def test_one_model_copy_per_cpu_or_gpu_and_never_more_than_the_blocks(
    bundled: EfficientNetLite0,
) -> None:
    options = RayOptions()
    cpus = _layout(_Cluster(CPU=8.0), bundled, options, None, count=10_000)
    assert (cpus.workers, cpus.cpus, cpus.gpus, cpus.batch_size) == (8, 1, 0, 16)
    assert cpus.block_rows == 64
    gpus = _layout(_Cluster(CPU=32.0, GPU=4.0), bundled, options, None, count=10_000)
    assert (gpus.workers, gpus.cpus, gpus.gpus, gpus.batch_size) == (4, 0, 1, 256)
    few = _layout(_Cluster(CPU=2.0), bundled, options, None, count=3)
    assert (few.workers, few.block_rows) == (2, 2)
    one = _layout(_Cluster(CPU=2.0), bundled, options, None, count=1)
    assert (one.workers, one.block_rows) == (1, 1)


def test_a_worker_with_other_model_files_refuses_to_run(bundled: EfficientNetLite0) -> None:
    with pytest.raises(ModelUnavailable, match="same corpuscope and model files"):
        _ModelWorker("efficientnet-lite0", "0-other-weights", None, 1)
    worker = _ModelWorker("efficientnet-lite0", bundled.version, None, 1)
    rows = {
        "id": np.array([4, 9]),
        "data": np.array([b"", b"not an image"], dtype=object),
        "picture": np.array([False, False]),
        "reason": np.array(["the file does not exist", ""], dtype=object),
    }
    out = worker(rows)
    assert out["id"].tolist() == [4, 9] and out["vector"].shape == (2, 1280)
    assert out["reason"].tolist() == [
        "The file does not exist.",
        "Not an image file that can be read (unknown or damaged format).",
    ]


def test_the_cli_refuses_an_unknown_image_access(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "corpuscope", "init", str(tmp_path / "p")]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    command[3:] = ["vectors", str(tmp_path / "p"), "--ray", "--ray-images", "nfs"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == EXIT_CODE_OF_KIND["invalid"]
    assert (
        result.stderr.strip()
        == "Error: Images reach Ray workers as 'shared' or 'driver', not 'nfs'."
    )


def test_the_driver_sends_a_picture_or_its_fallback_or_the_reason(tmp_path: Path) -> None:
    from corpuscope.embed.picture_format import encode_picture
    from corpuscope.embed.ray_pipeline import read_files

    good = tmp_path / "good.ppm"
    good.write_bytes(encode_picture(np.zeros((224, 224, 3), np.uint8)))
    damaged = tmp_path / "damaged.ppm"
    damaged.write_bytes(good.read_bytes()[:1000])
    thumbnail = tmp_path / "thumb.jpg"
    thumbnail.write_bytes(b"\xff\xd8 the thumbnail's bytes")
    batch = {
        "id": np.array([1, 2, 3, 4]),
        "path": np.array([str(good), str(damaged), str(tmp_path / "gone.jpg"), str(thumbnail)]),
        "picture": np.array([True, True, False, False]),
        "fallback": np.array([str(thumbnail), str(thumbnail), "", ""]),
    }
    out = read_files(batch, side=224)
    assert out["id"].tolist() == [1, 2, 3, 4]
    assert out["picture"].tolist() == [True, False, False, False]
    assert list(out["data"]) == [
        good.read_bytes(),
        thumbnail.read_bytes(),
        b"",
        thumbnail.read_bytes(),
    ]
    assert out["reason"].tolist() == ["", "", "the file does not exist", ""]
