"""Issue: foundation - ingest, furniture, metadata, duplicates, bad input, stable ids, atomic build."""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import MutableMapping
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from conftest import SEEDS, article
from talks_dataset import clean, ingest, load, pipeline, schema

GOOD = ("Delegates from Norway and Chile met in Oslo on Tuesday to discuss fisheries.\n\n"
        "Foreign Minister Ingrid Halvorsen said the talks were productive.\n")


# ---------------------------------------------------------------- seeds

def test_no_furniture_of_003_in_its_text(seeds_db):
    text = article(seeds_db, "003")["text"]
    raw = (SEEDS / "003_e889abd2093e7eea.txt").read_text(encoding="utf-8")
    furniture = [row["text"] for row in seeds_db["furniture"].rows_where(
        "article = ?", [article(seeds_db, "003")["id"]])]
    for line in ["Support The Moscow Times!", "Sign up for our free weekly newsletter",
                 "Our weekly newsletter contains", "Subscribers agree to the Privacy Policy",
                 "A Message from The Moscow Times", "Dear readers",
                 "please support us monthly", "Not ready to support today?", "Remind me later",
                 "paiment methods", "Read more"]:
        assert line in raw
        assert line not in text, line
    for widget in ["Once", "Monthly", "Annual", "Continue"]:
        assert widget not in text.split("\n")
        assert widget in furniture
    # nothing silently lost: every non-empty input line is in the text or in furniture
    for raw_line in raw.splitlines():
        line = " ".join(raw_line.split())
        if line:
            assert line in text or line in furniture, line


def test_duplicates_are_002_and_003_only(seeds_db):
    rows = list(seeds_db.query(
        "select file, duplicate_of_file from article_index where duplicate_of_file is not null"))
    assert rows == [{"file": "003_e889abd2093e7eea.txt",
                     "duplicate_of_file": "002_b4efd63dffbfc6a9.txt"}]


def test_002_metadata(seeds_db):
    row = next(seeds_db.query("select * from article_index where file like '002%'"))
    assert row["title"] == ("Putin Meets With Syrian President at Kremlin Amid Uncertainty "
                            "Over Russian Bases")
    assert row["published"] == "2026-01-28"
    assert row["byline"] == "AFP"
    assert row["url"] == ("https://www.themoscowtimes.com/2026/01/28/putin-meets-with-syrian-"
                          "president-at-kremlin-amid-uncertainty-over-russian-bases-a91806")
    assert row["outlet"] == "The Moscow Times"
    text = article(seeds_db, "002")["text"]
    assert "Original url" not in text and "Related article" not in text and "**" not in text


def test_004_dateline(seeds_db):
    row = article(seeds_db, "004")
    assert row["dateline"] == "ERBIL, Kurdistan Region of Iraq"
    assert row["text"].startswith("ERBIL, Kurdistan Region of Iraq –")


def test_credits_are_kept_with_spans(seeds_db):
    rows = list(seeds_db.query(
        "select articles.file, role, name, organization, place, substr(articles.text, "
        "article_credits.start + 1, article_credits.end - article_credits.start) as evidence "
        "from article_credits join articles on articles.id = article_credits.article "
        "order by file, role"))
    assert {"file": "000_76e5ec1e11edc9f6.txt", "role": "contributor", "name": "Abby Sewell",
            "organization": None, "place": "Beirut", "evidence": "Abby Sewell"} in rows
    assert {"file": "002_b4efd63dffbfc6a9.txt", "role": "photo", "name": "Sergei Bobylev",
            "organization": "POOL / TASS", "place": None, "evidence": "Sergei Bobylev"} in rows
    assert {"file": "002_b4efd63dffbfc6a9.txt", "role": "byline", "name": "AFP",
            "organization": None, "place": None, "evidence": None} in rows


def test_sentences_have_exact_offsets(seeds_db):
    bad = list(seeds_db.query(
        "select sentences.id from sentences join articles on articles.id = sentences.article "
        "where substr(articles.text, sentences.start + 1, sentences.end - sentences.start) "
        "!= sentences.text"))
    assert bad == []
    kinds = {row["kind"] for row in seeds_db["sentences"].rows}
    assert kinds == {"body", "caption", "credit"}
    # a paragraph break always ends a sentence
    assert not list(seeds_db.query("select id from sentences where text like '%' || char(10) || '%'"))


