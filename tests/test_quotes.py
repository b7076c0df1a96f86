"""Quotes: detection of quotation marks, kinds (speech, scare, title) and speaker attribution."""
from __future__ import annotations

import types

import pytest

from conftest import article
from talks_dataset import quotes

# Every quotation of seeds 000, 002 and 004: (file prefix, speaker surname, first words).
SEED_QUOTES = [
    ("000", "Putin", "very important step"),
    ("000", "Putin", "You know that we always stood"),
    ("000", "Peskov", "all issues related to our military"),
    ("002", "Putin", "Much has been accomplished"),
    ("002", "Putin", "We have closely monitored"),
    ("002", "Sharaa", "historic role not only"),
    ("002", "Peskov", "no doubt"),
    ("004", "Sharaa", "relations with all regional"),
    ("004", "Putin", "put narrow interests"),
    ("004", "state media", "humanitarian"),
    ("004", "Sharaa", "a significant part"),
    ("004", "Novak", "Russian companies have been operating"),
    ("004", "Zakharova", "issues surrounding our military presence"),
    ("004", "Zakharova", "reformatting of the functionality"),
    ("004", "Peskov", "it is obvious that"),
    ("004", "Novak", "Syria needs to rebuild"),
    ("004", "Novak", "ready to provide support"),
]


def quotes_of(db, prefix: str) -> list[dict]:
    return list(db.query(
        "select quotes_by_speaker.* from quotes_by_speaker where file like ? order by start",
        [prefix + "%"]))


def test_every_seed_quotation_found_with_its_speaker(seeds_db):
    found = [(row["file"][:3], row["speaker"] or "", row["quote"])
             for prefix in ("000", "002", "004") for row in quotes_of(seeds_db, prefix)]
    expected = [(prefix, speaker, words) for prefix, speaker, words in SEED_QUOTES]
    assert len(found) == len(expected)
    for (prefix, speaker, words), (file, got_speaker, quote) in zip(expected, found):
        assert file == prefix and quote.startswith(words), (prefix, words, quote)
        assert speaker in got_speaker, (words, got_speaker)


def test_seed_speakers_are_people_rows_when_people_stage_ran(seeds_db):
    if "people" not in seeds_db.table_names():
        pytest.skip("people stage not registered")
    rows = list(seeds_db.query(
        "select quotes.speaker, people.name from quotes join people on people.id = quotes.person"))
    assert len(rows) >= 16
    assert all(row["speaker"] == row["name"] for row in rows)


def test_humanitarian_is_a_scare_quote_of_state_media(seeds_db):
    row = seeds_db.execute(
        "select kind, is_scare_quote, speaker, speaker_kind, cue from quotes "
        "where text = 'humanitarian'").fetchall()
    assert len(row) == 1
    kind, flag, speaker, speaker_kind, cue = row[0]
    assert (kind, flag, cue) == ("scare", 1, "reported")
    assert speaker.endswith("state media") and speaker_kind in ("collective", "organization")


def test_peskov_partial_quote_is_speech_not_scare(seeds_db):
    kinds = {row[0] for row in seeds_db.execute("select kind from quotes where text = 'no doubt'")}
    assert kinds == {"speech"}


def test_according_to_is_kept_as_via(seeds_db):
    via = seeds_db.execute(
        "select via from quotes where text like 'it is obvious that%'").fetchone()[0]
    assert via and "state media" in via


def test_quote_spans_match_article_text_in_sql(seeds_db, fixtures_db):
    for db in (seeds_db, fixtures_db):
        bad = db.execute("""
            select count(*) from quotes join articles on articles.id = quotes.article
            where substr(articles.text, quotes.start + 1, quotes."end" - quotes.start)
                  != quotes.text
               or (quotes.speaker_start is not null and
                   substr(articles.text, quotes.speaker_start + 1,
                          quotes.speaker_end - quotes.speaker_start) != quotes.speaker_text)
               or (quotes.cue_start is not null and
                   lower(substr(articles.text, quotes.cue_start + 1,
                                quotes.cue_end - quotes.cue_start)) != quotes.cue)
        """).fetchone()[0]
        assert bad == 0
        assert db["quotes"].count > 0


def test_quote_sentence_is_the_sentence_holding_it(seeds_db):
    bad = seeds_db.execute("""
        select count(*) from quotes join sentences on sentences.id = quotes.sentence
        where not (sentences.start <= quotes.start and quotes.start < sentences."end")
    """).fetchone()[0]
    assert bad == 0


def test_quotes_full_text_search(seeds_db):
    rows = seeds_db.execute(
        "select quotes.speaker from quotes join quotes_fts on quotes_fts.rowid = quotes.rowid "
        "where quotes_fts match 'oil'").fetchall()
    assert [row[0] for row in rows] == ["Alexander Novak"]


# ---------------------------------------------------------------- fixtures: hard patterns

