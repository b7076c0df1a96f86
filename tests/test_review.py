"""Quality review on unseen-style articles (tests/fixtures/articles/review_*): a Reuters wire
with a "(Reporting by ...; Editing by ...)" trailer, an AP story with an all-capitals byline and
an "Associated Press writer X in Y contributed." line, a Kremlin readout with attendance
rosters, a markdown scrape with a photo credit, and a phone call reported days later.

Each test pins a behaviour a reviewer found wrong and fixed with a general rule (see the
docstrings); the names below are the fixtures' and appear in no extraction code.
"""
from __future__ import annotations

import pytest

from talks_dataset import names, roles

REVIEW = "review_%"


def rows(db, sql, *params):
    return [tuple(row) for row in db.execute(sql, params).fetchall()]


# ---------------------------------------------------------------- headers and credits

def test_sentence_case_headlines_and_header_lines_are_read(fixtures_db):
    """A sentence-case headline above "Published:" is the title, and a short label line
    ("Associated Press" under the byline) does not end the header."""
    assert rows(fixtures_db, """
        select file, outlet, title, byline, published, dateline from articles
        where file like ? order by file""", REVIEW) == [
        ("review_01_reuters_lavrov_fidan.txt", "reuters",
         "Russia, Turkey discuss Syria bases and grain as Lavrov hosts Fidan", None,
         "2026-02-03", "MOSCOW, Feb 3"),
        ("review_02_ap_putin_wang.txt", "associated-press",
         "Putin meets China's top diplomat Wang Yi as Moscow and Beijing coordinate on Syria",
         "DARIA VOLKOVA", "2026-02-17", "MOSCOW"),
        ("review_03_kremlin_readout_qatar.txt", "kremlin-office-of-the-president-of-russia",
         "Russian-Qatari talks", None, "2026-03-12", None),
        ("review_04_md_wang_shaibani.md", None,
         "China pledges to back Syria's recovery as Wang Yi receives al-Shaibani in Beijing",
         "Lina Haddad", "2026-02-20", "BEIJING"),
        ("review_05_erdogan_putin_call.txt", None,
         "Erdogan, Putin Discuss Syria In Phone Call, Agree To Keep Contacts", "Selin Demir",
         "2026-03-09", None),
    ]


def test_wire_trailers_and_agency_contributor_lines_credit_journalists(fixtures_db):
    """Every credit of a "(Reporting by A and B in X; Additional reporting by C in Y; Editing
    by D)" trailer and "Associated Press writer E in Z contributed." is a journalist, never a
    person of the news; an all-capitals byline is named in running-text case."""
    assert sorted(rows(fixtures_db, """
        select articles.file, article_credits.role, people.name, people.kind
        from person_credits
        join people on people.id = person_credits.person
        join articles on articles.id = person_credits.article
        join article_credits on article_credits.id = person_credits.credit
        where articles.file like ?""", REVIEW)) == sorted([
        ("review_01_reuters_lavrov_fidan.txt", "contributor", "Olga Semyonova", "journalist"),
        ("review_01_reuters_lavrov_fidan.txt", "contributor", "Pavel Kiselyov", "journalist"),
        ("review_01_reuters_lavrov_fidan.txt", "contributor", "Deniz Karaca", "journalist"),
        ("review_01_reuters_lavrov_fidan.txt", "editor", "Mark Hollis", "journalist"),
        ("review_02_ap_putin_wang.txt", "byline", "Daria Volkova", "journalist"),
        ("review_02_ap_putin_wang.txt", "contributor", "Karim Mansour", "journalist"),
        ("review_04_md_wang_shaibani.md", "byline", "Lina Haddad", "journalist"),
        ("review_04_md_wang_shaibani.md", "photo", "Chen Jing", "photographer"),
        ("review_05_erdogan_putin_call.txt", "byline", "Selin Demir", "journalist"),
    ])
    credited = {row[0] for row in rows(fixtures_db, """
        select person from person_credits join articles on articles.id = person_credits.article
        where articles.file like ?""", REVIEW)}
    members = {row[0] for row in rows(fixtures_db, "select person from delegation_members")}
    assert not credited & members


