"""Places: mentions found, resolved to gazetteer places with kind and coordinates, mapped."""
from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT, article
from talks_dataset import clean, gazetteer, pipeline, places

PLACE_MENTIONS_COLUMNS = ["place", "kind", "country", "latitude", "longitude", "mention", "file",
                          "start", "end"]


def literal_article(text: str, entities=(), dateline=None) -> pipeline.Article:
    """An Article with hand-written NER rows: tests the stage without spaCy."""
    entities = [[label, text.index(surface), text.index(surface) + len(surface), surface]
                for label, surface in entities]
    return pipeline.Article(
        id="a1", file="a.txt", text=text, title=None, byline=None, published=None, url=None,
        dateline=dateline, outlet=None, duplicate_of=None,
        sentences=[{"id": "s1", "article": "a1", "index": 0, "start": 0, "end": len(text),
                    "kind": "body", "text": text}],
        entities=entities, tokens=[], segments=[clean.Segment(0, len(text), "body")],
        credits=[])


def resolved(text, entities=(), dateline=None) -> dict[str, gazetteer.Place]:
    """{surface: place} of one literal article."""
    item = literal_article(text, entities, dateline)
    return {text[r.candidate.start:r.candidate.end]: r.place
            for r in places.article_places(item, gazetteer.load())}


def mention_rows(db, where="1", params=()):
    return [dict(row) for row in db.query(f"select * from place_mentions where {where}", params)]


# -- the gazetteer, pure ---------------------------------------------------------------------

@pytest.mark.parametrize("variants", [
    ["Tartus", "Tartous"], ["Latakia", "Lattakia"],
    ["Qamishli", "Al-Qamishli", "Qamishlo", "al-Qamishli"], ["Hasakah", "Hasakeh", "Al-Hasakah"],
    ["Kyiv", "Kiev"], ["Deir ez-Zor", "Deir Ezzor"]])
def test_variants_resolve_to_one_place(variants):
    gaz = gazetteer.load()
    chosen = {gaz.rank(gaz.candidates(name)[0])[0].id for name in variants}
    assert len(chosen) == 1, chosen


def test_namesakes_in_other_countries_are_not_chosen():
    found = resolved(
        "Officials from the United States and Syria met in Damascus, then flew to Moscow.",
        [("GPE", "United States"), ("GPE", "Syria"), ("GPE", "Damascus"), ("GPE", "Moscow")])
    assert (found["Damascus"].country_code, found["Moscow"].country_code) == ("SY", "RU")
    # Context picks the smaller namesake when the article is about its country.
    found = resolved("Lebanon's army said the port of Tripoli was damaged.",
                     [("GPE", "Lebanon"), ("GPE", "Tripoli")])
    assert found["Tripoli"].country_code == "LB"
    found = resolved("Libya's government met in Tripoli.", [("GPE", "Libya"), ("GPE", "Tripoli")])
    assert found["Tripoli"].country_code == "LY"


def test_facility_named_after_a_town_is_the_facility_within_the_town():
    text = ("Russia kept the naval outpost in Tartus and the Khmeimim air base; "
            "it left Qamishli airport, and planes landed at the Chania naval base.")
    found = resolved(text)
    gaz = gazetteer.load()
    assert found["naval outpost in Tartus"].id == "tartus-naval-base"
    assert gaz.by_id[found["naval outpost in Tartus"].within].name == "Tartus"
    assert found["Khmeimim air base"].kind == "air base"
    airport = found["Qamishli airport"]
    assert (airport.kind, airport.geo_precision, gaz.by_id[airport.within].name) == (
        "airport", "site", "Al Qamishli")
    chania = found["Chania naval base"]     # not in any list: placed at its town
    assert (chania.kind, chania.geo_precision, chania.country_code) == ("naval base", "city", "GR")
    assert "Tartus" not in found and "Qamishli" not in found   # no separate town mentions


def test_demonyms_possessives_persons_and_metonyms():
    text = ("Syrian officials said Syria's coast was calm. Kremlin spokesman Ivan Petrov said "
            "talks at the Kremlin went well, and al-Sharaa's aides agreed.")
    found = resolved(text, [("NORP", "Syrian"), ("GPE", "Syria"), ("ORG", "Kremlin"),
                            ("PERSON", "Ivan Petrov"), ("FAC", "al-Sharaa's")])
    assert "Syrian" not in found
    assert found["Syria"].id == "syria"               # the possessive names the country
    assert list(found).count("Kremlin") == 1          # only "at the Kremlin"
    item = literal_article(text, [("GPE", "Syria")])
    spans = [(r.candidate.start, r.place.id) for r in
             places.article_places(item, gazetteer.load()) if r.place.kind == "palace"]
    assert spans == [(text.index("at the Kremlin") + 7, "moscow-kremlin")]
    assert not any("Sharaa" in surface for surface in found)


