"""`make publish`: the static export - URL mapping, link rewriting, and the exported seeds site."""
from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlite_utils
from click.testing import CliRunner

from conftest import ROOT
from test_datasette import public_tables
from talks_dataset import publish
from talks_dataset.cli import cli

LOCAL_LINK = re.compile(r"""\b(?:href|src|action)=(["'])([^"'<>]*)\1""")


# --- pure parts --------------------------------------------------------------------------------

def test_file_for_maps_urls_to_static_files():
    assert publish.file_for("/") == "index.html"
    assert publish.file_for("/.json", "application/json") == "index.json"
    assert publish.file_for("/talks") == "talks.html"
    assert publish.file_for("/talks/articles") == "talks/articles.html"
    assert publish.file_for("/talks/articles/abc") == "talks/articles/abc.html"
    assert publish.file_for("/talks/articles.json", "application/json") == "talks/articles.json"
    assert publish.file_for("/talks/articles/abc.json", "application/json; charset=utf-8") == \
        "talks/articles/abc.json"
    assert publish.file_for("/-/static/app.css", "text/css") == "-/static/app.css"
    faceted = publish.file_for("/talks/articles?_facet=outlet")
    assert re.fullmatch(r"talks/articles\.q-facet-outlet-[0-9a-f]{10}\.html", faceted)
    # different queries never share a file; the same query always gets the same one
    assert faceted != publish.file_for("/talks/articles?_facet=published")
    assert faceted == publish.file_for("/talks/articles?_facet=outlet")
    assert publish.file_for("/talks/articles.json?_shape=array", "application/json").endswith(".json")
    assert publish.file_for("/talks/articles.json?_shape=array&_nl=on",
                            "application/json").endswith(".ndjson")


def test_normalize_keeps_internal_links_only():
    assert publish.normalize("/talks/articles?outlet=tass&amp;_facet=kind#x") == \
        "/talks/articles?outlet=tass&_facet=kind"
    assert publish.normalize("http://localhost/talks/articles.json") == "/talks/articles.json"
    assert publish.normalize("https://example.org/a") is None
    assert publish.normalize("#export") is None
    assert publish.normalize("data:text/css,x") is None
    assert publish.normalize("//cdn.example.org/x.js") is None


def test_relative_href_works_from_any_depth():
    assert publish.relative_href("index.html", "talks/articles.html") == "talks/articles.html"
    assert publish.relative_href("talks/articles/abc.html", "talks/articles.html") == \
        "../articles.html"
    assert publish.relative_href("talks/articles.html", "talks.html", "g.mark=bar") == \
        "../talks.html#g.mark=bar"


def test_page_links_skip_nofollow_sorting_and_arbitrary_sql():
    page = ('<a href="/talks/articles?_facet=outlet">f</a>'
            '<a href="/talks/articles?_sort=title" rel="nofollow">sort</a>'
            '<a href="/talks?sql=select+1">sql</a>'
            '<a href="https://example.org/">out</a>'
            '<link rel="stylesheet" href="/-/static/app.css?abc">'
            "<script>x = {URL: '/-/static-plugins/p/a.js'}; y = \"<a href='/talks/people/p1'>\"</script>"
            '<p class="export-links">This data as <a href="/talks/articles.json">json</a></p>')
    assert publish.page_links(page) == [
        "/talks/articles?_facet=outlet", "/-/static/app.css?abc", "/talks/people/p1",
        "/talks/articles.json", "/-/static-plugins/p/a.js", "/talks/articles.json?_shape=array"]


def test_rewrite_html_points_links_at_files_and_keeps_fragments():
    files = {"/talks/articles": "talks/articles.html",
             "/talks/articles.json?_shape=array": "talks/articles.q-shape-array-0123456789.json",
             "/-/static-plugins/p/a.js": "-/static-plugins/p/a.js",
             "/talks/people/p1": "talks/people/p1.html"}
    page = ('<a href="/talks/articles#g.mark=bar&amp;g.x_column=a">chart</a>'
            '<a href="/talks/articles?_facet=nope">deep</a>'
            '<form action="/talks/articles" method="get"><input name="_search"></form>'
            '<p class="export-links">This data as <a href="/talks/articles.json">json</a></p>'
            "<script>x = {URL: '/-/static-plugins/p/a.js'}; y = \"<a href='/talks/people/p1'>\"</script>")
    rewritten = publish.rewrite_html(page, "talks.html", files)
    assert 'href="talks/articles.html#g.mark=bar&amp;g.x_column=a"' in rewritten
    assert 'href="-/not-in-export.html"' in rewritten
    assert 'action="-/not-in-export.html"' in rewritten
    assert '<a href="talks/articles.q-shape-array-0123456789.json">json</a>' in rewritten
    assert 'new URL("-/static-plugins/p/a.js", document.baseURI).href' in rewritten
    assert "href='talks/people/p1.html'" in rewritten


