"""Per-article extraction: results cached by their inputs (and the reads they made of corpus
lookups), computed in forked workers, and incremental builds that reuse them."""
import gc
import os
import time
from collections import Counter
from types import SimpleNamespace

import pytest
import sqlite_utils

from talks_dataset import per_article, pipeline

from conftest import FIXTURES


def articles(count: int) -> list:
    return [SimpleNamespace(id=f"a{index}", text=f"word{index}") for index in range(count)]


def task_log():
    """A task that looks up its article's word in a corpus lookup, and logs its calls."""
    calls = []

    def task(article, inputs, known):
        calls.append(article.id)
        return {"id": article.id, "inputs": inputs, "known": known.get(article.text, "unknown")}
    return task, calls


def test_recorded_notes_each_read_and_checks_them_against_new_data():
    counts = Counter({("kiev", "place"): 2})
    recorded = per_article.Recorded(counts)
    assert recorded[("kiev", "place")] == 2 and recorded[("kiev", "person")] == 0
    names = per_article.Recorded({"haddad"})
    assert "haddad" in names and "aydin" not in names
    lookup = per_article.Recorded({"a": "1"})
    assert lookup.get("a") == "1" and lookup.get("b", "none") == "none"
    assert per_article.Recorded.still_valid(counts, recorded.reads)
    assert not per_article.Recorded.still_valid(counts + Counter({("kiev", "person"): 1}),
                                                recorded.reads)
    # a key the task never read may change freely
    assert per_article.Recorded.still_valid(Counter({("kiev", "place"): 2, ("x", "y"): 5}),
                                            recorded.reads)
    assert not per_article.Recorded.still_valid({"haddad", "aydin"}, names.reads)
    assert not per_article.Recorded.still_valid({"a": "1", "b": "2"}, lookup.reads)


def test_results_are_cached_by_inputs_and_by_the_lookups_they_read(tmp_path):
    task, calls = task_log()
    items = articles(4)
    inputs = [[index] for index in range(4)]
    known = {"word1": "one"}
    with per_article.configure(cache_dir=tmp_path):
        first = per_article.map_articles("test.task", task, items, inputs, {"known": known})
        assert first[1] == {"id": "a1", "inputs": [1], "known": "one"}
        assert calls == ["a0", "a1", "a2", "a3"]
        calls.clear()
        again = per_article.map_articles("test.task", task, items, inputs, {"known": known})
        assert again == first and calls == []
        assert per_article.stats == {"computed": 4, "cached": 4}
        # new inputs for one article, a new answer for a word another article read
        inputs[0] = [0, "changed"]
        changed = per_article.map_articles("test.task", task, items, inputs,
                                           {"known": {**known, "word2": "two"}})
    assert sorted(calls) == ["a0", "a2"]
    assert changed[2]["known"] == "two" and changed[0]["inputs"] == [0, "changed"]
    assert changed[1] == first[1] and changed[3] == first[3]


def test_without_a_cache_folder_nothing_is_stored(tmp_path):
    task, calls = task_log()
    with per_article.configure(cache_dir=None):
        per_article.map_articles("test.task", task, articles(2), lookups={"known": {}})
        per_article.map_articles("test.task", task, articles(2), lookups={"known": {}})
    assert calls == ["a0", "a1", "a0", "a1"]
    assert list(tmp_path.iterdir()) == []


def test_two_worker_processes_give_the_serial_results_in_order():
    items = articles(3 * per_article.MIN_PARALLEL)
    inputs = [{"n": index} for index in range(len(items))]
    known = {f"word{index}": str(index * index) for index in range(0, len(items), 3)}
    task, calls = task_log()
    with per_article.configure(processes=1):
        serial = per_article.map_articles("test.task", task, items, inputs, {"known": known})
    task, calls = task_log()
    with per_article.configure(processes=2):
        parallel = per_article.map_articles("test.task", task, items, inputs, {"known": known})
    assert calls == []   # computed in the workers, not in this process
    assert parallel == serial
    assert [row["id"] for row in parallel] == [item.id for item in items]


def test_workers_store_the_results_they_compute(tmp_path):
    """With two processes the workers write the cache themselves (this process only reads
    their results): a second map finds every result stored, equal to the first."""
    items = articles(2 * per_article.MIN_PARALLEL)
    known = {"word3": "three"}
    task, calls = task_log()
    with per_article.configure(cache_dir=tmp_path, processes=2):
        first = per_article.map_articles("test.task", task, items, lookups={"known": known})
        assert calls == [] and per_article.stats == {"computed": len(items), "cached": 0}
        again = per_article.map_articles("test.task", task, items, lookups={"known": known})
        assert per_article.stats == {"computed": len(items), "cached": len(items)}
    assert again == first and first[3] == {"id": "a3", "inputs": None, "known": "three"}
    assert len(list(tmp_path.rglob("*.pickle"))) == len(items)


def table_rows(db: sqlite_utils.Database) -> dict:
    return {name: sorted(map(repr, db[name].rows)) for name in db.table_names()
            if "_fts" not in name}


