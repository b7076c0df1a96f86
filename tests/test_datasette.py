"""Datasette serving: every page answers, the JSON API returns rows, metadata and README agree."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT

HIDDEN_SUFFIXES = ("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")


def materialized_tables(db) -> list[str]:
    """The tables holding a materialized view's rows (schema.View): hidden, the view is public."""
    from talks_dataset import pipeline, schema

    views = [*schema.CORE_VIEWS, *(view for stage in pipeline.extraction_stages()
                                   for view in stage.VIEWS)]
    return [view.rows_table for view in views
            if view.materialized and view.rows_table in db.table_names()]


def public_tables(db) -> list[str]:
    return [name for name in db.table_names()
            if not name.endswith(HIDDEN_SUFFIXES) and not name.startswith("sqlite_")
            and name not in materialized_tables(db)]


async def test_index_and_database_pages(ds):
    for path in ["/", "/talks", "/-/metadata.json", "/-/plugins.json"]:
        response = await ds.client.get(path)
        assert response.status_code == 200, path


async def test_every_table_and_view_page(ds, seeds_db):
    names = public_tables(seeds_db) + seeds_db.view_names()
    assert "article_index" in names
    for name in names:
        html = await ds.client.get(f"/talks/{name}")
        assert html.status_code == 200, name
        rows = (await ds.client.get(f"/talks/{name}.json?_shape=array")).json()
        assert isinstance(rows, list), name
        if seeds_db[name].count:
            assert rows, name


async def test_json_api_rows(ds):
    rows = (await ds.client.get("/talks/article_index.json?_shape=array")).json()
    assert [row["file"][:3] for row in rows] == ["000", "001", "002", "003", "004"]
    search = (await ds.client.get("/talks/articles.json?_search=Qamishli&_shape=array")).json()
    assert {row["file"][:3] for row in search} >= {"001", "002", "004"}


async def test_configured_facets_render(ds, metadata):
    tables = metadata["databases"]["talks"]["tables"]
    for name, table in tables.items():
        for facet in table.get("facets", []):
            response = await ds.client.get(f"/talks/{name}.json?_facet={facet}")
            assert response.status_code == 200, (name, facet)


def test_metadata_describes_every_table_view_and_column(seeds_db, metadata):
    tables = metadata["databases"]["talks"]["tables"]
    for name in public_tables(seeds_db) + seeds_db.view_names():
        assert tables.get(name, {}).get("description"), f"{name} has no description"
        columns = tables[name].get("columns", {})
        for column in seeds_db[name].columns_dict:
            assert columns.get(column), f"{name}.{column} has no description"
    for name in tables:
        assert name in public_tables(seeds_db) + seeds_db.view_names() + \
            materialized_tables(seeds_db), f"{name} is not in the db"
    for name in materialized_tables(seeds_db):
        assert tables.get(name, {}).get("hidden") is True, f"{name} is not hidden"
        assert tables[name].get("description"), f"{name} has no description"


def test_readme_documents_every_table_and_view(seeds_db):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in public_tables(seeds_db) + seeds_db.view_names():
        assert re.search(rf"`{name}`", readme), f"README does not document {name}"


def test_readme_commands_match_ci():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make serve" in readme and "make test" in readme
    assert re.search(r"^make test$", ci, re.M)