# ---------------------------------------------------------------- people

EXPECTED_PEOPLE = {
    "review_01_reuters_lavrov_fidan.txt": {
        "Sergei Lavrov", "Hakan Fidan", "Dmitry Peskov", "Vladimir Putin",
        "Recep Tayyip Erdogan", "Nuh Yilmaz", "Ibrahim Kalin", "Mikhail Bogdanov",
        "Alexander Lavrentiev"},
    "review_02_ap_putin_wang.txt": {
        "Vladimir Putin", "Wang Yi", "Sergei Lavrov", "Ahmed al-Sharaa", "Yury Ushakov",
        "Zhang Hanhui", "Xi Jinping"},
    "review_03_kremlin_readout_qatar.txt": {
        "Vladimir Putin", "Tamim bin Hamad Al Thani", "Alexander Novak", "Sergei Lavrov",
        "Yury Ushakov", "Sergei Tsivilev", "Kirill Dmitriev",
        "Mohammed bin Abdulrahman Al Thani", "Mohammed Al-Khulaifi",
        "Ahmed bin Nasser Al Thani"},
    "review_04_md_wang_shaibani.md": {
        "Wang Yi", "Asaad Hassan al-Shaibani", "Bashar al-Assad", "Mohammed Yasser Suleiman",
        "Nidal al-Shaar", "Li Wenhua"},
    "review_05_erdogan_putin_call.txt": {
        "Recep Tayyip Erdogan", "Vladimir Putin", "Hakan Fidan", "Ahmed al-Sharaa",
        "Kerem Aksoy", "Dmitry Peskov"},
}


def test_people_of_the_news_exactly(fixtures_db):
    """Precision and recall of people named in the body: no journalist from a trailer, no
    "Tayyip Erdogan" beside "Recep Tayyip Erdogan", and "Kirill Dmitriev" found after an
    organization name ("Head of the Russian Direct Investment Fund Kirill Dmitriev")."""
    found = {}
    for file, name in rows(fixtures_db, """
            select articles.file, people.name from mentions
            join people on people.id = mentions.person
            join articles on articles.id = mentions.article
            where articles.file like ? and mentions.form != 'credit'""", REVIEW):
        found.setdefault(file, set()).add(name)
    assert found == EXPECTED_PEOPLE


def test_dropped_first_name_is_the_same_person_but_a_patronymic_is_not(fixtures_db):
    assert rows(fixtures_db, """
        select name from person_names where person = 'recep-tayyip-erdogan' order by name""") == [
        ("Erdogan",), ("Recep Tayyip Erdogan",), ("Tayyip Erdogan",)]
    assert names.same_person(names.name_key("Tayyip Erdogan"),
                             names.name_key("Recep Tayyip Erdogan"))
    # father and son: "Hamad Al Thani" is not "Tamim bin Hamad Al Thani"
    assert not names.same_person(names.name_key("Hamad Al Thani"),
                                 names.name_key("Tamim bin Hamad Al Thani"))
    al_thani = rows(fixtures_db, "select name from people where surname = 'Thani' order by name")
    assert al_thani == [("Ahmed bin Nasser Al Thani",), ("Mohammed bin Abdulrahman Al Thani",),
                        ("Tamim bin Hamad Al Thani",)]


def test_family_name_first_mentions_resolve(fixtures_db):
    """"Wang said ..." is Wang Yi (family name written first), in both articles."""
    assert rows(fixtures_db, """
        select people.name, people.surname, articles.file, count(*) from mentions
        join people on people.id = mentions.person
        join articles on articles.id = mentions.article
        where mentions.text = 'Wang' group by 1, 2, 3 order by 3""") == [
        ("Wang Yi", "Wang", "review_02_ap_putin_wang.txt", 2),
        ("Wang Yi", "Wang", "review_04_md_wang_shaibani.md", 1),
    ]
    assert names.surname_of("Xi Jinping") == "Xi"
    assert names.surname_of("Ahmed al-Sharaa") == "Sharaa"