def test_schema_foreign_keys(seeds_db):
    fks = {(fk.table, fk.column, fk.other_table, fk.other_column)
           for name in seeds_db.table_names() for fk in seeds_db[name].foreign_keys}
    assert {("articles", "outlet", "outlets", "id"),
            ("articles", "duplicate_of", "articles", "id"),
            ("sentences", "article", "articles", "id"),
            ("furniture", "article", "articles", "id"),
            ("article_credits", "article", "articles", "id")} <= fks
    assert seeds_db.execute("pragma foreign_key_check").fetchall() == []
    # every foreign key is indexed
    for table, column, _, _ in fks:
        indexed = [index.columns[0] for index in seeds_db[table].indexes]
        assert column in indexed, (table, column)
    assert seeds_db["articles_fts"].exists()
    assert seeds_db["article_index"].columns_dict.keys() >= {"file", "outlet", "title"}
    assert [c.name for c in seeds_db["article_index"].columns][:6] == [
        "file", "outlet", "title", "published", "url", "duplicate_of_file"]


def test_full_text_search(seeds_db):
    hits = list(seeds_db["articles"].search("Hmeimim"))
    assert {row["file"][:3] for row in hits} == {"000", "001", "002", "003", "004"}


# ---------------------------------------------------------------- clean stage, literal rows

def test_clean_reads_markdown_header_and_strips_links():
    source = ingest.SourceDocument(
        file="x.md", format="markdown", encoding="utf-8", raw_bytes=0,
        raw="# Leaders Meet In Oslo\n\nBy [Reuters](#)\n\nMarch 3, 2025\n\n"
            "OSLO (Reuters) – The **talks** began.\n\nRead more\n")
    article_ = clean.clean_document(source)
    assert (article_.title, article_.byline, article_.published) == (
        "Leaders Meet In Oslo", "Reuters", "2025-03-03")
    assert article_.text == "OSLO (Reuters) – The talks began."
    assert article_.dateline == "OSLO"
    assert article_.outlet["name"] == "Reuters"
    assert [(f.kind, f.text) for f in article_.furniture][-1] == ("navigation", "Read more")


def test_clean_html_through_trafilatura():
    page = ("<html><head><title>Summit ends</title></head><body><nav>Home | World</nav>"
            "<article><h1>Summit ends in Lima</h1><p>Peruvian President Ana Torres hosted the "
            "talks in Lima on Friday, officials said.</p><p>The leaders signed three agreements "
            "on trade and energy, according to a joint statement.</p></article>"
            "<footer>Privacy Policy</footer></body></html>")
    source = ingest.SourceDocument(file="x.html", format="html", encoding="utf-8",
                                   raw=page, raw_bytes=len(page))
    article_ = clean.clean_document(source)
    assert "Ana Torres hosted the talks" in article_.text
    assert "Home | World" not in article_.text and "Privacy Policy" not in article_.text


# ---------------------------------------------------------------- bad input

def test_bad_input_is_skipped_with_reasons(build_folder):
    result, db = build_folder({
        "good.txt": GOOD,
        "empty.txt": "",
        "blank.md": "  \n\n ",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "undecodable.txt": b"Talks in Damascus \x81\x8d\x9d ended.",
        "big.txt": "word " * 1000,
        "notes.pdf": "not an article",
        "only-furniture.txt": "Support The Moscow Times!\n\nRead more\n",
        "latin.txt": "Caf\xe9 talks in Beirut ended on Monday, officials said.".encode("cp1252"),
        "bom.txt": b"\xef\xbb\xbf" + "Talks in Baku – ended on Monday.".encode("utf-8"),
    }, max_bytes=3000)
    reasons = {row["file"]: row["reason"] for row in db["build_issues"].rows}
    assert reasons == {"empty.txt": "empty", "blank.md": "empty", "binary.txt": "binary",
                       "undecodable.txt": "undecodable", "big.txt": "too-large",
                       "notes.pdf": "unknown-extension", "only-furniture.txt": "no-article-text"}
    for issue in result.issues:
        assert issue.file in issue.message() and issue.reason in issue.message()
    files = {row["file"]: row for row in db["articles"].rows}
    assert set(files) == {"good.txt", "latin.txt", "bom.txt"}
    assert files["latin.txt"]["encoding"] == "cp1252" and "Café" in files["latin.txt"]["text"]
    assert files["bom.txt"]["encoding"] == "utf-8-sig" and files["bom.txt"]["text"].startswith("Talks")


