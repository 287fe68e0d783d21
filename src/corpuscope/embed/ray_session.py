"""Connecting to a Ray cluster, or starting one on this machine, for the vectors step.

``ray`` is an optional dependency (``pip install 'corpuscope[ray]'``): it is imported here, when
a Ray run starts, and its absence is a one-sentence error. A session this module starts, it also
ends; a Ray connection the caller already made (a notebook, the tests) is used as it is and left
open.
"""

from __future__ import annotations

import logging
import os
import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from corpuscope.embed.cores import count_cores
from corpuscope.errors import InvalidInput, ModelUnavailable

#: Object store of a Ray instance started here. Blocks in flight hold pictures (147 KB each) and
#: vectors (5 KB): a few hundred MB is ample, and Ray's default (30 % of the memory) is not
#: needed on a laptop. Ray's own processes take about 0.7 GB beside it (docs/scale.md).
LOCAL_OBJECT_STORE = 512 * 1024 * 1024
CONNECT_TIMEOUT = 5.0  # seconds to wait for an address to answer before Ray's own long retries


def import_ray() -> ModuleType:
    """The ``ray`` module, or a sentence saying how to install it."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise ModelUnavailable(
            "Computing vectors on Ray needs Ray; run: pip install 'corpuscope[ray]'"
        ) from None
    return ray


@contextmanager
def ray_session(address: str | None = None) -> Iterator[ModuleType]:
    """Yield the ``ray`` module connected to ``address`` (``None``: a new local instance using
    this machine's cores; ``"auto"``: the cluster this machine belongs to; ``host:port`` or
    ``ray://host:port``: that cluster), and disconnect at the end if this call connected."""
    ray = import_ray()
    if ray.is_initialized():
        _quiet_data(ray)
        yield ray
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline: report nothing anywhere
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR}
    try:
        if address is None:
            ray.init(
                address="local",
                num_cpus=count_cores(),
                object_store_memory=LOCAL_OBJECT_STORE,
                include_dashboard=False,
                **quiet,
            )
        else:
            _check_reachable(address)
            ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = "on this machine" if address is None else f"at {address}"
        raise ModelUnavailable(f"No Ray cluster could be reached {where} ({error}).") from None
    try:
        _quiet_data(ray)
        yield ray
    finally:
        ray.shutdown()


def uses_client(ray: ModuleType) -> bool:
    """Whether this process drives the cluster through Ray Client (``ray://``)."""
    from ray.util.client import ray as client

    connected: Any = client.is_connected
    return bool(connected())


def _quiet_data(ray: ModuleType) -> None:
    """corpuscope reports its own progress: no Ray Data progress bars or plans on the terminal."""
    with warnings.catch_warnings():  # Ray 2.60 warns about its own default shuffle setting
        warnings.simplefilter("ignore", DeprecationWarning)
        context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def _check_reachable(address: str) -> None:
    """Refuse at once an address where nothing listens (Ray itself retries for minutes)."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise InvalidInput(
            f"{address!r} is not a Ray address; give HOST:PORT (the head's GCS port, usually "
            "6379), ray://HOST:PORT (Ray Client, usually 10001) or auto."
        )
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
    except OSError as error:
        raise ModelUnavailable(
            f"No Ray cluster answers at {address} ({error.strerror or error})."
        ) from None