def test_unknown_place_is_kept_without_coordinates():
    found = resolved("Troops entered Zarqavel Heights overnight.", [("GPE", "Zarqavel Heights")])
    place = found["Zarqavel Heights"]
    assert (place.kind, place.latitude, place.longitude) == ("unknown", None, None)
    rows = places.extract([literal_article("Troops entered Zarqavel Heights overnight.",
                                           [("GPE", "Zarqavel Heights")])], {})
    assert [(r["name"], r["kind"], r["latitude"]) for r in rows["places"]] == [
        ("Zarqavel Heights", "unknown", None)]


def test_dateline_place_is_found():
    text = "ERBIL, Kurdistan Region of Iraq – Officials met on Monday."
    found = resolved(text, dateline="ERBIL, Kurdistan Region of Iraq")
    assert found["ERBIL"].country_code == "IQ" and found["ERBIL"].kind == "city"


def test_popup_links_to_the_place_row():
    place = gazetteer.load().by_id["moscow-kremlin"]
    assert json.loads(places.popup(place, 2)) == {
        "title": "Kremlin", "description": "palace, site precision, 2 mentions",
        "link": "places/moscow-kremlin"}


def test_data_files_resolve():
    gaz = gazetteer.load()
    for row in gazetteer.read_csv("place_facilities.csv"):
        assert row["kind"] in gazetteer.KINDS, row
        assert row["source"], row
        if row["town"]:
            assert gaz.town(row["town"], row["country"]), row
    for row in gazetteer.read_csv("place_aliases.csv"):
        assert gaz.candidates(row["variant"])[0], row
    for row in gazetteer.read_csv("place_regions.csv"):
        assert row["kind"] in gazetteer.KINDS and row["source"], row


# -- the seeds --------------------------------------------------------------------------------

def test_place_mentions_view_columns(seeds_db):
    assert list(seeds_db["place_mentions"].columns_dict)[:9] == PLACE_MENTIONS_COLUMNS


@pytest.mark.parametrize("db_name", ["seeds_db", "fixtures_db"])
def test_spans_match_the_text_in_sql(request, db_name):
    db = request.getfixturevalue(db_name)
    checked, wrong = db.execute("""
        select count(*), sum(substr(articles.text, m.start + 1, m."end" - m.start) != m.mention)
        from place_mentions m join articles on articles.file = m.file""").fetchone()
    assert checked > 0 and wrong == 0
    assert db.execute("""select count(*) from place_spans s join sentences on
        sentences.id = s.sentence where s.start < sentences.start or s."end" > sentences."end"
        """).fetchone()[0] == 0
    assert db.execute("select count(*) from place_spans where sentence is null").fetchone()[0] == 0


def test_seed_variants_are_one_place(seeds_db):
    rows = mention_rows(seeds_db, "mention like '%Tartus%' or mention like '%Tartous%'")
    bases = {r["place_id"] for r in rows if r["kind"] == "naval base"}
    assert bases == {"tartus-naval-base"}
    assert {r["mention"] for r in rows if r["kind"] == "naval base"} >= {
        "Tartous naval facility", "Tartus naval base", "naval outpost in Tartus"}
    qamishli = {r["place_id"] for r in mention_rows(seeds_db, "mention like '%Qamishli%'")}
    assert len(qamishli) == 1


def test_seed_namesakes_and_within(seeds_db):
    by_name = {row["name"]: row for row in seeds_db["places"].rows}
    assert by_name["Damascus"]["country"] == "Syria"
    assert by_name["Moscow"]["country"] == "Russia"
    assert not list(seeds_db.query(
        "select * from places where kind = 'city' and country_code = 'US'"))
    hmeimim = seeds_db["places"].get("hmeimim-air-base")
    assert seeds_db["places"].get(hmeimim["within"])["kind"] == "city"
    tartus_base = seeds_db["places"].get("tartus-naval-base")
    assert seeds_db["places"].get(tartus_base["within"])["name"] == "Tartus"
    city = seeds_db["places"].get(by_name["Damascus"]["id"])
    assert seeds_db["places"].get(city["within"])["id"] == "syria"


def test_every_non_country_seed_place_has_coordinates(seeds_db):
    missing = list(seeds_db.query(
        "select name, kind from places where kind != 'country' and latitude is null"))
    assert missing == []
    assert seeds_db.execute("select count(*) from places where kind != 'country'"
                            ).fetchone()[0] >= 10


def test_seed_dateline_and_kinds(seeds_db):
    erbil = mention_rows(seeds_db, "mention = 'ERBIL'")
    assert [(r["file"][:3], r["start"], r["place"], r["country"]) for r in erbil] == [
        ("004", 0, "Erbil", "Iraq")]
    kinds = {r["kind"] for r in seeds_db["places"].rows if r["mention_count"]}
    assert {"country", "city", "air base", "naval base", "airport", "sea", "region",
            "palace"} <= kinds
    mentions = {r["mention"] for r in mention_rows(seeds_db)}
    assert not mentions & {"Syrian", "Russian", "Sharaa", "Al-Sharaa", "SANA"}