def test_countries_of_people(fixtures_db):
    """"Qatari Ambassador to Russia" serves Qatar (the country after "to" is the host);
    "Kremlin foreign policy aide" serves Russia; officials listed without a demonym in a
    government's own readout serve that government."""
    got = dict(rows(fixtures_db, """
        select name, country from people where name in (
          'Ahmed bin Nasser Al Thani', 'Yury Ushakov', 'Sergei Tsivilev', 'Kirill Dmitriev',
          'Alexander Novak', 'Mohammed Yasser Suleiman')"""))
    assert got == {"Ahmed bin Nasser Al Thani": "Qatar", "Yury Ushakov": "Russia",
                   "Sergei Tsivilev": "Russia", "Kirill Dmitriev": "Russia",
                   "Alexander Novak": "Russia", "Mohammed Yasser Suleiman": "Syria"}


# ---------------------------------------------------------------- roles

def test_titles_as_stated(fixtures_db):
    got = set(rows(fixtures_db, """
        select person, title, country, file, organization from people_roles
        where file like ?""", REVIEW))
    expected = {
        # "the government of President X": the title is "President"
        ("Ahmed al-Sharaa", "President", "Syria", "review_02_ap_putin_wang.txt", None),
        # capitalized words of an organization's name inside a pre-nominal title
        ("Kirill Dmitriev", "Head of the Russian Direct Investment Fund", "Russia",
         "review_03_kremlin_readout_qatar.txt", "Russian Direct Investment Fund"),
        # "Minister of <portfolio>" belongs to that ministry; "Minister of State" to none
        ("Nidal al-Shaar", "Minister of Economy and Industry", "Syria",
         "review_04_md_wang_shaibani.md", "Ministry of Economy and Industry"),
        ("Mohammed Al-Khulaifi", "Minister of State", "Qatar",
         "review_03_kremlin_readout_qatar.txt", None),
        ("Mohammed bin Abdulrahman Al Thani", "Prime Minister and Minister of Foreign Affairs",
         "Qatar", "review_03_kremlin_readout_qatar.txt", "Ministry of Foreign Affairs"),
        # an honorific before the name is a rank of its own, not part of the office
        ("Mohammed bin Abdulrahman Al Thani", "Sheikh", "Qatar",
         "review_03_kremlin_readout_qatar.txt", None),
        # "of <country>" names the country, not an organization
        ("Tamim bin Hamad Al Thani", "Emir of the State of Qatar", "Qatar",
         "review_03_kremlin_readout_qatar.txt", None),
        ("Alexander Lavrentiev", "special envoy for Syria", "Russia",
         "review_01_reuters_lavrov_fidan.txt", None),
        ("Ahmed bin Nasser Al Thani", "Ambassador to Russia", "Qatar",
         "review_03_kremlin_readout_qatar.txt", None),
        # title before a comma with a complement: "Syria's ambassador to China, X,"
        ("Mohammed Yasser Suleiman", "ambassador to China", "Syria",
         "review_04_md_wang_shaibani.md", None),
        # "Turkey's" is no part of the organization's name
        ("Ibrahim Kalin", "head of Turkey's National Intelligence Organisation", "Turkey",
         "review_01_reuters_lavrov_fidan.txt", "National Intelligence Organisation"),
        # "foreign policy aide" is no Foreign Ministry post
        ("Yury Ushakov", "Kremlin foreign policy aide", "Russia",
         "review_02_ap_putin_wang.txt", "Kremlin"),
        ("Sergei Tsivilev", "Energy Minister", "Russia", "review_03_kremlin_readout_qatar.txt",
         "Ministry of Energy"),
    }
    assert expected <= got
    # an apposition that is the next list item is nobody's title
    assert not [row for row in got if "Al-Khulaifi" in row[1]
                or (row[1].endswith("Sheikh") and row[1] != "Sheikh")]
    assert not [row for row in got if row[1].lower().startswith("government")]


