"""Claims: detection, attribution, links, grouping across outlets and contradictions."""
from __future__ import annotations

from talks_dataset import claims


def group_of(db, like: str) -> list[dict]:
    return list(db.query("""
        select distinct claim_corroboration.* from claim_corroboration
        join claims on claims.claim_group = claim_corroboration.claim_group
        where claims.text like ?""", [like]))


def test_qamishli_withdrawal_is_one_group_of_independent_outlets(seeds_db):
    groups = group_of(seeds_db, "%withdrew%Qamishli%")
    assert len(groups) == 1
    group = groups[0]
    files = {name[:3] for name in group["files"].split(", ")}
    assert {"001", "002", "003"} <= files
    # 002 and 003 are two scrapes of one Moscow Times story: counted once
    assert group["outlets"] == len(files) - 1 >= 2
    assert group["single_source"] == 0 and group["topic"] == "withdrawal"


def test_claim_corroboration_columns_lead(seeds_db):
    columns = [c.name for c in seeds_db["claim_corroboration"].columns]
    assert columns[:3] == ["claim", "outlets", "files"]
    columns = [c.name for c in seeds_db["quotes_by_speaker"].columns]
    assert columns[:5] == ["speaker", "quote", "file", "start", "end"]


def test_duplicate_article_alone_is_single_source(seeds_db):
    group = group_of(seeds_db, "%Much has been accomplished%")[0]
    assert group["files"].count(",") == 1 and group["outlets"] == 1
    assert group["single_source"] == 1


def test_attribution_kinds_on_seeds(seeds_db):
    def attribution(like):
        return seeds_db.execute(
            "select attribution, attributed_to from claims where text like ?", [like]).fetchone()
    assert attribution("Sources have previously said%") == ("anonymous", "Sources")
    assert attribution("Opening the meeting, Putin said%")[1] == "Vladimir Putin"
    kind, label = attribution("Russia has maintained a military presence%")
    assert kind == "outlet"
    kind, _ = attribution("Russian state media reported that the asylum%")
    assert kind in ("collective", "organization")


def test_presence_vs_withdrawal_is_a_candidate_contradiction(seeds_db):
    rows = list(seeds_db.query("""
        select claim_contradictions.kind, a.text as a, b.text as b
        from claim_contradictions
        join claims a on a.id = claim_contradictions.claim
        join claims b on b.id = claim_contradictions.other_claim"""))
    assert any(row["kind"] == "opposing-topics" and "Qamishli" in row["a"] + row["b"]
               and "maintained" in row["a"] + row["b"] for row in rows)


def test_claim_and_link_spans_match_in_sql(seeds_db, fixtures_db):
    for db in (seeds_db, fixtures_db):
        assert db.execute("""
            select count(*) from claims join articles on articles.id = claims.article
            where substr(articles.text, claims.start + 1, claims."end" - claims.start)
                  != claims.text""").fetchone()[0] == 0
        assert db.execute("""
            select count(*) from claim_links
            join claims on claims.id = claim_links.claim
            join articles on articles.id = claims.article
            where substr(articles.text, claim_links.start + 1,
                         claim_links."end" - claim_links.start) != claim_links.text
               or claim_links.start < claims.start or claim_links."end" > claims."end"
        """).fetchone()[0] == 0


def test_claim_links_reach_people_and_places(seeds_db):
    tables = seeds_db.table_names()
    kinds = {row[0] for row in seeds_db.execute("select distinct kind from claim_links")}
    assert {"person", "place"} <= kinds
    if "people" in tables:
        assert seeds_db.execute(
            "select count(*) from claim_links join people on people.id = claim_links.person"
        ).fetchone()[0] > 10
    if "places" in tables:
        assert seeds_db.execute(
            "select count(*) from claim_links join places on places.id = claim_links.place"
        ).fetchone()[0] > 10


def test_claims_full_text_search(seeds_db):
    rows = seeds_db.execute(
        "select count(*) from claims join claims_fts on claims_fts.rowid = claims.rowid "
        "where claims_fts match 'extradition'").fetchone()[0]
    assert rows >= 3


# ---------------------------------------------------------------- fixtures

