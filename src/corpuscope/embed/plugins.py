"""Models added by installed Python packages, through the ``corpuscope.models`` entry points.

A package declares, in its ``pyproject.toml``::

    [project.entry-points."corpuscope.models"]
    my-encoder = "my_package.encoder:MyEncoder"

The entry point's name is the model's name (what projects store with the vectors). The class
is a :class:`~corpuscope.embed.base.Embedder` with class attributes ``title``, ``dim`` and
``has_text`` (optional: ``size``, ``speed``), a constructor taking the keyword arguments
``models_dir`` and ``threads``, and optionally a class method
``unavailable_reason(models_dir) -> str`` saying, in one sentence, why it cannot run here
(empty when it can). docs/models.md has a complete example package.

Listing imports each plugin's module (not its weights); a plugin that fails to import or does
not follow the interface is listed as unusable with the reason, never a crash.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpuscope.embed.base import Embedder
from corpuscope.embed.custom import NAME_PATTERN
from corpuscope.errors import ModelUnavailable

GROUP = "corpuscope.models"


@dataclass(frozen=True)
class Plugin:
    """One entry point: ``cls`` when it loaded, else ``error`` says why it cannot be used."""

    name: str
    target: str  # "package.module:Class"
    package: str
    cls: type[Embedder] | None
    error: str

    def attribute(self, key: str, default: Any) -> Any:
        return getattr(self.cls, key, default) if self.cls is not None else default

    def unavailable_reason(self, models_dir: Path | None) -> str:
        """Why this plugin's model cannot run here ('' when it can)."""
        if self.cls is None:
            return self.error
        check = getattr(self.cls, "unavailable_reason", None)
        if check is None:
            return ""
        try:
            return str(check(models_dir) or "")
        except Exception as error:  # a plugin's own bug must not break the listing
            return f"its availability check failed ({type(error).__name__}: {error})"


def list_plugins(*, reserved: frozenset[str] = frozenset()) -> list[Plugin]:
    """Every installed plugin model, by name; ``reserved``: names of built-in models."""
    found: dict[str, Plugin] = {}
    for entry in importlib.metadata.entry_points(group=GROUP):
        if entry.name in found:
            continue
        found[entry.name] = _load(entry, reserved)
    return [found[name] for name in sorted(found)]


def find_plugin(name: str, *, reserved: frozenset[str] = frozenset()) -> Plugin | None:
    return next((plugin for plugin in list_plugins(reserved=reserved) if plugin.name == name), None)


def load_plugin(
    plugin: Plugin, *, models_dir: Path | None = None, threads: int | None = None
) -> Embedder:
    """An instance of the plugin's model, named after its entry point."""
    reason = plugin.unavailable_reason(models_dir)
    if reason or plugin.cls is None:
        raise ModelUnavailable(f"The model {plugin.name} cannot run here: {_sentence(reason)}")
    try:
        embedder = plugin.cls(models_dir=models_dir, threads=threads)  # type: ignore[call-arg]
    except ModelUnavailable:
        raise
    except Exception as error:  # the plugin's own failure, told in a sentence
        raise ModelUnavailable(
            f"The model {plugin.name} (from {plugin.package}) could not be loaded "
            f"({type(error).__name__}: {error})."
        ) from None
    embedder.name = plugin.name
    return embedder


def _load(entry: importlib.metadata.EntryPoint, reserved: frozenset[str]) -> Plugin:
    package = entry.dist.name if entry.dist is not None else "an unknown package"
    if not NAME_PATTERN.fullmatch(entry.name):
        return Plugin(entry.name, entry.value, package, None, "its name is not a valid model name")
    if entry.name in reserved:
        return Plugin(
            entry.name, entry.value, package, None, "its name is already a built-in model's"
        )
    try:
        cls = entry.load()
    except Exception as error:  # ImportError, AttributeError, SyntaxError ...
        reason = f"the package {package} could not be loaded ({type(error).__name__}: {error})"
        return Plugin(entry.name, entry.value, package, None, reason)
    if not (isinstance(cls, type) and issubclass(cls, Embedder)):
        reason = f"{entry.value} is not a corpuscope Embedder class"
        return Plugin(entry.name, entry.value, package, None, reason)
    missing = [key for key in ("title", "dim", "has_text") if not hasattr(cls, key)]
    if missing:
        reason = f"{entry.value} lacks the class attribute{'s' if len(missing) > 1 else ''} "
        return Plugin(entry.name, entry.value, package, None, reason + ", ".join(missing))
    return Plugin(entry.name, entry.value, package, cls, "")


def _sentence(reason: str) -> str:
    reason = reason.strip() or "it is not usable"
    return reason if reason.endswith(".") else reason + "."