def test_cli_strict_exit_status(tmp_path):
    from click.testing import CliRunner

    from talks_dataset.cli import cli

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    runner = CliRunner()
    args = ["build", str(folder), str(tmp_path / "out.db"), "--cache-dir", str(tmp_path / "c")]
    relaxed = runner.invoke(cli, args)
    assert relaxed.exit_code == 0, relaxed.output
    assert "empty.txt: skipped (empty)" in relaxed.output
    assert "files read: 2; articles: 1; skipped: 1" in relaxed.output
    assert "rows: " in relaxed.output
    strict = runner.invoke(cli, args + ["--strict"])
    assert strict.exit_code == 1
    missing = runner.invoke(cli, ["build", str(tmp_path / "nope"), str(tmp_path / "x.db")])
    assert missing.exit_code != 0 and "nope" in missing.output


# ---------------------------------------------------------------- stable ids, atomic builds

def _schema(db: sqlite_utils.Database) -> list:
    return sorted(db.execute("select type, name, sql from sqlite_master").fetchall(),
                  key=repr)


def _ids(db: sqlite_utils.Database) -> dict:
    return {table: sorted(row["id"] for row in db[table].rows)
            for table in db.table_names() if "id" in db[table].columns_dict
            and not table.endswith(("_fts", "_data", "_idx", "_docsize", "_config"))}


def test_two_builds_give_identical_ids(build_folder, tmp_path, nlp_pipeline):
    files = {"a.txt": GOOD, "b.txt": GOOD.replace("Oslo", "Bergen"),
             "c.md": "# Talks In Oslo\n\nBy Reuters\n\n" + GOOD + "\n\nRead more\n"}
    _, first = build_folder(files, db_name="one.db")
    _, second = build_folder(files, db_name="two.db")
    assert _ids(first) == _ids(second)
    for table in ("articles", "sentences", "furniture", "article_credits", "outlets"):
        assert _ids(first)[table], table


def fail_loading(monkeypatch, table: str) -> None:
    """Make the load of the batch that holds `table` fail wherever it is inserted: in this
    process, or in the writer process (spawned: a monkeypatch of the loader here would not
    reach it). A row of the batch gets a value SQLite cannot store."""
    write = load.Writer.write

    def with_an_unstorable_value(self, specs, tables):
        if any(spec.name == table for spec in specs):
            name = next(spec.name for spec in specs if tables.get(spec.name))
            first, *rest = tables[name]
            tables = {**tables, name: [{**first, next(iter(first)): ["unstorable"]}, *rest]}
        write(self, specs, tables)

    monkeypatch.setattr(load.Writer, "write", with_an_unstorable_value)


def test_failed_build_leaves_previous_database(build_folder, monkeypatch, tmp_path):
    _, db = build_folder({"a.txt": GOOD}, db_name="keep.db")
    before = (tmp_path / "keep.db").read_bytes()
    db.close()
    fail_loading(monkeypatch, "articles")
    # in this process (1 process) and in the writer process (2 processes): the build fails
    # loudly, naming the cause
    for processes in (1, 2):
        with pytest.raises((RuntimeError, sqlite3.ProgrammingError),
                           match="Error binding parameter 1"):
            build_folder({"a.txt": GOOD, "b.txt": GOOD}, db_name="keep.db", n_process=processes)
        assert (tmp_path / "keep.db").read_bytes() == before
        assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp") or ".jobs-" in p]


