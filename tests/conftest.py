"""Test fixtures as a small DSL.

- `nlp_pipeline`: the spaCy pipeline, loaded once per session.
- `seeds_db` / `seeds_db_path`: a database built once per session from seeds/.
- `build_folder(files)`: build a database from literal {file name: text or bytes} in a temp folder.
- `fixtures_db`: a database built from tests/fixtures/articles (our own invented articles).
- `memory_db`: a fresh in-memory sqlite-utils database.
- `ds`: a Datasette instance over the seeds database with metadata.yml and plugins/.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
import yaml

from talks_dataset import nlp, pipeline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def nlp_pipeline():
    return nlp.load_pipeline(nlp.DEFAULT_MODEL)


def _build(folder: Path, db_path: Path, nlp_pipeline, **options):
    return pipeline.build(folder, db_path, nlp_pipeline=nlp_pipeline, cache_dir=None, **options)


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory, nlp_pipeline):
    db_path = tmp_path_factory.mktemp("seeds") / "talks.db"
    return _build(SEEDS, db_path, nlp_pipeline)


@pytest.fixture(scope="session")
def seeds_db_path(seeds_build) -> Path:
    return seeds_build.db_path


@pytest.fixture(scope="session")
def seeds_db(seeds_db_path) -> sqlite_utils.Database:
    return sqlite_utils.Database(seeds_db_path)


@pytest.fixture(scope="session")
def fixtures_db(tmp_path_factory, nlp_pipeline) -> sqlite_utils.Database:
    db_path = tmp_path_factory.mktemp("fixtures") / "fixtures.db"
    _build(FIXTURES / "articles", db_path, nlp_pipeline)
    return sqlite_utils.Database(db_path)


@pytest.fixture
def build_folder(tmp_path, nlp_pipeline):
    """build_folder({"a.txt": "text", "b.bin": b"..."}, **options) -> (result, Database)."""
    def build(files: dict, db_name: str = "out.db", **options):
        folder = tmp_path / "articles"
        folder.mkdir(exist_ok=True)
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        result = _build(folder, tmp_path / db_name, nlp_pipeline, **options)
        return result, sqlite_utils.Database(tmp_path / db_name)
    return build


@pytest.fixture
def memory_db() -> sqlite_utils.Database:
    return sqlite_utils.Database(memory=True)


@pytest.fixture(scope="session")
def metadata() -> dict:
    return yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ds(seeds_db_path, metadata):
    from datasette.app import Datasette

    return Datasette([str(seeds_db_path)], metadata=metadata,
                     plugins_dir=str(ROOT / "plugins"), settings={"num_sql_threads": 2})


@pytest.fixture(scope="session")
def published_dist(seeds_db_path, tmp_path_factory):
    """The static export (`make publish`) of the seeds database: (dist folder, PublishResult)."""
    from talks_dataset import publish

    dist = tmp_path_factory.mktemp("publish") / "dist"
    # The same file name as `make publish` (talks.db), so URLs read /talks/...
    # A smaller crawl budget than `make publish` keeps the test quick; every required page
    # (index, database, tables, views, rows, queries, charts) is still exported.
    result = publish.publish(seeds_db_path, dist, metadata_path=ROOT / "metadata.yml",
                             plugins_dir=ROOT / "plugins", max_pages=300)
    return dist, result


def article(db: sqlite_utils.Database, file_prefix: str) -> dict:
    """The articles row whose file name starts with `file_prefix` (e.g. "002")."""
    rows = list(db["articles"].rows_where("file like ?", [file_prefix + "%"]))
    assert len(rows) == 1, f"expected one article for {file_prefix}, got {len(rows)}"
    return rows[0]
