"""People, roles, events and delegation rosters (issue 3), on the seeds and on our own fixtures
(tests/fixtures/articles/people_*.txt: invented Kazakh and Turkish officials)."""
from __future__ import annotations

import pytest

from talks_dataset import events, names, people, roles

from conftest import article

# ---------------------------------------------------------------- pure helpers


def test_name_keys_fold_transliteration_and_particles():
    assert names.name_key("Andrei Belousov") == names.name_key("Andrey Belousov")
    assert names.name_key("Bashar Assad") == names.name_key("Bashar al-Assad")
    assert names.name_key("Al-Sharaa’s") == ("shara",)
    assert names.same_person(names.name_key("Ahmed al-Sharaa"), names.name_key("Ahmad al-Sharaa"))
    assert names.same_person(names.name_key("Asaad Hassan al-Shaibani"),
                             names.name_key("Asaad al-Shaibani"))
    assert names.same_person(names.name_key("Aleksei Morozov"), names.name_key("Alexey Morozov"))
    assert not names.same_person(names.name_key("Maher al-Sharaa"), names.name_key("Ahmed al-Sharaa"))
    assert not names.same_person(names.name_key("Ivan Petrov"), names.name_key("Ivan Petrenko"))
    assert names.canonical_form([("Al-Sharaa", 3, 9), ("Ahmed al-Sharaa", 2, 3)]) == "Ahmed al-Sharaa"


@pytest.mark.parametrize("name", ["Ivan Petrov", "Mehmet Kemal Aydin", "Karim bin Rashid Al Nouri",
                                  "Zhou Ming", "Rami Abu Qasra", "Jean-Luc O'Neill"])
def test_every_full_name_is_the_same_person_as_itself(name):
    """people.resolve joins a mention to its article's group when the group has its very key,
    without comparing it with each of the group's keys: that is right only while this holds."""
    key = names.name_key(name)
    assert names.is_full(key) and names.same_person(key, key)
    assert names.same_person(key, names.name_key(name))   # an equal key, made again


def test_one_word_names_of_a_full_name():
    """The surname alone, a compound surname joined, a family name written first."""
    assert names.one_word_names(names.name_key("Ivan Petrov")) == {"petrov"}
    assert names.one_word_names(names.name_key("Rami Abu Qasra")) == {"qasra", "abuqasra"}
    assert names.one_word_names(names.name_key("Zhou Ming")) == {
        names.name_key("Zhou")[0], names.name_key("Ming")[0]}
    assert names.one_word_names(()) == set()


def _titles(sentence: str, name: str) -> list[tuple]:
    tokens = roles.tokenize(sentence)
    start = sentence.index(name)
    i = next(k for k, t in enumerate(tokens) if t.start == start)
    j = next(k for k, t in enumerate(tokens) if t.end == start + len(name)) + 1
    context = roles.context_of(tokens, i, j, sentence)
    return [(t.text, t.country, t.organization, t.form) for t in context.titles]


@pytest.mark.parametrize("sentence, name, expected", [
    ("Russian Defense Minister Ivan Dorin spoke.", "Ivan Dorin",
     [("Defense Minister", "Russia", "Ministry of Defense", "prenominal")]),
    ("Kremlin Spokesman Oleg Tarin said so.", "Oleg Tarin",
     [("Kremlin Spokesman", "Russia", "Kremlin", "prenominal")]),
    ("It included Pavel Ivin, Deputy Chief of the Presidential Administration, and others.",
     "Pavel Ivin",
     [("Deputy Chief of the Presidential Administration", None, "Presidential Administration",
       "appositive")]),
    ("Egypt's foreign minister, Samir Adel, said.", "Samir Adel",
     [("foreign minister", "Egypt", "Ministry of Foreign Affairs", "title-comma-name")]),
    ("The chief, Adm. Lev Orlov, was there.", "Lev Orlov", [("Admiral", None, None, "rank")]),
    ("They met Turkish President Kemal Aydin, Foreign Minister Selin Arslan and others.",
     "Kemal Aydin", [("President", "Turkey", None, "prenominal")]),
])
def test_title_forms(sentence, name, expected):
    assert _titles(sentence, name) == expected