def test_a_load_failure_within_a_stage_is_not_called_an_extraction_bug(build_folder,
                                                                      monkeypatch):
    fail_loading(monkeypatch, "quotes")
    with pytest.raises(sqlite3.ProgrammingError, match="Error binding parameter") as failed:
        build_folder({"a.txt": GOOD}, db_name="never.db", n_process=1)
    assert "extraction stage" not in str(failed.value)


def test_an_extraction_bug_after_a_first_batch_fails_the_build(build_folder, monkeypatch, tmp_path):
    """A stage that fails after handing over a first batch (quotes and claim links) fails the
    build, named as that stage's failure, and leaves no database behind."""
    from talks_dataset import claims

    def explode(*args, **kwargs):
        raise ValueError("grouping broke")

    monkeypatch.setattr(claims, "group_claims", explode)
    with pytest.raises(RuntimeError, match=r"extraction stage talks_dataset.claims failed: "
                                           r"ValueError\('grouping broke'\)"):
        build_folder({"a.txt": GOOD}, db_name="never.db", n_process=2)
    assert not (tmp_path / "never.db").exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_background_writers_write_what_one_process_writes(build_folder):
    files = {"a.txt": GOOD, "b.md": "# Talks In Oslo\n\nBy Reuters\n\n" + GOOD}
    _, one = build_folder(files, db_name="one.db", n_process=1)
    _, two = build_folder(files, db_name="two.db", n_process=2)
    assert _schema(one) == _schema(two)
    for table in one.table_names() + one.view_names():
        assert sorted(map(repr, one.query(f"select * from [{table}]"))) == \
            sorted(map(repr, two.query(f"select * from [{table}]"))), table


def test_writer_inserts_and_indexes_each_group_of_tables(tmp_path):
    specs = [schema.Table("parents", {"id": str, "name": str}, fts=("name",)),
             schema.Table("children", {"id": str, "parent": str},
                          foreign_keys=[("parent", "parents", "id")])]
    writer = load.Writer(tmp_path / "w.db", specs, background=True)
    writer.write(specs[:1], {"parents": [{"id": "p", "name": "Oslo talks"}]})
    writer.write(specs[1:], {"children": [{"id": "c", "parent": "p"}]})
    assert writer.finish([schema.View("named", "select name from parents")]) == \
        {"parents": 1, "children": 1}
    db = sqlite_utils.Database(tmp_path / "w.db")
    assert list(db["children"].rows) == [{"id": "c", "parent": "p"}]
    assert [index.columns for index in db["children"].indexes
            if not index.name.startswith("sqlite_autoindex")] == [["parent"]]
    assert db["parents"].search("oslo") and list(db["named"].rows) == [{"name": "Oslo talks"}]
    assert "sqlite_stat1" in db.table_names()   # ANALYZE ran


def test_a_stage_yields_batches_and_every_declared_table_is_written():
    """A stage that is a generator gives its tables batch by batch (each written while it goes
    on); a declared table it never gives comes last, empty, so it is still created and indexed."""
    specs = [schema.Table(name, {"id": str}) for name in ("first", "second", "never")]

    def extract(articles, tables):
        yield {"first": [{"id": "1"}]}
        assert tables["first"] == [{"id": "1"}]   # the pipeline saw the batch before going on
        yield {"second": [{"id": "2"}]}

    def plain(articles, tables):
        return {"second": [{"id": "2"}]}

    tables = {}
    generator_stage = SimpleNamespace(TABLES=specs, extract=extract)
    batches = []
    for batch in pipeline.stage_batches(generator_stage, [], tables):
        tables.update(batch)
        batches.append(batch)
    assert batches == [{"first": [{"id": "1"}]}, {"second": [{"id": "2"}]}, {"never": []}]
    assert [pipeline.stage_name(stage) for stage in pipeline.extraction_stages()] == [
        "people", "places", "quotes and claims"]
    plain_stage = SimpleNamespace(TABLES=specs, extract=plain)
    assert list(pipeline.stage_batches(plain_stage, [], {})) == [
        {"second": [{"id": "2"}]}, {"first": [], "never": []}]


