"""Scale machinery: the synthetic corpus, the streaming parse cache with lazy tokens, the name
index that keeps people resolution near-linear, and the benchmark's markdown. Nothing is timed."""
from __future__ import annotations

import itertools
import pickle
import random

from talks_dataset import names, nlp, synthetic


def test_synthetic_corpus_is_reproducible_and_realistic(tmp_path):
    first = synthetic.generate(tmp_path / "a", 12, seed=7)
    second = synthetic.generate(tmp_path / "b", 12, seed=7)
    assert [p.read_text() for p in first] == [p.read_text() for p in second]
    other = synthetic.generate(tmp_path / "c", 12, seed=8)
    assert [p.read_text() for p in first] != [p.read_text() for p in other]
    for path in first:
        text = path.read_text()
        assert 300 <= len(text.split()) <= 900, path.name
        assert text.startswith("# ") and "\nBy " in text and "Original url: https://" in text
        body = text.split("\n\n")
        assert len(body) == len(set(body)), "no paragraph repeats within an article"
    # meetings are reported by several outlets: some headlines' events recur across files
    hosts = [p.read_text().split("Original url: https://www.")[1].split("/")[0] for p in first]
    assert len(set(hosts)) > 3


def test_synthetic_articles_build(build_folder, tmp_path):
    files = {p.name: p.read_text() for p in synthetic.generate(tmp_path / "in", 6, seed=3)}
    _, db = build_folder(files)
    assert db["articles"].count == 6
    assert db["people"].count > 10 and db["events"].count >= 1
    # a surname-only reference resolves to the person introduced with a full name
    assert db.execute("select count(*) from mentions where form = 'surname'").fetchone()[0] > 0
    assert db.execute("select max(articles) from events").fetchone()[0] >= 1


def test_text_entities_read_as_the_rows_they_were_given():
    text = "Karim Haddad met Elena Varga in Oslo."
    rows = [["PERSON", 0, 12, "Karim Haddad"], ["PERSON", 17, 28, "Elena Varga"],
            ["GPE", 32, 36, "Oslo"]]
    entities = nlp.TextEntities(text, rows)
    assert entities.labels == ("PERSON", "PERSON", "GPE")   # held as labels and offsets
    assert list(entities) == rows and entities == rows and len(entities) == 3
    assert entities[-1] == ["GPE", 32, 36, "Oslo"] and entities[1:] == rows[1:]
    for label, start, end, surface in entities:
        assert text[start:end] == surface
    try:
        entities[3]
    except IndexError:
        pass
    else:
        raise AssertionError("an index past the end must raise IndexError")
    assert pickle.loads(pickle.dumps(entities)) == rows
    assert list(nlp.TextEntities(text, [])) == []


def test_parse_cache_streams_and_tokens_load_lazily(tmp_path, nlp_pipeline):
    texts = ["Karim Haddad met Elena Varga in Oslo on Monday.\nThey talked.",
             "The Norwegian delegation included Trade Minister Jonas Brandt."]
    stats = {}
    eager = list(nlp.parse_texts(texts, nlp=nlp_pipeline, cache_dir=tmp_path, stats=stats))
    assert stats == {"parsed": 2, "cached": 0}
    stats = {}
    lazy = list(nlp.parse_texts(texts, nlp=nlp_pipeline, cache_dir=tmp_path, stats=stats,
                                lazy_tokens=True))
    assert stats == {"parsed": 0, "cached": 2}
    for full, light in zip(eager, lazy):
        assert isinstance(light["tokens"], nlp.LazyTokens)
        assert [list(t) for t in light["tokens"]] == [list(t) for t in full["tokens"]]
        assert light["sentences"] == full["sentences"] and light["entities"] == full["entities"]
        assert len(light["tokens"]) == len(full["tokens"])
        assert list(light["tokens"][1]) == list(full["tokens"][1])
    # one new text among cached ones: only it is parsed, results stay in input order
    stats = {}
    mixed = list(nlp.parse_texts([texts[0], "Oskar Strand said so.", texts[1]], nlp=nlp_pipeline,
                                 cache_dir=tmp_path, stats=stats, lazy_tokens=True))
    assert stats == {"parsed": 1, "cached": 2}
    assert [r["digest"] for r in mixed] == [nlp.ParseCache.digest(t) for t in
                                             (texts[0], "Oskar Strand said so.", texts[1])]