def test_leader_offices_with_a_complement():
    lex_title = roles._make_title(roles.tokenize("Emir of the State of Qatar"),
                                  "Emir of the State of Qatar", "prenominal")
    assert [(t.text, t.country, t.organization, t.leader) for t in lex_title] == [
        ("Emir of the State of Qatar", "Qatar", None, True)]


# ---------------------------------------------------------------- events and rosters

def test_events_of_the_review_articles(fixtures_db):
    """Principals come from the lede, not from an aside ("Putin had no plans to meet
    Erdogan", "Putin and Xi last met in September"); "last Tuesday" in a Monday article is
    the Tuesday before; a readout without a day expression is dated by its publication."""
    assert rows(fixtures_db, """
        select articles.file, events.name, events.date, events.date_precision, events.place,
               events.kind, event_articles.text
        from event_articles join events on events.id = event_articles.event
        join articles on articles.id = event_articles.article
        where articles.file like ? order by articles.file""", REVIEW) == [
        ("review_01_reuters_lavrov_fidan.txt",
         "Talks: Hakan Fidan and Sergei Lavrov, Moscow, 2026-02-03", "2026-02-03", "day",
         "Moscow", "talks", "on Tuesday"),
        ("review_02_ap_putin_wang.txt", "Talks: Vladimir Putin and Wang Yi, Kremlin, 2026-02-16",
         "2026-02-16", "day", "Kremlin", "talks", "on Monday"),
        ("review_03_kremlin_readout_qatar.txt",
         "Talks: Tamim bin Hamad Al Thani and Vladimir Putin, Kremlin, 2026-03-12",
         "2026-03-12", "day", "Kremlin", "talks", None),
        ("review_04_md_wang_shaibani.md",
         "Talks: Asaad Hassan al-Shaibani and Wang Yi, Beijing, 2026-02-19", "2026-02-19", "day",
         "Beijing", "talks", "on Thursday"),
        ("review_05_erdogan_putin_call.txt",
         "Phone call: Recep Tayyip Erdogan and Vladimir Putin, 2026-03-03", "2026-03-03", "day",
         None, "phone call", "last Tuesday"),
    ]