def test_weekday_resolves_backwards_and_forwards():
    import datetime as dt
    wednesday = dt.date(2026, 1, 28)
    text = "The leaders met on Wednesday."
    assert events._day_expression(text, 0, len(text), wednesday, [])[0] == wednesday
    text = "He is due to arrive on Friday."
    assert events._day_expression(text, 0, len(text), wednesday, [])[0] == dt.date(2026, 1, 30)
    text = "ASTANA, June 10 (Wire) - They met on Tuesday."
    assert events._day_expression(text, 0, len(text), dt.date(2027, 6, 10), [])[0] == \
        dt.date(2027, 6, 8)


# ---------------------------------------------------------------- both corpora


def _spans_match(db, table: str, text_column: str = "text") -> None:
    bad = db.execute(f"""
        select count(*) from {table} t join articles a on a.id = t.article
        where t.start is not null
          and substr(a.text, t.start + 1, t."end" - t.start) != t.{text_column}""").fetchone()[0]
    total = db.execute(f"select count(*) from {table} where start is not null").fetchone()[0]
    assert total > 0 and bad == 0


@pytest.fixture(params=["seeds", "fixtures"])
def db(request, seeds_db, fixtures_db):
    return seeds_db if request.param == "seeds" else fixtures_db


def test_every_span_matches_its_text(db):
    _spans_match(db, "mentions")
    _spans_match(db, "occupancies")
    _spans_match(db, "delegation_evidence")
    _spans_match(db, "event_articles")
    bad = db.execute("""select count(*) from person_mentions pm join articles a on a.file = pm.file
        where substr(a.text, pm.start + 1, pm."end" - pm.start) != pm.mention""").fetchone()[0]
    assert bad == 0


def test_no_canonical_person_is_a_bare_surname(db):
    for row in db["people"].rows:
        assert len(names.name_words(row["name"])) >= 2, row


def test_views_lead_with_the_public_columns(db):
    expected = {
        "person_mentions": ["person", "country", "mention", "file", "start", "end"],
        "people_roles": ["person", "title", "country", "file"],
        "delegation_rosters": ["event", "event_date", "side", "person", "role_at_event", "file"],
    }
    for view, columns in expected.items():
        assert [c.name for c in db[view].columns][:len(columns)] == columns


def test_credited_people_are_never_participants(db):
    credited = {r["person"] for r in db.query(
        "select person from person_credits where role in ('photo', 'byline', 'contributor')")}
    assert credited
    members = {r["person"] for r in db["delegation_members"].rows}
    assert not credited & members
    kinds = {r["kind"] for r in db.query(
        f"select kind from people where id in ({','.join('?' * len(credited))})", list(credited))}
    assert kinds <= {"journalist", "photographer"}


# ---------------------------------------------------------------- seeds


def _person(db, name: str) -> dict:
    rows = list(db["people"].rows_where("name = ?", [name]))
    assert len(rows) == 1, f"{name}: {rows}"
    return rows[0]


def test_seeds_transliteration_variants_are_one_person(seeds_db):
    rows = list(seeds_db.query("select distinct person from person_mentions "
                               "where mention in ('Andrei Belousov', 'Andrey Belousov')"))
    assert len(rows) == 1
    variants = {r["name"] for r in seeds_db["person_names"].rows_where(
        "person = ?", [_person(seeds_db, rows[0]["person"])["id"]])}
    assert {"Andrei Belousov", "Andrey Belousov"} <= variants
    assert _person(seeds_db, "Bashar al-Assad")["id"] == next(seeds_db.query(
        "select person_id from person_mentions where mention = 'Bashar Assad'"))["person_id"]


def test_seeds_namesakes_stay_apart(seeds_db):
    maher, ahmed = _person(seeds_db, "Maher al-Sharaa"), _person(seeds_db, "Ahmed al-Sharaa")
    assert maher["id"] != ahmed["id"]
    assert (maher["country"], ahmed["country"]) == ("Syria", "Syria")
    # every "Sharaa"/"al-Sharaa" alone is the president, including 001's "accompanied Sharaa"
    surnames = {r["person"] for r in seeds_db.query(
        "select person from person_mentions where mention in ('Sharaa', 'al-Sharaa', 'Al-Sharaa')")}
    assert surnames == {"Ahmed al-Sharaa"}


