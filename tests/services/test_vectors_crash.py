"""A killed vector run (SIGKILL) keeps what it committed, leaves no worker behind, and resumes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.services.killing import count_rows, kill_when

from corpuscope.services.importing import run_import
from corpuscope.services.vectors import run_vectors
from corpuscope.store.db import create_project, open_project


def _vectors(db: Path) -> int:
    return count_rows(db, "SELECT COUNT(*) FROM vectors")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux /proc")
def test_sigkill_mid_vectors_keeps_committed_batches_and_ends_the_workers(
    tmp_path: Path, write_image
) -> None:
    total = 600
    for seed in range(total):
        write_image(tmp_path / "in" / f"{seed:03}.jpg", seed=seed, size=(256, 192))
    project = tmp_path / "project"
    with create_project(project) as handle:
        run_import(handle, [tmp_path / "in"])
    command = [sys.executable, "-m", "corpuscope", "vectors", str(project), "--quiet"]
    command += ["--batch-size", "8"]
    kill_when(command, lambda: _vectors(project / "project.db") >= 16)
    committed = _vectors(project / "project.db")
    assert 16 <= committed < total
    with open_project(project) as handle:
        assert handle.read().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        summary = run_vectors(handle)
        assert summary.computed == total - committed
        assert _vectors(project / "project.db") == total
