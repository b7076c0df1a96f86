"""The Makefile: file targets, so a second `make serve` reinstalls and rebuilds nothing."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=600)


def test_second_serve_rebuilds_and_reinstalls_nothing(tmp_path):
    db = tmp_path / "talks.db"
    first = make(f"DB={db}", str(db))
    assert first.returncode == 0, first.stderr
    assert db.exists()
    # -q: exit 0 only when the target is up to date (nothing would run)
    assert make("-q", f"DB={db}", str(db)).returncode == 0
    assert make("-q", ".venv/.installed").returncode == 0
    dry_run = make("-n", f"DB={db}", "serve").stdout
    assert "pip install" not in dry_run and "talks_dataset build" not in dry_run
    assert "datasette serve" in dry_run and "--host 127.0.0.1" in dry_run


def test_help_lists_every_target():
    output = make("help").stdout
    for target in ("install", "build", "serve", "test", "publish", "bench", "clean"):
        assert f"make {target}" in output, target
