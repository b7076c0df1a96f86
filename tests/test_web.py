"""The plugins' pure helpers (talks_dataset.web) and the plugins themselves on a small literal db."""
from __future__ import annotations

import json
import re

import pytest
import sqlite_utils
from markupsafe import Markup

from conftest import ROOT
from talks_dataset import web

TEXT = ("Envoys of Veridia met in Port Alden on Monday. "
        "<b>Minister</b> Ilse Varga said the talks were \"useful\". Nothing else was agreed.")


def span_of(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


# --- pure helpers --------------------------------------------------------------------------------

def test_span_columns_needs_article_start_and_end():
    assert web.span_columns(["id", "article", "start", "end", "text"]) == \
        web.SpanColumns("article", "start", "end")
    assert web.span_columns(["article_id", "start", "end"]) == \
        web.SpanColumns("article_id", "start", "end")
    assert web.span_columns(["id", "article", "start"]) is None
    assert web.span_columns(["start", "end", "text"]) is None
    # views that name the article by its input file
    assert web.span_columns(["person", "file", "start", "end", "evidence"]) == \
        web.SpanColumns("file", "start", "end", by_file=True)
    assert web.span_columns(["file", "article_id", "start", "end"]).by_file is False


def test_evidence_column_is_the_cell_holding_the_span_text():
    spans = web.SpanColumns("article", "start", "end")
    row = {"id": "m1", "person": "ilse-varga", "article": "a1", "start": 3, "end": 13,
           "text": "Ilse Varga"}
    assert web.evidence_column(row, spans, "Ilse Varga") == "text"
    assert web.evidence_column(row, spans, "Varga") is None


def test_evidence_column_prefers_evidence_names_over_an_equal_name_column():
    spans = web.SpanColumns("article_id", "start", "end")
    row = {"person": "Ilse Varga", "country": "Veridia", "mention": "Ilse Varga",
           "article_id": "a1", "start": 3, "end": 13}
    assert web.evidence_column(row, spans, "Ilse Varga") == "mention"


def test_text_fragment_names_the_span_with_adjacent_words():
    start, end = span_of(TEXT, "Ilse Varga")
    assert web.text_fragment(TEXT, start, end) == \
        ("#:~:text=Alden%20on%20Monday.%20%3Cb%3EMinister%3C%2Fb%3E-,Ilse%20Varga,"
         "-said%20the%20talks%20were")
    # dashes and commas are encoded (they are the fragment's syntax); context stays in its line
    text = "First line ends\nNorth-West, said X.\nNext"
    start, end = span_of(text, "North-West,")
    assert web.text_fragment(text, start, end) == "#:~:text=North%2DWest%2C,-said%20X."
    assert web.text_fragment("  ", 0, 2) == ""


def test_context_prefers_the_stored_sentence():
    start, end = span_of(TEXT, "Ilse Varga")
    sentence = span_of(TEXT, "<b>Minister</b> Ilse Varga said the talks were \"useful\".")
    assert web.context_bounds(TEXT, start, end, [(0, 10), sentence]) == sentence


def test_context_without_sentences_stops_at_sentence_ends():
    start, end = span_of(TEXT, "Ilse Varga")
    context_start, context_end = web.context_bounds(TEXT, start, end)
    assert TEXT[context_start:context_end] == \
        "<b>Minister</b> Ilse Varga said the talks were \"useful\"."


def test_evidence_html_marks_the_span_escapes_the_text_and_links_the_article():
    start, end = span_of(TEXT, "Ilse Varga")
    html = web.evidence_html(TEXT, start, end, "/talks/articles/a1", "Talks <in> Port Alden")
    assert isinstance(html, Markup)
    assert "<mark>Ilse Varga</mark>" in html
    # markup in the article is shown as text, never interpreted
    assert "&lt;b&gt;Minister&lt;/b&gt;" in html and "<b>" not in html
    assert "&#34;useful&#34;" in html
    assert '<a class="evidence-article" href="/talks/articles/a1#:~:text=' in html
    assert "Talks &lt;in&gt; Port Alden</a>" in html
    assert "Nothing else" not in html


def test_evidence_html_rejects_a_span_outside_the_text():
    with pytest.raises(ValueError):
        web.evidence_html("short", 2, 99, "/a", "a")


def test_id_link_shortens_content_hashes_only():
    digest = "59c36f1f10060922c7324ce12c89376079c77b2f"
    assert web.short_id(digest) == "59c36f1f…"
    assert web.short_id("vladimir-putin") == "vladimir-putin"
    html = web.id_link_html(digest, "/talks/claim_groups/" + digest)
    assert html == (f'<a class="id-link" href="/talks/claim_groups/{digest}" title="{digest}">'
                    "59c36f1f…</a>")
    assert "Talks &lt;in&gt;" in web.id_link_html("a1", "/talks/articles/a1", "Talks <in>")


def test_is_whole_sentence():
    assert web.is_whole_sentence(0, 10, [(0, 10), (11, 20)])
    assert not web.is_whole_sentence(0, 9, [(0, 10)])


def test_entity_panel_escapes_every_value_and_links():
    section = web.Section("roles", ["title", "article"], [
        [web.Cell("<script>alert(1)</script>"), web.Cell("It's a <b>story</b>", "/talks/articles/a1")],
    ], total=3, more_href="/talks/roles?person=ilse-varga")
    html = web.entity_panel_html("Ilse <Varga>", [section, web.Section("quotes", ["q"], [], 0)])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Everything about Ilse &lt;Varga&gt;" in html
    assert "<a href='/talks/articles/a1'>It&#39;s a &lt;b&gt;story&lt;/b&gt;</a>" in html
    assert "<h3>roles <small>(3)</small></h3>" in html
    assert "quotes" not in html  # empty sections are left out
    assert "<a href='/talks/roles?person=ilse-varga'>All 3 rows</a>" in html


def test_entity_panel_without_sections_says_so():
    assert "No roles, quotes, delegations or mentions recorded." in web.entity_panel_html("X", [])


def test_script_appending_cannot_close_its_script_tag():
    html = Markup("<p>{}</p>").format("</script><script>alert(1)</script>")
    script = web.script_appending(html)
    assert "</script>" not in script.lower()
    payload = re.search(r"insertAdjacentHTML\('beforeend',(.*)\);\}\}\)\(\);$", script).group(1)
    assert json.loads(payload.replace("<\\/", "</")) == str(html)


# --- the plugins, on a literal database --------------------------------------------------------

@pytest.fixture(scope="module")
def entity_db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("entity") / "talks.db"
    db = sqlite_utils.Database(path)
    db["outlets"].insert({"id": "veridia-post", "name": "Veridia <Post>"}, pk="id")
    db["articles"].insert_all([
        {"id": "a1", "file": "a1.txt", "label": "Talks <in> Port Alden", "text": TEXT,
         "published": "2031-05-02", "outlet": "veridia-post", "byline": None,
         "duplicate_of": None},
        # a near-duplicate scrape: its facts repeat a1's and stay off the person's page
        {"id": "a2", "file": "a2.txt", "label": "Copy", "text": TEXT, "published": None,
         "outlet": None, "byline": None, "duplicate_of": "a1"}], pk="id")
    db["sentences"].insert_all([
        {"id": f"s{i}", "article": "a1", "start": s, "end": e, "text": TEXT[s:e]}
        for i, (s, e) in enumerate([span_of(TEXT, "Envoys of Veridia met in Port Alden on Monday."),
                                    span_of(TEXT, "<b>Minister</b> Ilse Varga said the talks were \"useful\"."),
                                    span_of(TEXT, "Nothing else was agreed.")])],
        pk="id", foreign_keys=[("article", "articles", "id")])
    db["people"].insert({"id": "ilse-varga", "name": "Ilse Varga", "country": "Veridia"}, pk="id")
    start, end = span_of(TEXT, "Ilse Varga")
    db["mentions"].insert({"id": "m1", "person": "ilse-varga", "article": "a1", "start": start,
                           "end": end, "text": "Ilse Varga"}, pk="id",
                          foreign_keys=[("person", "people", "id"), ("article", "articles", "id")])
    db.create_view("person_mentions", "select people.name as person, mentions.text as mention, "
                   "mentions.article, mentions.start, mentions.[end], people.id as person_id "
                   "from mentions join people on people.id = mentions.person")
    title_start, _ = span_of(TEXT, "<b>Minister</b> Ilse Varga")
    db["occupancies"].insert_all([
        {"id": f"o-{article}", "person": "ilse-varga", "article": article, "start": title_start,
         "end": end, "text": TEXT[title_start:end], "title": "Minister", "past": 0}
        for article in ("a1", "a2")], pk="id")
    quote_start, quote_end = span_of(TEXT, "useful")
    db["quotes"].insert({"id": "q1", "article": "a1", "start": quote_start, "end": quote_end,
                         "text": "useful", "cue": "said", "person": "ilse-varga",
                         "repeat_of": None}, pk="id")
    db["events"].insert({"id": "e1", "name": "Talks <Port Alden>", "date": "2031-04-28"},
                        pk="id")
    db["delegation_members"].insert({"id": "dm1", "event": "e1", "person": "ilse-varga",
                                     "side": "Veridia", "role_at_event": "Minister",
                                     "articles": 1}, pk="id")
    # a view naming the article by file, with the person's name before the evidence
    db.create_view("people_roles", "select people.name as person, occupancies.title, "
                   "articles.file, occupancies.text as stated, occupancies.start, "
                   "occupancies.[end], people.id as person_id from occupancies "
                   "join people on people.id = occupancies.person "
                   "join articles on articles.id = occupancies.article")
    return path


@pytest.fixture(scope="module")
def entity_ds(entity_db_path):
    from datasette.app import Datasette
    return Datasette([str(entity_db_path)], plugins_dir=str(ROOT / "plugins"),
                     metadata={"databases": {"talks": {"tables": {
                         "people": {"label_column": "name"},
                         "articles": {"label_column": "label"}}}}})


async def test_evidence_cell_in_a_table_with_spans(entity_ds):
    html = (await entity_ds.client.get("/talks/mentions")).text
    assert "<mark>Ilse Varga</mark>" in html
    assert "&lt;b&gt;Minister&lt;/b&gt;" in html and "<b>Minister</b>" not in html
    assert 'href="/talks/articles/a1"' in html
    # the same on the row page and in a view that carries article/start/end
    assert "<mark>Ilse Varga</mark>" in (await entity_ds.client.get("/talks/mentions/m1")).text
    view = (await entity_ds.client.get("/talks/person_mentions")).text
    # the mention column holds the evidence, not the person column with the same words
    assert '<td class="col-mention type-str"><span class="evidence">' in view
    assert '<td class="col-person type-str">Ilse Varga</td>' in view
    roles = (await entity_ds.client.get("/talks/people_roles")).text
    assert "<mark>&lt;b&gt;Minister&lt;/b&gt; Ilse Varga</mark>" in roles  # found by file


async def test_id_columns_of_views_and_queries_link_to_their_rows(entity_ds):
    view = (await entity_ds.client.get("/talks/person_mentions")).text
    assert ('<a class="id-link" href="/talks/people/ilse-varga" title="ilse-varga">'
            "ilse-varga</a>") in view
    assert ('<a class="id-link" href="/talks/articles/a1" title="a1">Talks &lt;in&gt; Port '
            "Alden</a>") in view
    query = (await entity_ds.client.get(
        "/talks.json?sql=select+'e1'+as+event_id,+'nope'+as+person_id&_shape=array")).json()
    assert query == [{"event_id": "e1", "person_id": "nope"}]
    page = (await entity_ds.client.get(
        "/talks?sql=select+'e1'+as+event_id,+'nope'+as+person_id")).text
    assert '<a class="id-link" href="/talks/events/e1"' in page
    assert 'href="/talks/people/nope"' not in page  # no row, no link
    # tables link their declared foreign keys themselves
    assert 'class="id-link"' not in (await entity_ds.client.get("/talks/mentions")).text


async def test_evidence_not_added_to_whole_sentences(entity_ds):
    html = (await entity_ds.client.get("/talks/sentences")).text
    assert "<mark>" not in html


async def test_person_row_page_lists_linked_rows_and_articles(entity_ds):
    html = (await entity_ds.client.get("/talks/people/ilse-varga")).text
    script = re.search(r"insertAdjacentHTML\('beforeend',(.*?)\);\}\}\)\(\);", html).group(1)
    panel = json.loads(script.replace("<\\/", "</"))
    assert "Everything about Ilse Varga" in panel
    headings = re.findall(r"<h3>(.*?) <small>\((\d+)\)</small></h3>", panel)
    # curated sections, in a reader's order; the duplicate scrape's role is left out
    assert headings == [("articles", "1"), ("roles", "1"), ("delegations", "1"), ("quotes", "1")]
    assert "<a href='/talks/articles/a1'>Talks &lt;in&gt; Port Alden</a>" in panel
    assert "<td>Veridia &lt;Post&gt;</td>" in panel  # the outlet's name, escaped
    assert "<th>title</th><th>outlet</th><th>past</th><th>evidence</th>" in panel
    assert "<mark>&lt;b&gt;Minister&lt;/b&gt; Ilse Varga</mark>" in panel
    assert "<a href='/talks/events/e1'>Talks &lt;Port Alden&gt;</a>" in panel
    assert "<td>Veridia</td>" in panel  # the side
    assert "<mark>useful</mark>" in panel
    # raw columns and ids stay off the page
    assert "ilse-varga" not in panel.replace("?person_id=ilse-varga", "")
    assert "<th>start</th>" not in panel and "resolved_by" not in panel


async def test_person_page_degrades_without_linked_tables(tmp_path):
    from datasette.app import Datasette
    path = tmp_path / "talks.db"
    sqlite_utils.Database(path)["people"].insert({"id": "p1", "name": "Someone"}, pk="id")
    ds = Datasette([str(path)], plugins_dir=str(ROOT / "plugins"))
    response = await ds.client.get("/talks/people/p1")
    assert response.status_code == 200
    assert "No roles, quotes, delegations or mentions recorded." in response.text


def test_recent_keeps_the_last_answers_used():
    recent = web.Recent(2)
    recent.put("a", 1)
    recent.put("b", None)   # an answer may be None (no such row): still kept
    assert recent.get("a") == 1   # now the most recently used
    recent.put("c", 3)
    assert "b" not in recent and "a" in recent and "c" in recent
    assert recent.get("c") == 3


async def test_recent_answer_looks_up_once_when_kept_else_every_time():
    calls = []

    async def look_up():
        calls.append(1)
        return None   # a row that does not exist: its answer is kept too

    recent = web.Recent(4)
    assert [await recent.answer("k", look_up, keep=True) for _ in range(3)] == [None] * 3
    assert len(calls) == 1
    assert [await recent.answer("m", look_up, keep=False) for _ in range(2)] == [None] * 2
    assert len(calls) == 3 and "m" not in recent