def test_css_links_resolve_relative_urls():
    css = ".a{background:url(images/x.png)} .b{background:url('/-/static/y.png')} .c{background:url(data:x)}"
    assert publish.css_links(css, "/-/static-plugins/leaflet/l.css") == [
        "/-/static-plugins/leaflet/images/x.png", "/-/static/y.png"]


def test_css_links_add_the_icons_leaflet_derives_in_javascript():
    css = ".leaflet-default-icon-path{background-image:url(images/marker-icon.png)}"
    assert publish.css_links(css, "/-/static-plugins/leaflet/l.css") == [
        "/-/static-plugins/leaflet/images/marker-icon.png",
        "/-/static-plugins/leaflet/images/marker-icon-2x.png",
        "/-/static-plugins/leaflet/images/marker-shadow.png"]


def test_pages_declare_utf8_for_hosts_that_send_no_charset():
    page = "<!DOCTYPE html>\n<html>\n<head>\n<title>Ahmed al-Sharaa © “talks”</title>"
    assert publish.with_charset(page) == (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Ahmed al-Sharaa © “talks”</title>")
    declared = '<html><head><meta charset="utf-8"><title>x</title>'
    assert publish.with_charset(declared) == declared


def test_exported_pages_declare_utf8(published_dist):
    dist, _ = published_dist
    for path in [dist / "index.html", dist / "talks" / "people.html"]:
        assert '<meta charset="utf-8">' in path.read_text(encoding="utf-8")[:600], path


def test_same_page_groups_formats_and_pages():
    assert publish.same_page("/talks/articles", "/talks/articles.json")
    assert publish.same_page("/talks/articles?outlet=x", "/talks/articles.csv?outlet=x&_size=max")
    assert publish.same_page("/talks/articles", "/talks/articles?_next=10")
    assert not publish.same_page("/talks/articles", "/talks/articles?outlet=x")


# --- the exported seeds site -------------------------------------------------------------------

def exported_links(dist: Path):
    """(file, link, target path) for every local link of every exported HTML page."""
    for page in dist.rglob("*.html"):
        relative = page.relative_to(dist).as_posix()
        for match in LOCAL_LINK.finditer(page.read_text(encoding="utf-8")):
            link = match.group(2).replace("&amp;", "&")
            if not link or link.startswith(("#", "data:", "http:", "https:", "mailto:")):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(relative),
                                                       unquote(urlsplit(link).path)))
            yield relative, link, target


def test_export_has_every_required_page(published_dist, seeds_db, metadata):
    dist, result = published_dist
    assert result.errors == []
    for file in ["index.html", "index.json", "talks.html", "talks.json", "talks.db",
                 "inspect-data.json", "-/not-in-export.html"]:
        assert (dist / file).is_file(), file
    tables = public_tables(seeds_db)
    for name in tables + seeds_db.view_names():
        assert (dist / "talks" / f"{name}.html").is_file(), name
        assert (dist / "talks" / f"{name}.json").is_file(), name
    for name in tables:
        pks = seeds_db[name].pks
        for row in seeds_db[name].rows:
            if pks == ["rowid"]:
                continue
            key = ",".join(str(row[pk]) for pk in pks)
            assert (dist / "talks" / name / f"{key}.html").is_file(), (name, key)
            assert (dist / "talks" / name / f"{key}.json").is_file(), (name, key)
    for query in metadata["databases"]["talks"].get("queries", {}):
        assert (dist / "talks" / f"{query}.html").is_file(), query
        assert (dist / "talks" / f"{query}.json").is_file(), query


def test_exported_database_and_inspect_data(published_dist, seeds_db):
    dist, _ = published_dist
    copy = sqlite_utils.Database(dist / "talks.db")
    assert copy["articles"].count == seeds_db["articles"].count
    inspect = json.loads((dist / "inspect-data.json").read_text())
    assert inspect["talks"]["file"] == "talks.db"
    assert inspect["talks"]["tables"]["articles"]["count"] == seeds_db["articles"].count