def test_seeds_countries_and_kinds(seeds_db):
    got = {r["name"]: (r["country"], r["kind"]) for r in seeds_db["people"].rows}
    assert got["Vladimir Putin"] == ("Russia", "official")
    assert got["Dmitry Peskov"] == ("Russia", "official")
    assert got["Asaad al-Shaibani"] == ("Syria", "official")
    assert got["Sergei Bobylev"][1] == "photographer"
    assert got["Abby Sewell"][1] == "journalist"


RUSSIAN_SIDE_IN_001 = {
    "Andrey Belousov": "Defense Minister",
    "Alexander Novak": "Deputy Prime Minister",
    "Sergey Lavrov": "Foreign Minister",
    "Anton Siluanov": "Finance Minister",
    "Irek Faizullin": "Construction and Housing Minister",
    "Yuri Ushakov": "presidential aide",
    "Maxim Oreshkin": "Deputy Chief of the Presidential Administration",
    "Yunus-Bek Yevkurov": "First Deputy Defense Minister",
    "Dmitry Shugaev": "head of the Federal Service for Military-Technical Cooperation",
    "Igor Kostyukov": "head of the Main Directorate of the Russian General Staff",
}
SYRIAN_SIDE_IN_001 = {
    "Asaad al-Shaibani": "Foreign Minister",
    "Murhaf Abu Qasra": "Defense Minister",
    "Maher al-Sharaa": "Secretary-General of the Presidency",
}


def _roster(db, file_prefix: str, date: str, side: str, cue: str = "roster") -> dict:
    return {r["person"]: r["role_at_event"] for r in db.query(
        "select person, role_at_event from delegation_rosters where file like ? "
        "and event_date = ? and side = ? and cue = ?", [file_prefix + "%", date, side, cue])}


def test_seeds_russian_side_of_january_talks_as_listed_in_001(seeds_db):
    assert _roster(seeds_db, "001", "2026-01-28", "Russia") == RUSSIAN_SIDE_IN_001
    assert _roster(seeds_db, "001", "2026-01-28", "Syria") == SYRIAN_SIDE_IN_001
    principals = _roster(seeds_db, "001", "2026-01-28", "Russia", cue="principal")
    assert principals == {"Vladimir Putin": "President"}
    # 000 names two of them for the same meeting: one membership, two evidence rows
    member = next(seeds_db.query(
        "select m.id, m.articles from delegation_members m join people p on p.id = m.person "
        "where p.name = 'Andrey Belousov'"))
    assert member["articles"] == 2
    assert seeds_db["delegation_evidence"].count_where("member = ?", [member["id"]]) == 2


def test_seeds_people_roles(seeds_db):
    roles_of = {(r["person"], r["title"], r["country"], r["file"][:3]) for r in
                seeds_db["people_roles"].rows}
    assert ("Dmitry Peskov", "Kremlin spokesman", "Russia", "000") in roles_of
    assert ("Igor Kostyukov", "Admiral", "Russia", "001") in roles_of
    assert ("Andrey Belousov", "Defense Minister", "Russia", "000") in roles_of
    positions = {(r["title"], r["country"]) for r in seeds_db["positions"].rows}
    # one Defense Minister position per country: the holder is kept apart from the position
    assert {("Defense Minister", "Russia"), ("Defense Minister", "Syria")} <= positions


def test_seeds_one_event_per_meeting(seeds_db):
    rows = {r["date"]: r for r in seeds_db["events"].rows}
    assert set(rows) == {"2026-01-28", "2025-10"}
    assert rows["2026-01-28"]["date_precision"] == "day"
    assert rows["2025-10"]["date_precision"] == "month"
    reporting = {r["file"][:3]: r["date"] for r in seeds_db.query(
        "select a.file, e.date from event_articles ea join articles a on a.id = ea.article "
        "join events e on e.id = ea.event where ea.relation = 'reports'")}
    assert reporting == {"000": "2026-01-28", "001": "2026-01-28", "002": "2026-01-28",
                         "003": "2026-01-28", "004": "2025-10"}


def test_seeds_004_is_linked_to_the_october_meeting_only(seeds_db):
    file_id = article(seeds_db, "004")["id"]
    linked = {r["date"] for r in seeds_db.query(
        "select e.date from event_articles ea join events e on e.id = ea.event "
        "where ea.article = ?", [file_id])}
    assert linked == {"2025-10"}