def test_name_index_finds_what_comparing_every_pair_finds():
    rng = random.Random(5)
    given = ["Ahmed", "Ahmad", "Andrei", "Andrey", "Kemal", "Mehmet", "Maher", "Sergei"]
    family = ["al-Haddad", "Haddad", "Aydin", "Belov", "Belova", "Karimi", "Karimy"]
    forms = [f"{a} {b}" for a, b in itertools.product(given, family)]
    forms += [f"Mehmet Kemal {b}" for b in family] + ["Karim bin Rashid Haddad", "Rashid Haddad"]
    keys = [names.name_key(form) for form in forms]
    rng.shuffle(keys)
    index = names.NameIndex()
    for position, key in enumerate(keys):
        index.add(key, position)
    for key in keys:
        brute = [position for position, other in enumerate(keys)
                 if names.same_person(key, other)]
        assert index.matches(key) == brute, key
        assert index.any_match(key) == bool(brute)


def test_bench_harness_runs_end_to_end(tmp_path, monkeypatch):
    """The harness at N=2, one process, one request per page: every table of the report is
    filled (the numbers are not checked: nothing in pytest is timed)."""
    from talks_dataset import bench

    monkeypatch.chdir(__import__("pathlib").Path(__file__).resolve().parent.parent)
    text = bench.run([2], [1], tmp_path / "BENCH.md", tmp_path / "work",
                     nlp.DEFAULT_MODEL, requests=1, echo=lambda message: None)
    assert (tmp_path / "BENCH.md").read_text() == text
    assert "| 2 | 1 |" in text and "Machine: " in text
    build_row, add_one_row = [[cell.strip() for cell in line.strip("|").split("|")]
                              for line in text.splitlines() if line.startswith("| 2 | 1 |")]
    assert len(build_row) == 10 and float(build_row[-1]) > 0   # CPU s of the build
    # CPU s of the add-one build, and the same over one process
    assert len(add_one_row) == 8 and float(add_one_row[-2]) == float(add_one_row[-1]) > 0
    assert "| articles table with facets | 1 |" in text
    assert "| canned query " in text
    assert "| view person_mentions with facets | 1 |" in text


def test_a_page_whose_facets_timed_out_says_which():
    from talks_dataset import bench

    page = '<p class="facets-timed-out">These facets timed out: person, country</p>'
    assert bench.timed_out_facets(page) == "These facets timed out: person, country"
    assert bench.timed_out_facets("<p>no facets here</p>") == ""


def test_parse_in_two_processes_keeps_every_text_in_order(tmp_path, nlp_pipeline):
    """With n_process=2 spaCy sends each text's context to a worker and back as a copy: every
    text still comes back, in input order (batch_size=1 so that 2 worker processes start)."""
    texts = [f"Minister Elena Varga visited Oslo on day {k}." for k in range(5)]
    rows = list(nlp.parse_texts(texts, nlp=nlp_pipeline, cache_dir=tmp_path, n_process=2,
                                batch_size=1, lazy_tokens=True))
    assert [r["digest"] for r in rows] == [nlp.ParseCache.digest(t) for t in texts]
    assert all(len(r["tokens"]) > 5 for r in rows)


def test_bench_without_latency_has_build_rows_only(tmp_path, monkeypatch):
    from talks_dataset import bench

    monkeypatch.chdir(__import__("pathlib").Path(__file__).resolve().parent.parent)
    text = bench.run([2], [1], tmp_path / "BENCH.md", tmp_path / "work", nlp.DEFAULT_MODEL,
                     requests=1, echo=lambda message: None, measure_latency=False)
    assert "| 2 | 1 |" in text
    assert "| articles table with facets" not in text and "| canned query " not in text