def test_fixture_withdrawal_corroborated_and_date_contradiction(fixtures_db):
    groups = group_of(fixtures_db, "%Dravik air base on%")
    assert len(groups) == 1
    group = groups[0]
    assert set(group["files"].split(", ")) == {
        "quotes_01_reuters_dravik.txt", "quotes_02_ap_dravik.txt",
        "quotes_03_aljazeera_dravik.txt", "quotes_04_ap_dravik_copy.txt"}
    assert group["outlets"] == 3  # 04 is a near-duplicate of 02
    dates = {row[0] for row in fixtures_db.execute("""
        select claims.date from claims where claims.claim_group = ? and claims.date is not null""",
        [group["claim_group"]])}
    assert dates == {"2031-03-02", "2031-02-27"}
    contradiction = fixtures_db.execute(
        "select kind, detail from claim_contradictions where claim_group = ?",
        [group["claim_group"]]).fetchall()
    assert len(contradiction) == 1 and contradiction[0][0] == "date"
    assert "2031-03-02" in contradiction[0][1] and "2031-02-27" in contradiction[0][1]


def test_fixture_presence_elsewhere_is_not_a_contradiction(fixtures_db):
    rows = fixtures_db.execute("""
        select count(*) from claim_contradictions join claims on claims.id in
          (claim_contradictions.claim, claim_contradictions.other_claim)
        where claims.text like 'Norland still keeps%'""").fetchone()[0]
    assert rows == 0


def test_fixture_attribution(fixtures_db):
    def row(like):
        return fixtures_db.execute(
            "select attribution, attributed_to, cue from claims where text like ?",
            [like]).fetchone()
    assert row("Sources said Norland may seek%")[:2] == ("anonymous", "Sources")
    kind, label, cue = row("The convoy carried 400 soldiers%")
    assert "defence ministry" in label and cue == "according to"
    assert row("Reiner stressed that%")[1] == "Tomas Reiner"
    kind, label, _ = row("%SELMARA, Ostravia (AP)%")
    assert (kind, label) == ("anonymous", "officials")
    # a sentence inside a multi-paragraph quote is the speaker's claim
    assert row("Every soldier has left Dravik%")[1] == "Tomas Reiner"


# ---------------------------------------------------------------- pure helpers

def test_resolve_date():
    assert claims.resolve_date("March 2", "2031-03-05") == "2031-03-02"
    assert claims.resolve_date("on Monday", "2031-03-05") == "2031-03-03"  # a Wednesday
    assert claims.resolve_date("February 27, 2030", None) == "2030-02-27"
    assert claims.resolve_date("March 2", None) is None
    assert claims.resolve_date("earlier this week", "2031-03-05") is None


def test_source_key_counts_duplicates_and_unknown_outlets_once():
    articles = {
        "a": {"id": "a", "outlet": "ap", "duplicate_of": None},
        "b": {"id": "b", "outlet": None, "duplicate_of": "a"},
        "c": {"id": "c", "outlet": None, "duplicate_of": None},
        "d": {"id": "d", "outlet": "ap", "duplicate_of": None}}
    keys = {name: claims.source_key(row, articles) for name, row in articles.items()}
    assert keys["a"] == keys["b"] == keys["d"] == "outlet:ap"
    assert keys["c"] == "article:c"


def test_topics_include_particle_verbs():
    tokens = [[0, 4, "Army", "army", "NOUN"], [5, 11, "pulled", "pull", "VERB"],
              [12, 15, "its", "its", "PRON"], [16, 22, "troops", "troop", "NOUN"],
              [23, 26, "out", "out", "ADP"]]
    assert claims.topics_of(tokens, "Army pulled its troops out")[0] == "withdrawal"


def test_date_contradictions_are_one_row_per_other_date_against_the_most_reported():
    """Linear in the group: each other date is set against the group's most reported date,
    by a claim of another source; a date only its own source reports against it is none."""
    def claim(id_, article, date):
        return {"id": id_, "article": article, "claim_group": "g", "topic": "withdrawal",
                "date": date, "date_text": f"on {date}", "start": 0, "text": "withdrew"}

    rows = [claim("a", "A", "2031-03-02"), claim("b", "B", "2031-03-02"),
            claim("c", "C", "2031-02-27"), claim("d", "D", "2031-03-01"),
            claim("e", "E", "2031-02-27"), claim("f", "A", "2031-01-01")]
    articles = {name: {"id": name, "outlet": f"outlet {name}", "duplicate_of": None}
                for name in "ABCDE"}
    groups = [{"id": "g", "contradictions": 0}]
    words = {row["id"]: claims.ClaimWords("withdrawal", None) for row in rows}
    found = claims.contradictions(rows, groups, claims.claim_names(rows, [], words), articles, [])
    assert [(row["kind"], row["claim"], row["other_claim"], row["detail"]) for row in found] == [
        ("date", "a", "c", "on 2031-03-02 (2031-03-02) vs on 2031-02-27 (2031-02-27)"),
        ("date", "a", "d", "on 2031-03-02 (2031-03-02) vs on 2031-03-01 (2031-03-01)"),
        # f's outlet also reports the reference date: b, another outlet, answers it
        ("date", "b", "f", "on 2031-03-02 (2031-03-02) vs on 2031-01-01 (2031-01-01)")]
    assert groups[0]["contradictions"] == 3


