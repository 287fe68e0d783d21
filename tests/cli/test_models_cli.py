"""Models on the command line: add an ONNX file, list, compute vectors, choose, search with an
outside image. Real subprocesses of the installed command, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpuscope.embed.locations import MODELS_ENV


def run(*args: object, env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "corpuscope", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_add_an_onnx_model_and_search_with_an_outside_image(tmp_path: Path, write_image) -> None:
    from tests.embed.tiny_models import export_onnx, tiny_encoder

    env = {MODELS_ENV: str(tmp_path / "models")}
    onnx = export_onnx(tiny_encoder(), tmp_path / "encoder.onnx")
    out = run(
        "models",
        "add",
        "tiny-net",
        onnx,
        "--mean",
        "0.5,0.5,0.5",
        "--std",
        "0.25,0.25,0.25",
        env=env,
    )
    assert "Added tiny-net: 16-d vectors from 32 x 32 pictures" in out.stdout
    listed = {m["name"]: m for m in json.loads(run("models", "--json", env=env).stdout)}
    assert listed["tiny-net"]["source"] == "file" and listed["tiny-net"]["available"]
    for seed in range(4):
        write_image(tmp_path / "photos" / f"{seed}.jpg", seed=seed)
    project = tmp_path / "project"
    run("import", project, tmp_path / "photos", env=env)
    out = run("vectors", project, "--model", "tiny-net", "--quiet", env=env).stdout
    assert "tiny-net: 4 vectors computed" in out
    assert "works with tiny-net" in run("models", "use", project, "tiny-net", env=env).stdout
    outside = write_image(tmp_path / "elsewhere" / "copy.png", seed=2, size=(300, 220))
    found = json.loads(run("similar", project, "--image", outside, "--json", env=env).stdout)
    assert found[0]["path"] == "2.jpg" and found[0]["score"] > 0.99 and len(found) == 4
    bad = run("similar", project, "--image", tmp_path / "nope.jpg", env=env, ok=False)
    assert bad.returncode == 2 and bad.stderr.startswith("Error: There is no file")
    assert "Removed tiny-net" in run("models", "remove", "tiny-net", env=env).stdout
