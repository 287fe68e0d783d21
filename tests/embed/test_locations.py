from __future__ import annotations

from pathlib import Path

import pytest

from corpuscope.embed.locations import CACHE_ENV, MODELS_ENV, cache_dir, models_root


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "corpuscope"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "corpuscope"


def test_models_root_prefers_the_argument_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(MODELS_ENV, str(tmp_path / "env"))
    assert models_root(tmp_path / "arg") == tmp_path / "arg"
    assert models_root() == tmp_path / "env"
    monkeypatch.delenv(MODELS_ENV)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert models_root() == tmp_path / "home" / ".local" / "share" / "corpuscope" / "models"
