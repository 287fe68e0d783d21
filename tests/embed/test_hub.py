from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpuscope.embed import hub
from corpuscope.embed.catalog import find_spec
from corpuscope.errors import ModelUnavailable

SPEC = find_spec("clip-vit-b-32")


@pytest.fixture
def models_dir(placeholder_models: Path) -> Path:
    return placeholder_models


def test_a_complete_folder_lacks_nothing(models_dir: Path) -> None:
    assert hub.missing_files(models_dir / "clip-vit-b-32") == []


def test_missing_files_names_what_to_copy(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    missing = hub.missing_files(tmp_path)
    assert "preprocessor_config.json" in missing
    assert "model.safetensors" in missing
    assert any("tokenizer.json" in name for name in missing)


def test_find_folder_looks_in_the_models_root(models_dir: Path, tmp_path: Path) -> None:
    assert hub.find_folder(SPEC, models_dir) == models_dir / "clip-vit-b-32"
    assert hub.find_folder(SPEC, tmp_path) is None


def test_find_folder_uses_the_hugging_face_cache(
    models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    repo = tmp_path / "hf" / "models--openai--clip-vit-base-patch32"
    commit = "0123456789abcdef0123456789abcdef01234567"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    shutil.copytree(models_dir / "clip-vit-b-32", repo / "snapshots" / commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    assert hub.find_folder(SPEC, tmp_path / "empty-root") == repo / "snapshots" / commit


def test_the_missing_message_gives_the_command_and_the_folder(tmp_path: Path) -> None:
    message = hub.missing_message(SPEC, tmp_path)
    assert "corpuscope models download clip-vit-b-32" in message
    assert str(tmp_path / "clip-vit-b-32") in message
    assert "openai/clip-vit-base-patch32" in message
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence


def test_download_without_network_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    def offline(*args: object, **kwargs: object) -> str:
        raise ConnectionError("no route to host")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(ModelUnavailable, match="Could not download clip-vit-b-32") as caught:
        hub.download(SPEC, tmp_path)
    assert str(tmp_path / "clip-vit-b-32") in str(caught.value)


def test_download_fetches_only_the_needed_files(
    models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    calls: list[dict[str, object]] = []

    def fake_download(repo_id: str, **kwargs: object) -> str:
        calls.append({"repo_id": repo_id, **kwargs})
        shutil.copytree(models_dir / "clip-vit-b-32", Path(str(kwargs["local_dir"])))
        return str(kwargs["local_dir"])

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_download)
    assert hub.download(SPEC, tmp_path) == tmp_path / "clip-vit-b-32"
    assert calls[0]["repo_id"] == "openai/clip-vit-base-patch32"
    assert "model.safetensors" in calls[0]["allow_patterns"]  # type: ignore[operator]
    assert "*.bin" not in calls[0]["allow_patterns"]  # type: ignore[operator]


def test_fingerprint_changes_with_the_config_and_the_weights(
    models_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(models_dir / "clip-vit-b-32", folder)
    before = hub.fingerprint(folder)
    assert before == hub.fingerprint(models_dir / "clip-vit-b-32")
    config = folder / "preprocessor_config.json"
    config.write_bytes(config.read_bytes().replace(b'"resample": 3', b'"resample": 2'))
    after_config = hub.fingerprint(folder)
    assert after_config != before
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert hub.fingerprint(folder) != after_config