def test_grouping_in_worker_processes_gives_the_groups_of_one_process(monkeypatch):
    """Topics are joined in forked workers that report their unions: same groups. With
    PARALLEL_CLAIMS at 0 the two topics are joined by two workers, one each."""
    from talks_dataset import per_article

    def claim(id_, article, topic, text):
        return {"id": id_, "article": article, "topic": topic, "text": text, "start": 0,
                "person": None}

    rows = [claim("w1", "A", "withdrawal", "Norway withdrew its troops from Tromso base"),
            claim("w2", "B", "withdrawal", "troops withdrew from the Tromso base, Norway said"),
            claim("w3", "C", "withdrawal", "Chile withdrew envoys from Lima"),
            claim("m1", "A", "meeting", "leaders met in Tromso for talks on trade"),
            claim("m2", "C", "meeting", "the leaders held talks in Tromso on trade"),
            claim("m3", "B", "meeting", "ministers met in Lima")]
    # signatures that differ: only the per-topic steps (in the workers) can join them
    words = {"w1": "base norway troop tromso withdrawal",
             "w2": "base norway say troop tromso withdrawal",
             "w3": "chile envoy lima withdrawal", "m1": "leader meet talk trade tromso",
             "m2": "hold leader talk trade tromso", "m3": "lima meet minister"}
    names = {"w1": ["Norway", "Tromso"], "w2": ["Tromso", "Norway"], "w3": ["Chile", "Lima"],
             "m1": ["Tromso"], "m2": ["Tromso"], "m3": ["Lima"]}
    links = [{"claim": id_, "kind": "place", "label": label, "person": None}
             for id_, labels in names.items() for label in labels]
    articles = {name: {"id": name, "file": f"{name}.txt", "outlet": name, "duplicate_of": None}
                for name in "ABC"}

    def grouped(processes):
        fresh = [dict(row) for row in rows]
        tokens = {id_: claims.ClaimWords(signature, None) for id_, signature in words.items()}
        with per_article.configure(processes=processes):
            groups, _ = claims.group_claims(fresh, claims.claim_names(fresh, links, tokens),
                                            tokens, articles)
        return {row["id"]: row["claim_group"] for row in fresh}, groups

    monkeypatch.setattr(claims, "PARALLEL_CLAIMS", 0)
    one, two = grouped(1), grouped(2)
    assert one == two
    by_claim = one[0]
    assert by_claim["w1"] == by_claim["w2"] and by_claim["m1"] == by_claim["m2"]
    assert len({by_claim["w1"], by_claim["w3"], by_claim["m1"], by_claim["m3"]}) == 4


def test_key_profiles_gather_settled_profiles_by_component_and_follow_merges():
    parent = {"a1": "a1", "a2": "a1", "b1": "b1", "c1": "c1", "c2": "c2"}

    def find(claim_id):
        while parent[claim_id] != claim_id:
            claim_id = parent[claim_id]
        return claim_id

    def one_component(profile):
        return all(find(claim["id"]) == find(profile[0]["id"]) for claim in profile)

    profiles = [[{"id": "a1"}], [{"id": "a2"}], [{"id": "b1"}], [{"id": "c1"}, {"id": "c2"}]]
    key = claims.KeyProfiles()
    key.loose = [0, 1, 2, 3]
    loose, by_root = [], {}
    key.gather(loose, by_root, profiles, one_component, find)
    # profile 3's claims are in two components: it stays loose, checked one by one
    assert (loose, by_root) == ([3], {"a1": [[0, 1]], "b1": [[2]]})
    parent["b1"] = "a1"   # b's component joins a's
    parent["c2"] = "c1"   # profile 3 is now in one component
    loose, by_root = [], {}
    key.gather(loose, by_root, profiles, one_component, find)
    assert (loose, by_root) == ([], {"a1": [[0, 1, 2]], "c1": [[3]]})
    assert (key.loose, key.settled) == ([], {"a1": [0, 1, 2], "c1": [3]})