def test_seeds_photographer_is_not_a_participant(seeds_db):
    for prefix in ("002", "003"):
        credit = next(seeds_db.query(
            "select pc.person from person_credits pc where pc.article = ? and pc.role = 'photo'",
            [article(seeds_db, prefix)["id"]]))
        assert seeds_db["delegation_members"].count_where("person = ?", [credit["person"]]) == 0


# ---------------------------------------------------------------- fixtures


def test_fixtures_people(fixtures_db):
    got = {r["name"]: (r["country"], r["kind"]) for r in fixtures_db["people"].rows}
    assert got["Nurlan Temirov"] == ("Kazakhstan", "official")
    assert got["Kemal Aydin"] == ("Turkey", "official")
    assert got["Daulet Temirov"][1] == "official"             # a namesake, kept apart
    assert got["Ayse Kaya"][1] == "photographer"
    assert got["Dana Ospanova"][1] == "journalist"            # byline from a header line
    assert got["Ilyas Bekov"][1] == "journalist"
    morozov = {r["person"] for r in fixtures_db.query(
        "select person from person_mentions where mention in ('Aleksei Morozov', 'Alexey Morozov', 'Morozov')")}
    assert len(morozov) == 1
    celik = {r["person"] for r in fixtures_db.query(
        "select person from person_mentions where mention in ('Burak Celik', 'Burak Çelik')")}
    assert len(celik) == 1
    surnames = {r["person"] for r in fixtures_db.query(
        "select person from person_mentions where mention = 'Temirov'")}
    assert surnames == {"Nurlan Temirov"}
    assert fixtures_db.execute("select count(*) from person_mentions where mention = 'Aydin'"
                               ).fetchone()[0] >= 4


def test_fixtures_roles(fixtures_db):
    roles_of = {(r["person"], r["title"], r["country"], r["file"][:9]) for r in
                fixtures_db["people_roles"].rows}
    assert ("Alexey Morozov", "defense minister", "Kazakhstan", "people_02") in roles_of
    assert ("Selin Arslan", "foreign minister", "Turkey", "people_02") in roles_of
    assert ("Marat Zhaksybekov", "foreign minister", "Kazakhstan", "people_04") in roles_of
    assert ("Hakan Demir", "head of the National Intelligence Organization", "Turkey",
            "people_01") in roles_of


def test_fixtures_events_and_rosters(fixtures_db):
    rows = {r["date"]: r for r in fixtures_db["events"].rows if "Temirov" in r["name"]}
    assert set(rows) == {"2027-06-08", "2027-03"}
    assert rows["2027-06-08"]["articles"] == 3
    undated = article(fixtures_db, "people_03")["id"]
    linked = {r["date"] for r in fixtures_db.query(
        "select e.date from event_articles ea join events e on e.id = ea.event "
        "where ea.article = ?", [undated])}
    assert linked == {"2027-03"}
    assert _roster(fixtures_db, "people_01", "2027-06-08", "Turkey") == {
        "Selin Arslan": "Foreign Minister", "Burak Çelik": "Energy Minister",
        "Hakan Demir": "head of the National Intelligence Organization"}
    assert _roster(fixtures_db, "people_01", "2027-06-08", "Kazakhstan") == {
        "Alexey Morozov": "Defense Minister", "Daulet Temirov": "senior presidential aide"}
    assert _roster(fixtures_db, "people_04", "2027-06-08", "Turkey") == {
        "Selin Arslan": "Foreign Minister", "Burak Çelik": "Energy Minister",
        "Levent Ozturk": "Trade Minister"}
    assert _roster(fixtures_db, "people_03", "2027-03", "Kazakhstan") == {
        "Galym Nurpeisov": "Energy Minister", "Aigerim Sultanova": "Deputy Foreign Minister"}
    # the spokesman quoted ahead of the meeting is not a member
    assert fixtures_db.execute("select count(*) from delegation_rosters where person = "
                               "'Ruslan Abenov'").fetchone()[0] == 0


def test_stage_is_registered_first():
    from talks_dataset import pipeline
    assert pipeline.extraction_stages()[0] is people