@pytest.mark.parametrize("file, roster", [
    ("review_01_reuters_lavrov_fidan.txt", {
        ("Russia", "Sergei Lavrov", "Foreign Minister"),
        ("Russia", "Mikhail Bogdanov", "Deputy Foreign Minister"),
        ("Russia", "Alexander Lavrentiev", "special envoy for Syria"),
        ("Turkey", "Hakan Fidan", None),
        ("Turkey", "Nuh Yilmaz", "Deputy Foreign Minister"),
        ("Turkey", "Ibrahim Kalin", "head of Turkey's National Intelligence Organisation")}),
    ("review_02_ap_putin_wang.txt", {
        ("Russia", "Vladimir Putin", "President"),
        ("Russia", "Yury Ushakov", "Kremlin foreign policy aide"),
        ("China", "Wang Yi", "Foreign Minister"),
        ("China", "Zhang Hanhui", "Ambassador")}),
    ("review_03_kremlin_readout_qatar.txt", {
        ("Russia", "Vladimir Putin", None),
        ("Russia", "Alexander Novak", "Deputy Prime Minister"),
        ("Russia", "Sergei Lavrov", "Foreign Minister"),
        ("Russia", "Yury Ushakov", "Presidential Aide"),
        ("Russia", "Sergei Tsivilev", "Energy Minister"),
        ("Russia", "Kirill Dmitriev", "Head of the Russian Direct Investment Fund"),
        ("Qatar", "Tamim bin Hamad Al Thani", "Emir of the State of Qatar"),
        ("Qatar", "Mohammed bin Abdulrahman Al Thani",
         "Prime Minister and Minister of Foreign Affairs"),
        ("Qatar", "Mohammed Al-Khulaifi", "Minister of State"),
        ("Qatar", "Ahmed bin Nasser Al Thani", "Ambassador to Russia")}),
    ("review_04_md_wang_shaibani.md", {
        ("China", "Wang Yi", "Foreign Minister"),
        ("Syria", "Asaad Hassan al-Shaibani", "Foreign Minister"),
        ("Syria", "Mohammed Yasser Suleiman", "ambassador to China"),
        ("Syria", "Nidal al-Shaar", "Minister of Economy and Industry")}),
    ("review_05_erdogan_putin_call.txt", {
        ("Russia", "Vladimir Putin", "President"),
        ("Turkey", "Recep Tayyip Erdogan", "President")}),
])
def test_delegation_rosters(fixtures_db, file, roster):
    """Rosters in all their forms: "was accompanied by", "The Russian side was represented
    by", "also took part in the meeting", "The talks were attended by", "The Qatari
    delegation included"; a role of None means the principal's role is whatever its article
    or other articles state (checked elsewhere)."""
    got = set(rows(fixtures_db, """
        select side, person, role_at_event from delegation_rosters where file = ?""", file))
    assert {(side, person) for side, person, _ in got} == {(s, p) for s, p, _ in roster}
    stated = {(side, person, role) for side, person, role in got}
    assert {row for row in roster if row[2] is not None} <= stated


# ---------------------------------------------------------------- quotes and claims

def test_quote_speakers(fixtures_db):
    got = rows(fixtures_db, """
        select file, speaker, kind, cue, via, quote from quotes_by_speaker
        where file like ? order by file, start""", REVIEW)
    assert got == [
        ("review_01_reuters_lavrov_fidan.txt", "Sergei Lavrov", "speech", "told", None,
         "We have agreed to continue our contacts in the Astana format and bilaterally,"),
        ("review_01_reuters_lavrov_fidan.txt", "Sergei Lavrov", "speech", None, None,
         "Turkey and Russia have a shared interest in a stable and united Syria."),
        # "called on X to respect" is an appeal, not the cue of a quote: Fidan said it
        ("review_01_reuters_lavrov_fidan.txt", "Hakan Fidan", "speech", "said", None,
         "territorial integrity"),
        ("review_01_reuters_lavrov_fidan.txt", "Dmitry Peskov", "speech", "told", None,
         "possible at any moment"),
        ("review_01_reuters_lavrov_fidan.txt", "Sergei Lavrov", "scare", "asked", None,
         "buffer zone"),
        ("review_01_reuters_lavrov_fidan.txt", "Sergei Lavrov", "speech", "said", None,
         "This is a question for Damascus, not for Moscow or Ankara."),
        # "Wang told Putin": the family name first
        ("review_02_ap_putin_wang.txt", "Wang Yi", "speech", "told", None,
         "to deepen strategic coordination"),
        ("review_02_ap_putin_wang.txt", "Vladimir Putin", "speech", "replied", None,
         "at the highest level in their history."),
        ("review_02_ap_putin_wang.txt", "Sergei Lavrov", "speech", "said", None,
         "We support the Syrian people's right to decide their own future without outside "
         "interference,"),
        # "Wang said ... He added": the newer subject, not the previous quote's speaker
        ("review_02_ap_putin_wang.txt", "Wang Yi", "speech", "added", None,
         "using Syrian territory to threaten other countries."),
        ("review_03_kremlin_readout_qatar.txt", "Vladimir Putin", "speech", "said", None,
         "open to joint projects"),
        ("review_04_md_wang_shaibani.md", "Wang Yi", "speech", "told", "Chinese Foreign Ministry",
         "continue to support the Syrian people in rebuilding their country,"),
        # "allow “any group” to use ..., the statement said": the quote does not end the
        # clause, so the sentence-final "said" is not its cue
        ("review_04_md_wang_shaibani.md", "Asaad Hassan al-Shaibani", "speech", "said", None,
         "any group"),
        ("review_04_md_wang_shaibani.md", "Asaad Hassan al-Shaibani", "speech", "told", None,
         "China is a friend who stood with the Syrian people,"),
        ("review_04_md_wang_shaibani.md", "Li Wenhua", "speech", "said", None,
         "China wants stability and access, not a military role,"),
        ("review_05_erdogan_putin_call.txt", "Recep Tayyip Erdogan", "speech", "told",
         "statement", "a stable Syria is in the interest of the whole region."),
        ("review_05_erdogan_putin_call.txt", "Kremlin", "speech", "said", None,
         "agreed to maintain close contacts"),
        ("review_05_erdogan_putin_call.txt", "Hakan Fidan", "speech", "said", None,
         "constant dialogue"),
        # "TASS quoted X as saying": X speaks, TASS is the channel
        ("review_05_erdogan_putin_call.txt", "Dmitry Peskov", "speech", "saying", "TASS",
         "substantive and constructive."),
        ("review_05_erdogan_putin_call.txt", "Dmitry Peskov", "speech", "said", None,
         "through diplomatic channels"),
    ]


