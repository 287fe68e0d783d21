from __future__ import annotations

import pytest

from corpuscope.embed.cores import count_cores, default_workers


def test_count_cores_is_positive() -> None:
    assert count_cores() >= 1


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 1), (4, 1), (8, 2), (16, 4), (64, 8)])
def test_decoding_workers_beside_a_main_process_model(cores: int, workers: int) -> None:
    assert default_workers(cores) == workers
