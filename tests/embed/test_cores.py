from __future__ import annotations

import os
import subprocess
import sys

import pytest

from corpuscope.embed.cores import count_cores, default_workers


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity here")
def test_count_cores_follows_the_cpu_affinity_not_the_machine() -> None:
    """A process pinned to one core (taskset, a container's cpuset) counts one core."""
    code = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
        "from corpuscope.embed.cores import count_cores; print(count_cores())"
    )
    pinned = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert pinned.stdout.strip() == "1"
    assert count_cores() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 1), (4, 1), (8, 2), (16, 4), (64, 8)])
def test_decoding_workers_beside_a_main_process_model(cores: int, workers: int) -> None:
    assert default_workers(cores) == workers