def test_foreign_keys_hold(seeds_db):
    assert seeds_db.execute("""select count(*) from place_spans
        where place not in (select id from places)""").fetchone()[0] == 0
    assert seeds_db.execute("""select count(*) from places
        where within is not null and within not in (select id from places)""").fetchone()[0] == 0


# -- our own fixture articles: places outside Syria and Russia --------------------------------

def test_fixture_articles_outside_syria_and_russia(fixtures_db):
    nicosia = article(fixtures_db, "places_nicosia")["file"]
    rows = {(r["mention"], r["start"]): r for r in mention_rows(fixtures_db, "file = ?",
                                                                 [nicosia])}
    first = {mention: row for (mention, _), row in sorted(rows.items(), key=lambda x: -x[0][1])}
    assert (first["NICOSIA"]["place"], first["NICOSIA"]["country"], first["NICOSIA"]["start"]
            ) == ("Nicosia", "Cyprus", 0)
    assert first["Tripoli"]["country"] == "Lebanon"          # not Libya's Tripoli
    assert first["Paris"]["country"] == "France"             # not Paris, Texas
    assert first["Kiev"]["place_id"] == first["Kyiv"]["place_id"]
    assert (first["Larnaca airport"]["kind"], first["Larnaca airport"]["within"]) == (
        "airport", "Larnaca")
    assert (first["Chania naval base"]["kind"], first["Chania naval base"]["within"]) == (
        "naval base", "Chania")
    assert first["Elysee Palace"]["kind"] == "palace"
    assert first["Ayios Thyrsos"]["kind"] == "unknown"
    assert first["Ayios Thyrsos"]["latitude"] is None
    assert "Cypriot" not in first and "Crete" not in first or first["Crete"]

    alexandria = article(fixtures_db, "places_alexandria")["file"]
    rows = {r["mention"]: r for r in mention_rows(fixtures_db, "file = ?", [alexandria])}
    assert (rows["ALEXANDRIA"]["country"], rows["Alexandria"]["country"]) == ("Egypt", "Egypt")
    assert rows["Washington"]["country"] == "United States"
    assert (rows["Wadi Halfa air base"]["kind"], rows["Wadi Halfa air base"]["within"],
            rows["Wadi Halfa air base"]["geo_precision"]) == ("air base", "Wadi Halfa", "city")
    assert rows["Borg El Arab airport"]["kind"] == "airport"
    assert rows["Ras Banas naval base"]["kind"] == "naval base"   # kept, though unplaced
    assert rows["Red Sea"]["kind"] == "sea"


# -- Datasette: the map and the place pages ----------------------------------------------------

def load_plugin():
    spec = importlib.util.spec_from_file_location("place_pages", ROOT / "plugins" /
                                                  "place_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_place_page_helpers_render_mentions():
    plugin = load_plugin()
    rows = [{"place_id": "moscow-ru", "article_id": "a1", "file": "x.txt", "mention": "Moscow",
             "start": 4, "end": 10, "sentence": "In Moscow, <b>talks</b>."}]
    html = plugin.mentions_html(rows, "/talks", 3)
    assert "In <mark>Moscow</mark>, &lt;b&gt;talks&lt;/b&gt;." in html
    assert 'href="/talks/articles/a1"' in html and "Mentions (3)" in html
    assert "place_mentions?place_id=moscow-ru" in html
    assert plugin.mentions_html([], "/talks", 0) == ""
    assert 'href="/talks/places/x"' in plugin.within_html([{"id": "x", "name": "X",
                                                            "kind": "city"}], "/talks")


def test_metadata_configures_the_map(metadata):
    table = metadata["databases"]["talks"]["tables"]["places"]
    assert table["plugins"]["datasette-cluster-map"] == {
        "latitude_column": "latitude", "longitude_column": "longitude"}


async def test_places_map_and_row_page(ds, seeds_db):
    html = (await ds.client.get("/talks/places")).text
    assert "datasette-cluster-map" in html
    rows = (await ds.client.get("/talks/places.json?_shape=array&latitude__notblank=1"
                                "&_size=max")).json()
    assert rows and all(json.loads(row["popup"])["link"] == f"places/{row['id']}"
                        for row in rows)
    page = await ds.client.get("/talks/places/tartus-naval-base")
    assert page.status_code == 200
    assert "naval outpost in Tartus" in page.text and "place-mentions" in page.text
    town = (await ds.client.get(f"/talks/places/{seeds_db['places'].get('tartus-naval-base')['within']}")).text
    assert "Places within" in town and "Tartus naval base" in town
