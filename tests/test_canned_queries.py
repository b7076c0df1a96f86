"""Every canned query in metadata.yml runs; browsing configuration (sorting, search, labels,
charts) is consistent with the database."""
from __future__ import annotations

import html
import re

import pytest

from test_datasette import public_tables


def queries(metadata) -> dict:
    return metadata["databases"]["talks"].get("queries", {})


def named_parameters(sql: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"(?<!:):([a-z_][a-z0-9_]*)", sql)))


def test_there_are_analysts_queries(metadata):
    assert len(queries(metadata)) >= 8
    for name, query in queries(metadata).items():
        assert query.get("title") and query.get("description"), name


async def test_every_canned_query_runs_with_default_parameters(ds, metadata):
    for name, query in queries(metadata).items():
        response = await ds.client.get(f"/talks/{name}.json?_shape=array")
        assert response.status_code == 200, (name, response.text[:300])
        assert isinstance(response.json(), list), name
        page = await ds.client.get(f"/talks/{name}")
        assert page.status_code == 200, name


async def test_parameterized_queries_answer_for_a_value_from_the_data(ds, metadata, seeds_db):
    """Each parameter, given a value its own query returns unfiltered, finds rows."""
    examples = {name: query.get("example", {}) for name, query in queries(metadata).items()}
    for name, query in queries(metadata).items():
        params = named_parameters(query["sql"])
        if not params:
            continue
        assert set(examples[name]) == set(params), f"{name}: give an example for {params}"
        qs = "&".join(f"{key}={value}" for key, value in examples[name].items())
        response = await ds.client.get(f"/talks/{name}.json?_shape=array&{qs}")
        assert response.status_code == 200, (name, response.text[:300])
        assert response.json(), f"{name} finds nothing for {examples[name]}"


async def test_search_articles_query(ds, seeds_db):
    rows = (await ds.client.get(
        "/talks/search_articles.json?_shape=array&words=Qamishli")).json()
    assert {row["file"][:3] for row in rows} >= {"001", "002", "004"}
    assert all("[Qamishli]" in row["passage"] for row in rows)
    assert (await ds.client.get("/talks/search_articles.json?_shape=array&words=")).json() == []


async def test_an_empty_parameter_means_all(ds, metadata):
    """README: a parameter left empty means "all" - the unfiltered rows cover the filtered ones."""
    for name, query in queries(metadata).items():
        if name == "search_articles" or not named_parameters(query["sql"]):
            continue
        qs = "&".join(f"{key}=" for key in named_parameters(query["sql"]))
        everything = (await ds.client.get(f"/talks/{name}.json?_shape=array&{qs}")).json()
        example = "&".join(f"{k}={v}" for k, v in query.get("example", {}).items())
        some = (await ds.client.get(f"/talks/{name}.json?_shape=array&{example}")).json()
        assert len(everything) >= len(some) > 0, name


async def test_person_said_names_the_speaker(ds):
    rows = (await ds.client.get(
        "/talks/person_said.json?_shape=array&person=vladimir-putin")).json()
    assert rows and {row["person_id"] for row in rows} == {"vladimir-putin"}
    assert {row["person"] for row in rows} == {"Vladimir Putin"}
    everyone = (await ds.client.get("/talks/person_said.json?_shape=array&person=")).json()
    assert len({row["person_id"] for row in everyone}) > 1


async def test_titles_by_outlet_ignores_capitalization(ds):
    rows = (await ds.client.get("/talks/titles_by_outlet.json?_shape=array")).json()
    keys = [(row["person_id"], row["title"].lower(), row["outlet"]) for row in rows]
    assert len(keys) == len(set(keys))


def test_sortable_columns_include_the_primary_key(metadata, seeds_db):
    """Datasette's search and filter forms resubmit `_sort=<pk>`: without it, a 500."""
    for name, table in metadata["databases"]["talks"]["tables"].items():
        if "sortable_columns" in table and name in seeds_db.table_names():
            for pk in seeds_db[name].pks:
                if pk != "rowid":
                    assert pk in table["sortable_columns"], name


async def test_search_form_submission_works_on_every_fts_table(ds, seeds_db):
    for name in public_tables(seeds_db):
        if seeds_db[name].detect_fts():
            pk = seeds_db[name].pks[0]
            response = await ds.client.get(f"/talks/{name}?_search=the&_sort={pk}")
            assert response.status_code == 200, name


def test_entity_tables_have_label_columns(metadata, seeds_db):
    tables = metadata["databases"]["talks"]["tables"]
    for name in ("outlets", "articles", "people", "organizations", "places", "events"):
        if name in seeds_db.table_names():
            label = tables[name].get("label_column")
            assert label in seeds_db[name].columns_dict, name


async def test_chart_links_point_at_existing_columns(ds, metadata):
    """A datasette-vega link names its columns in the fragment: they must exist on that page."""
    text = "\n".join(str(table.get("description_html", ""))
                     for table in metadata["databases"]["talks"]["tables"].values())
    text += "\n".join(str(query.get("description_html", "")) for query in queries(metadata).values())
    charts = re.findall(r'href="(/talks/[^"#]+)#(g\.mark=[^"]+)"', text)
    assert len(charts) >= 1
    for path, fragment in charts:
        state = dict(part.split("=", 1) for part in html.unescape(fragment).split("&"))
        json_path = path.split("?")[0] + ".json?_shape=array" + (
            "&" + html.unescape(path.split("?")[1]) if "?" in path else "")
        response = await ds.client.get(json_path)
        assert response.status_code == 200, path
        rows = response.json()
        assert len(rows) >= 2, f"{path}: datasette-vega draws only with two rows or more"
        for key in ("g.x_column", "g.y_column"):
            assert state[key] in rows[0], (path, state[key])


# What two canned queries mean, over the public views and tables. The queries themselves read
# cheaper sources (places_per_article the tables under place_mentions, whose joins it need not
# sort; mentions_per_person the counts `people` holds): they must give the same rows as these.
OVER_VIEWS = {
    "places_per_article": """
        select file, place, kind, country, count(*) as mentions,
          group_concat(distinct mention) as written_as, latitude, longitude, place_id
        from place_mentions
        where :file = '' or file like :file || '%'
        group by file, place_id
        order by file, mentions desc, place""",
    "mentions_per_person": """
        select people.name as person, count(*) as mentions,
          count(distinct mentions.article) as articles, people.country, people.id as person_id
        from mentions join people on people.id = mentions.person
        group by people.id
        order by mentions desc, person""",
}


def listed_sets(rows: list[tuple]) -> list[tuple]:
    """Rows with each comma-separated list as a set: group_concat's order is SQLite's choice."""
    return [tuple(frozenset(value.split(",")) if isinstance(value, str) else value
                  for value in row) for row in rows]


@pytest.mark.parametrize("name", sorted(OVER_VIEWS))
def test_summaries_agree_with_the_public_views(name, metadata, seeds_db, fixtures_db):
    sql = queries(metadata)[name]["sql"]
    for db in (seeds_db, fixtures_db):
        example = queries(metadata)[name].get("example", {})
        for params in ({key: "" for key in named_parameters(sql)}, example):
            fast = db.execute(sql, params)
            reference = db.execute(OVER_VIEWS[name], params)
            assert [c[0] for c in fast.description] == [c[0] for c in reference.description]
            rows = fast.fetchall()
            assert listed_sets(rows) == listed_sets(reference.fetchall()), (name, params)
            assert rows or params, name