def test_no_exported_link_is_broken_or_absolute(published_dist):
    dist, _ = published_dist
    checked, broken = 0, []
    for page, link, target in exported_links(dist):
        checked += 1
        assert not link.startswith("/"), (page, link)  # relative: works from any sub-path
        if not (dist / target).is_file():
            broken.append((page, link))
    assert checked > 500
    assert broken == []


def test_facet_pages_are_exported_and_linked(published_dist, metadata):
    dist, _ = published_dist
    article_page = (dist / "talks" / "articles.html").read_text(encoding="utf-8")
    facet_links = re.findall(r'href="(articles\.q-[^"]*\.html)"', article_page)
    assert facet_links, "the articles page links no exported facet page"
    for link in facet_links:
        assert (dist / "talks" / unquote(link)).is_file(), link


def test_every_json_file_parses(published_dist):
    dist, result = published_dist
    files = list(dist.rglob("*.json"))
    assert len(files) == result.json_files + 1  # + inspect-data.json
    for file in files:
        json.loads(file.read_text(encoding="utf-8"))
    for file in dist.rglob("*.ndjson"):
        for line in file.read_text(encoding="utf-8").splitlines():
            assert isinstance(json.loads(line), dict)


def test_chart_export_link_serves_array_rows(published_dist):
    """datasette-vega reads the first JSON export link and wants an array of rows."""
    dist, _ = published_dist
    page = (dist / "talks" / "article_index.html").read_text(encoding="utf-8")
    export = re.search(r'<p class="export-links">This data as <a href="([^"]+)">json</a>', page)
    rows = json.loads((dist / "talks" / unquote(export.group(1))).read_text(encoding="utf-8"))
    assert isinstance(rows, list) and rows and "file" in rows[0]


def test_chart_links_in_descriptions_keep_their_state(published_dist, metadata):
    dist, _ = published_dist
    charts = set()
    for page, link, target in exported_links(dist):
        if "#g.mark=" in link:
            charts.add(link.split("#")[1])
            assert (dist / target).is_file()
    described = {html.unescape(fragment) for fragment in
                 re.findall(r'href="[^"#]*#(g\.mark=[^"]+)"', "\n".join(descriptions(metadata)))}
    assert described and described <= {html.unescape(c) for c in charts}


def descriptions(value) -> list[str]:
    """Every description_html in metadata.yml."""
    if isinstance(value, dict):
        return [text for key, item in value.items()
                for text in ([item] if key == "description_html" else descriptions(item))]
    if isinstance(value, list):
        return [text for item in value for text in descriptions(item)]
    return []


def test_cli_publish_on_a_literal_database(tmp_path):
    db = sqlite_utils.Database(tmp_path / "mini.db")
    db["articles"].insert_all([{"id": "a1", "title": "One <b>bold</b> title", "outlet": "x"},
                               {"id": "a2", "title": "Two", "outlet": "y"}], pk="id")
    (tmp_path / "metadata.yml").write_text(
        "databases:\n  mini:\n    tables:\n      articles:\n        facets: [outlet]\n")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    result = CliRunner().invoke(cli, ["publish", str(tmp_path / "mini.db"), str(tmp_path / "site"),
                                      "--metadata", str(tmp_path / "metadata.yml"),
                                      "--plugins-dir", str(plugins), "-q"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Published .*site/ in [\d.]+s: \d+ pages", result.output)
    site = tmp_path / "site"
    assert (site / "mini" / "articles" / "a1.html").is_file()
    assert "One &lt;b&gt;bold&lt;/b&gt; title" in (site / "mini" / "articles" / "a1.html").read_text()
    faceted = [p.name for p in (site / "mini").glob("articles.q-outlet-x-*.html")]
    assert len(faceted) == 1
    assert not (tmp_path / ".site.tmp").exists()


def test_cli_publish_needs_a_database(tmp_path):
    result = CliRunner().invoke(cli, ["publish", str(tmp_path / "none.db"), str(tmp_path / "site"),
                                      "--metadata", str(ROOT / "metadata.yml"),
                                      "--plugins-dir", str(ROOT / "plugins")])
    assert result.exit_code == 1
    assert "no such database" in result.output