FIXTURE_QUOTES = {
    # first words: (speaker, kind, attribution method prefix)
    "We have turned a difficult page": ("Marten Quell", "speech", "cue-after"),       # “ ... "
    "Our partnership is now stronger": ("Marten Quell", "speech", "continuation"),   # " ... ”
    "ready to sign a new agreement": ("Lena Dorsch", "speech", "cue-after"),
    "This is a day of hope": ("Marten Quell", "speech", "cue-after"),                # split quote
    "and a day of responsibility": ("Marten Quell", "speech", "cue-before"),
    "frank and useful": ("Marten Quell", "speech", "cue-before:former"),
    "a good start for our two": ("Lena Dorsch", "speech", "cue-before:latter"),
    "security": ("Ostravian state television", "scare", "cue-before"),
    "Why the North Needs Peace": (None, "title", None),
    "The withdrawal is complete": ("Tomas Reiner", "speech", "next-paragraph"),      # multi-para
    "We now look to the future": ("Tomas Reiner", "speech", "cue-after"),
    "The base is empty": ("Tomas Reiner", "speech", "cue-after"),                    # said X
    "Every vehicle came home": ("Tomas Reiner", "speech", "cue-after:pronoun"),      # he added
    "We expect a fair deal": ("Lena Dorsch", "speech", "cue-after"),
}


def fixture_quotes(db) -> list[dict]:
    return list(db.query("""
        select quotes.*, articles.file from quotes join articles on articles.id = quotes.article
        where articles.file like 'quotes_%' order by articles.file, quotes.start"""))


def test_fixture_hard_patterns(fixtures_db):
    rows = fixture_quotes(fixtures_db)
    for words, (speaker, kind, method) in FIXTURE_QUOTES.items():
        matching = [row for row in rows if row["text"].startswith(words)]
        assert matching, words
        for row in matching:
            assert (row["speaker"], row["kind"]) == (speaker, kind), (words, row)
            assert (row["attribution"] or "").startswith(method or ""), (words, row)


def test_fixture_missing_space_and_repeated_quote(fixtures_db):
    rows = [row for row in fixture_quotes(fixtures_db)
            if row["text"] == "We will not give up the northern corridor."]
    assert len(rows) == 2  # saying:“We ...” and the repetition with straight marks
    first, second = rows
    assert first["speaker"] == second["speaker"] == "Ilse Varga"
    assert first["cue"] == "saying" and second["cue"] == "repeated"
    assert first["repeat_of"] is None and second["repeat_of"] == first["id"]


def test_fixture_scare_quotes_are_flagged(fixtures_db):
    flagged = {row["text"] for row in fixture_quotes(fixtures_db) if row["is_scare_quote"]}
    assert flagged == {"security", "peace dividend"}


def test_fixture_duplicate_article_quotes_share_text(fixtures_db):
    rows = [row for row in fixture_quotes(fixtures_db) if row["text"].startswith("The base is")]
    assert {row["file"] for row in rows} == {"quotes_02_ap_dravik.txt",
                                             "quotes_04_ap_dravik_copy.txt"}


# ---------------------------------------------------------------- pure helpers

@pytest.mark.parametrize("text, expected", [
    ('He said:"We are ready," and left.', ["We are ready,"]),
    ('“Mixed marks work" too.', ["Mixed marks work"]),
    ('A “first,” he said, “second.”', ["first,", "second."]),
    ("It was ‘fine’ and the rebels’ base stayed.", ["fine"]),
    ('No marks at all.', []),
    ('“Open paragraph runs on', ["Open paragraph runs on"]),
    ('A stray ” mark and 5" pipe.', []),
])
def test_find_quotes_pairs_marks(text, expected):
    found = quotes.find_quotes(text, [(0, len(text))])
    assert [text[q.start:q.end] for q in found] == expected


def test_tables_declare_people_keys_only_when_people_stage_is_registered():
    without = quotes.quote_table(set())
    assert ("person", "people", "id") not in without.foreign_keys
    with_people = quotes.quote_table({"people", "organizations"})
    assert ("person", "people", "id") in with_people.foreign_keys
    assert ("organization", "organizations", "id") in with_people.foreign_keys
    assert without.fts


def test_fallback_person_mentions_name_surnames_by_full_name():
    text = "Ahmed Karimov met reporters. Karimov's aide spoke. Lina Ost left."
    fake = types.SimpleNamespace(
        id="a", text=text,
        sentences=[{"start": 0, "end": len(text), "kind": "body"}],
        entities=[["PERSON", 0, 13, "Ahmed Karimov"], ["PERSON", 51, 59, "Lina Ost"]])
    mentions = quotes.fallback_person_mentions([fake])["a"]
    assert [(m["text"], m["name"]) for m in mentions] == [
        ("Ahmed Karimov", "Ahmed Karimov"), ("Karimov", "Ahmed Karimov"),
        ("Lina Ost", "Lina Ost")]