def test_interrupted_build_leaves_previous_database(build_folder, monkeypatch, tmp_path):
    build_folder({"a.txt": GOOD}, db_name="keep.db")
    before = (tmp_path / "keep.db").read_bytes()

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.dedupe, "find_duplicates", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build_folder({"a.txt": GOOD}, db_name="keep.db")
    assert (tmp_path / "keep.db").read_bytes() == before


def test_stages_are_pure_over_literal_rows():
    segments = [clean.Segment(0, 10, "body")]
    rows = list(pipeline.TextSentences("art", "Hi there. Bye.", [[0, 9], [10, 14]], segments))
    assert [(r["index"], r["text"], r["kind"]) for r in rows] == [
        (0, "Hi there.", "body"), (1, "Bye.", "body")]
    assert rows[0]["id"] == pipeline.stable_id(article="art", start=0, end=9)


@pytest.mark.parametrize("parts", [
    {"article": "art", "start": 0, "end": 9},
    {"person": "ahmed-al-sharaa", "name": "al-Sharaa’s \"quoted\"\n\ttab \\ é中😀"},
    {"z": None, "a": -12, "m": "", "é": "key not ascii"},
    {"kind": "date", "claim": "x" * 300, "other": "\x00\x1f\x7f"},
    {"flag": True, "ratio": 0.5, "big": 10 ** 30},   # other types: hash_record itself
    {},
])
def test_stable_id_is_sqlite_utils_hash_record(parts):
    # Published URLs carry these ids: the fast path must give hash_record's exact id.
    from sqlite_utils.utils import hash_record
    assert pipeline.stable_id(**parts) == hash_record(parts)


def test_clean_reads_inline_source_url():
    source = ingest.SourceDocument(
        file="x.txt", format="text", encoding="utf-8", raw_bytes=0,
        raw="Talks ended in Lima on Friday.\n\nOriginal url: https://apnews.com/article/lima-2031\n")
    article_ = clean.clean_document(source)
    assert article_.url == "https://apnews.com/article/lima-2031"
    assert article_.outlet["name"] == "Associated Press"
    assert article_.text == "Talks ended in Lima on Friday."


def test_spans_answer_what_a_pass_over_every_span_answers():
    import random

    from talks_dataset.spans import Spans

    rng = random.Random(3)
    for _ in range(200):
        spans = [(start, start + rng.randint(0, 6))
                 for start in (rng.randint(0, 40) for _ in range(rng.randint(0, 6)))]
        index = Spans(spans)
        for start in range(0, 45):
            assert index.covers(start) == any(s <= start < e for s, e in spans)
            for end in range(start, start + 8):
                assert index.overlaps(start, end) == any(start < e and s < end for s, e in spans)
                assert index.hold(start, end) == any(s <= start and end <= e for s, e in spans)
                assert index.hold_longer(start, end) == any(
                    s <= start and end <= e and (s, e) != (start, end) for s, e in spans)


def test_signature_reuses_permutations_and_equals_a_fresh_minhash():
    """dedupe.signature shares one set of permutations: the same hash values as a MinHash
    made from scratch, and near-duplicates still found."""
    from datasketch import MinHash

    from talks_dataset import dedupe

    text = "The two presidents met in the capital on Tuesday to discuss trade and energy."
    fresh = MinHash(num_perm=dedupe.NUM_PERM)
    fresh.update_batch([s.encode("utf-8") for s in dedupe.shingles(text)])
    assert (dedupe.signature(text).hashvalues == fresh.hashvalues).all()
    assert dedupe.signature(text).jaccard(dedupe.signature(text + " They spoke.")) > 0.5
    assert dedupe.signature("Another story entirely, about weather and harvests in spring.") \
        .jaccard(dedupe.signature(text)) < 0.2


