"""The pins in constraints.txt (what `make setup` installs) meet pyproject.toml's lower bounds,
which are past the known advisories."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in ("clip", "demo", "dev", "export", "ray"):  # what `make setup` installs
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def test_every_dependency_is_pinned_within_its_bounds() -> None:
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} does not meet {requirement}: run `make setup` and `make lock`"
        )


def test_bounds_past_the_advisories() -> None:
    floors = {canonicalize_name(r.name): r.specifier for r in _requirements()}
    assert not floors["torch"].contains("2.5.1")  # torch.load(weights_only=True) bypass
    assert not floors["starlette"].contains("1.5.0")  # FileResponse Range parsing
    assert not floors["h11"].contains("0.15.0")  # chunked bodies (request smuggling)
    assert _pins()["torch"] == Version("2.13.0")  # the CPU build setup installs
