"""Reference data files (gazetteers, lexicons, outlet lists) in build/talks_dataset/data/.

Every CSV opens with '#' lines documenting its source; one reader serves every stage.
"""
from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).parent / "data"


def read_csv(name: str) -> list[dict]:
    """Rows of a data CSV, values stripped; '#' lines (its documentation) and blank lines skipped."""
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return [{key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(lines)]
