"""A killed import (SIGKILL) keeps every committed batch, and the next import finishes the rest."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.services.processes import all_gone, descendants

from corpuscope.services.importing import run_import
from corpuscope.store.db import open_project


def _ok_files(db: Path) -> int:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM files WHERE status = 'ok'").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        conn.close()


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
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (project / "project.db").exists() and _ok_files(project / "project.db") >= 30:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed"
    helpers = descendants(process.pid)
    assert helpers, "the import runs its reading in worker processes"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert all_gone(helpers), "worker processes outlived the import"
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
