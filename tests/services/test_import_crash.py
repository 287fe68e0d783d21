"""A killed import (SIGKILL) keeps every committed batch, and the next import finishes the rest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.services.killing import count_rows, kill_when

from corpuscope.services.importing import run_import
from corpuscope.store.db import open_project


def _ok_files(db: Path) -> int:
    return count_rows(db, "SELECT COUNT(*) FROM files WHERE status = 'ok'")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux /proc")
def test_sigkill_mid_import_loses_nothing_committed_and_resumes(
    tmp_path: Path, write_image
) -> None:
    total = 240
    for seed in range(total):
        write_image(tmp_path / "in" / f"{seed:03}.jpg", seed=seed, size=(900, 600))
    project = tmp_path / "project"
    command = [
        sys.executable,
        "-m",
        "corpuscope",
        "import",
        str(project),
        str(tmp_path / "in"),
        "--batch-size",
        "10",
        "--workers",
        "2",
        "--quiet",
    ]
    kill_when(command, lambda: _ok_files(project / "project.db") >= 30)
    committed = _ok_files(project / "project.db")
    assert 30 <= committed < total
    with open_project(project) as handle:
        assert handle.read().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        summary = run_import(handle, [tmp_path / "in"])
        assert summary.skipped >= committed
        assert summary.added + summary.skipped == total
        rows = handle.read().execute(
            "SELECT COUNT(*), COUNT(DISTINCT image_id) FROM files WHERE status = 'ok'"
        )
        assert tuple(rows.fetchone()) == (total, total)