def test_build_collects_garbage_at_stage_ends_and_restores_the_collector(build_folder,
                                                                         monkeypatch):
    import gc

    from talks_dataset import places

    seen = []
    extract = places.extract

    def watched(articles, tables):
        # the earlier stages' objects are frozen; the collector waits for the stage's end
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return extract(articles, tables)

    monkeypatch.setattr(places, "extract", watched)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    result, db = build_folder({"good.txt": GOOD})
    assert seen == [(False, True)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert db["articles"].count == 1 and not result.issues


def test_a_failed_background_writer_fails_the_build_naming_its_tables(build_folder,
                                                                       monkeypatch, tmp_path):
    fail_loading(monkeypatch, "quotes")
    with pytest.raises(RuntimeError, match=r"loading quotes, claim_links failed: "
                                           r"ProgrammingError\(\"Error binding parameter 1"):
        build_folder({"a.txt": GOOD}, db_name="never.db", n_process=2)
    assert not (tmp_path / "never.db").exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_text_sentences_read_as_rows_of_the_sentences_table():
    text = "Talks began. They ended late."
    sentences = pipeline.TextSentences(
        "a1", text, [[0, 12], [13, 29]],
        [clean.Segment(0, 12, "body"), clean.Segment(13, 29, "caption")])
    assert list(sentences) == sentences and len(sentences) == 2
    assert sentences[-1] == {"id": pipeline.stable_id(article="a1", start=13, end=29),
                             "article": "a1", "index": 1, "start": 13, "end": 29,
                             "kind": "caption", "text": "They ended late."}
    assert sentences[0]["kind"] == "body" and sentences[0]["text"] == "Talks began."
    # an article's rows are the same objects each time it is read (stages key by them) ...
    assert sentences[0] is sentences[0] and next(iter(sentences)) is sentences[0]
    # ... until more than RECENT other articles were read since
    others = [pipeline.TextSentences("a2", text, [[0, 12]], [])
              for _ in range(pipeline.TextSentences.RECENT)]
    first = sentences[0]
    for other in others:
        assert other[0]["kind"] == "body"   # outside every paragraph: body
    assert sentences[0] is not first and sentences[0] == first
    assert list(pipeline.TextSentences("a3", text, [], [])) == []


def test_release_unread_keeps_the_tables_the_stages_left_read():
    tables = {"articles": [{"id": "a"}], "furniture": [{"id": "f"}], "mentions": [{"id": "m"}]}
    stages = [SimpleNamespace(READS=("mentions",)), SimpleNamespace(READS=("articles",))]
    pipeline.release_unread(tables, stages)
    assert tables == {"articles": [{"id": "a"}], "mentions": [{"id": "m"}]}
    pipeline.release_unread(tables, stages[1:])
    assert tables == {"articles": [{"id": "a"}]}
    pipeline.release_unread(tables, [])
    assert tables == {}


class AskedTables(MutableMapping):
    """A stage's dict of tables that notes every table name asked for."""

    def __init__(self, tables: dict, asked: set):
        self.tables, self.asked = tables, asked

    def __getitem__(self, name):
        self.asked.add(name)
        return self.tables[name]

    def __setitem__(self, name, rows):
        self.tables[name] = rows

    def __delitem__(self, name):
        del self.tables[name]

    def __iter__(self):
        return iter(self.tables)

    def __len__(self):
        return len(self.tables)


def test_each_stage_reads_the_earlier_tables_it_declares_and_no_others(build_folder,
                                                                       monkeypatch):
    # the build drops rows no later stage READS: a stage asking for an undeclared table
    # would silently find nothing
    stages = pipeline.extraction_stages()
    asked: dict[str, set] = {}
    given: dict[str, AskedTables] = {}
    given_names: dict[str, set] = {}
    for stage in stages:
        def watched(articles, tables, stage=stage, extract=stage.extract):
            name = pipeline.stage_name(stage)
            given[name] = AskedTables(tables, asked.setdefault(name, set()))
            given_names[name] = set(tables)
            return extract(articles, given[name])
        monkeypatch.setattr(stage, "extract", watched)
    result, db = build_folder({"good.txt": GOOD})
    assert db["claims"].count and db["place_spans"].count and not result.issues
    # each stage is given its own dict of exactly the earlier tables it declares (people,
    # the first, reads the core table outlets) ...
    assert given_names == {
        "people": {"outlets"}, "places": {"people"},
        "quotes and claims": {"outlets", "articles", "people", "mentions", "positions",
                              "occupancies", "organizations", "places", "place_spans"}}
    # ... which the claims stage empties once read, freeing those rows while it groups
    assert given["quotes and claims"].tables == {}
    assert asked == {pipeline.stage_name(stage): set(stage.READS) for stage in stages}


def test_materialized_views_give_their_definitions_rows_in_order(seeds_db, fixtures_db):
    """A materialized view reads its stored rows: the same rows, in the same order, as its
    definition's joins give (schema.View)."""
    materialized = [view for stage in pipeline.extraction_stages() for view in stage.VIEWS
                    if view.materialized]
    assert {view.name for view in materialized} >= {"person_mentions", "people_roles"}
    for db in (seeds_db, fixtures_db):
        for view in materialized:
            stored = db.execute(f"select * from [{view.name}]").fetchall()
            assert stored and stored == db.execute(view.sql).fetchall(), view.name
            assert view.rows_table in db.table_names()
            indexed = {tuple(index.columns) for index in db[view.rows_table].indexes}
            assert set(view.indexes) <= indexed, view.name


def test_materialized_views_index_the_columns_their_pages_facet_by(metadata):
    tables = metadata["databases"]["talks"]["tables"]
    for stage in pipeline.extraction_stages():
        for view in stage.VIEWS:
            if view.materialized:
                facets = {(facet,) for facet in tables[view.name].get("facets", [])}
                assert facets <= set(view.indexes), view.name


def test_a_view_stored_by_the_writer_process_reads_the_tables_written_before_it(tmp_path):
    """The writer process runs its jobs in the order they were sent: a materialized view's
    rows are stored once the tables written before it are."""
    numbers = schema.Table("numbers", {"id": int, "square": int})
    view = schema.View("squares", "select id, square from numbers order by square desc",
                       materialized=True, indexes=[("square",)])
    writer = load.Writer(tmp_path / "x.db", [numbers], background=True)
    try:
        # more rows than one pickle of the job file holds
        writer.write([numbers], {"numbers": [{"id": k, "square": k * k}
                                             for k in range(load.SPOOL_ROWS + 2000)]})
        writer.add_views([view])
        writer.finish([view])
    finally:
        writer.close()
    db = sqlite_utils.Database(tmp_path / "x.db")
    last = load.SPOOL_ROWS + 1999
    assert [row["id"] for row in db["squares"].rows][:3] == [last, last - 1, last - 2]
    assert db["squares_rows"].count == load.SPOOL_ROWS + 2000
    assert db.execute("select sql from sqlite_master where name = 'squares'").fetchone()[0] \
        .endswith("from [squares_rows] order by rowid")
    assert not [p for p in os.listdir(tmp_path) if ".jobs-" in p]   # job files removed


def test_the_writer_process_runs_at_a_lower_priority(tmp_path):
    numbers = schema.Table("numbers", {"id": int})
    writer = load.Writer(tmp_path / "x.db", [numbers], background=True)
    try:
        expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + load.WRITER_NICENESS)
        deadline = time.monotonic() + 60   # it lowers it as it starts (an import away)
        while os.getpriority(os.PRIO_PROCESS, writer._process.pid) != expected:
            assert time.monotonic() < deadline, "the writer process kept the build's priority"
            time.sleep(0.05)
        writer.write([numbers], {"numbers": [{"id": 1}]})
        assert writer.finish([]) == {"numbers": 1}
    finally:
        writer.close()


def test_a_failed_writer_fails_the_build_and_the_views_after_it_do_not_wait(tmp_path):
    numbers = schema.Table("numbers", {"id": int, "square": int})
    view = schema.View("squares", "select id, square from numbers", materialized=True)
    writer = load.Writer(tmp_path / "x.db", [numbers], background=True)
    try:
        writer.write([numbers], {"numbers": [{"id": 1, "cube": 1}]})   # undeclared column
        writer.add_views([view])
        with pytest.raises(RuntimeError, match=r"loading numbers failed: ValueError\(\"rows for "
                                               r"numbers have undeclared columns: \['cube'\]"):
            writer.finish([view])
    finally:
        writer.close()
    assert not [p for p in os.listdir(tmp_path) if ".jobs-" in p]   # job files removed