def test_adding_an_article_recomputes_only_what_it_changes(tmp_path, nlp_pipeline):
    """An incremental build (parse and extraction caches) gives the database a fresh build
    gives, and computes the new article's per-article results, not the others'."""
    folder = tmp_path / "articles"
    folder.mkdir()
    sources = sorted((FIXTURES / "articles").glob("people_*"))[:3]
    for path in sources[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    cache = tmp_path / "cache"
    first = pipeline.build(folder, tmp_path / "first.db", cache_dir=cache,
                           nlp_pipeline=nlp_pipeline)
    assert first.extract_stats["cached"] == 0
    (folder / sources[2].name).write_bytes(sources[2].read_bytes())
    again = pipeline.build(folder, tmp_path / "again.db", cache_dir=cache,
                           nlp_pipeline=nlp_pipeline)
    fresh = pipeline.build(folder, tmp_path / "fresh.db", cache_dir=None,
                           nlp_pipeline=nlp_pipeline)
    assert again.parse_stats == {"parsed": 1, "cached": 2}
    stages = 4   # per-article tasks: people candidates, events and rosters, places, quotes and claims
    assert again.extract_stats["computed"] < 2 * stages   # the new article's, few others
    assert again.extract_stats["computed"] >= stages
    assert table_rows(sqlite_utils.Database(tmp_path / "again.db")) == \
        table_rows(sqlite_utils.Database(tmp_path / "fresh.db"))
    assert fresh.extract_stats == {"computed": 3 * stages, "cached": 0}


def test_parallel_map_keeps_order_and_reaches_workers_by_fork():
    items = [f"text {index}" for index in range(2 * per_article.MIN_PARALLEL)]
    seen_here = []

    def shout(text):
        seen_here.append(text)
        return text.upper()

    with per_article.configure(processes=2):
        assert per_article.parallel_map(shout, items) == [text.upper() for text in items]
    assert seen_here == []   # the workers did the work


def test_workers_collect_garbage_unless_told_not_to():
    """Workers collect as usual, though a build pauses collection in this process; claim
    grouping's workers, which make no reference cycles, never do (collections in them took
    seconds at scale)."""
    items = list(range(2 * per_article.MIN_PARALLEL))
    collecting = gc.isenabled()
    gc.disable()
    try:
        with per_article.configure(processes=2):
            assert set(per_article.parallel_map(lambda _: gc.isenabled(), items)) == {True}
            assert set(per_article.parallel_map(lambda _: gc.isenabled(), items,
                                                collect=False)) == {False}
        gc.enable()
        with per_article.configure(processes=2):
            assert set(per_article.parallel_map(lambda _: gc.isenabled(), items,
                                                collect=False)) == {False}
    finally:
        (gc.enable if collecting else gc.disable)()


def test_two_processes_build_the_database_one_process_builds(tmp_path, nlp_pipeline):
    from talks_dataset import synthetic

    folder = tmp_path / "articles"
    synthetic.generate(folder, per_article.MIN_PARALLEL + 6, seed=7)
    one = pipeline.build(folder, tmp_path / "one.db", nlp_pipeline=nlp_pipeline, n_process=1)
    two = pipeline.build(folder, tmp_path / "two.db", nlp_pipeline=nlp_pipeline, n_process=2)
    assert one.rows == two.rows and two.rows["articles"] == per_article.MIN_PARALLEL + 6
    assert table_rows(sqlite_utils.Database(tmp_path / "one.db")) == \
        table_rows(sqlite_utils.Database(tmp_path / "two.db"))


def test_background_returns_the_forked_result_or_raises_its_error():
    words = ["alpha", "beta"]   # reaches the child by fork
    assert per_article.Background(lambda: [word.upper() for word in words]).result() == \
        ["ALPHA", "BETA"]

    def fail():
        raise ValueError("bad signature")

    with pytest.raises(ValueError, match="bad signature") as raised:
        per_article.Background(fail, "dedupe").result()
    note, = raised.value.__notes__   # where it failed in the child, for the build's error
    assert note.startswith("in dedupe:\n") and "in fail\n" in note

    def die():
        os._exit(3)

    with pytest.raises(RuntimeError, match="exited with 3"):
        per_article.Background(die, "dedupe").result()
    with pytest.raises(RuntimeError, match="dedupe's function does not pickle"):
        per_article.Background(lambda: (lambda: None), "dedupe").result()
    sleeper = per_article.Background(lambda: time.sleep(60))
    sleeper.close()   # a failure elsewhere: the child is stopped, not waited for
    assert not sleeper._process.is_alive()


def test_two_processes_find_the_near_duplicate_in_the_background(build_folder):
    story = " ".join(f"Sentence {index} of the wire story about the talks." for index in range(40))
    result, db = build_folder({"a.txt": story, "b.txt": story + " Photo: Agency."}, n_process=2)
    assert result.duplicates == {"b.txt": ("a.txt", result.duplicates["b.txt"][1])}
    assert result.duplicates["b.txt"][1] >= 0.9
    rows = {row["file"]: row for row in db["articles"].rows}
    assert rows["b.txt"]["duplicate_of"] == rows["a.txt"]["id"]