def claims_of_review(db, column):
    """{first words of the claim: column} of the review articles' claims."""
    return {text: value for text, value in rows(db, f"""
        select claims.text, claims.{column} from claims
        join articles on articles.id = claims.article where articles.file like ?""", REVIEW)}


def claim_value(claims: dict, opening: str):
    matches = [value for text, value in claims.items() if text.startswith(opening)]
    assert len(matches) == 1, f"expected one claim opening {opening!r}, got {len(matches)}"
    return matches[0]


def test_claim_attributions(fixtures_db):
    got = claims_of_review(fixtures_db, "attributed_to")
    # "Erdogan's office said": the office, named by its holder, not Erdogan himself
    assert claim_value(got, "Putin is expected to visit Turkey") == "Erdogan's office"
    # "the Emir said": the one person the article calls Emir
    assert claim_value(got, "After the talks, the Emir said") == "Tamim bin Hamad Al Thani"
    assert claim_value(got, "Wang told al-Shaibani") == "Wang Yi"
    assert claim_value(got, "Al-Shaibani, in turn, said") == "Asaad Hassan al-Shaibani"
    assert claim_value(got, "Russian state news agency TASS quoted") == "Dmitry Peskov"


def test_no_topic_from_names_titles_or_according_to(fixtures_db):
    """Roster sentences are no economy claims because of "Investment Fund" or "Minister of
    Economy"; "according to" is no agreement; "maintain contacts" and "power stations" are
    no military presence."""
    topics = claims_of_review(fixtures_db, "topics")
    assert claim_value(topics, "The talks were attended by") == "meeting"
    assert not [text for text in topics if text.startswith("Shaibani was accompanied")]
    assert "agreement" not in (claim_value(topics, "Kremlin foreign policy aide") or "")
    assert "presence" not in (claim_value(topics, "The Kremlin said in its own readout") or "")
    assert "presence" not in (claim_value(topics, "Syria's state news agency SANA") or "")
    assert "presence" not in (claim_value(topics, "Our countries maintain") or "")


def test_different_actors_are_not_one_fact(fixtures_db):
    """"Temirov is expected to visit Turkey" and "Putin is expected to visit Turkey" are two
    facts, even with the same content words."""
    groups = rows(fixtures_db, """
        select files from claim_corroboration where files like '%review_05%'""")
    assert all("people_02" not in files for (files,) in groups)
