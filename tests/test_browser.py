"""Browser tests: Debian Chromium driven by Playwright, against a Datasette the test starts on
127.0.0.1 (and the static export served by a plain file server). Screenshots go to
test-output/browser/. Without /usr/bin/chromium these tests skip locally and FAIL in CI (CI=true).
"""
from __future__ import annotations

import contextlib
import functools
import html
import http.server
import json
import os
import posixpath
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-output" / "browser"
TIMEOUT_MS = 15_000


def require_chromium():
    if CHROMIUM.exists():
        return
    message = (f"{CHROMIUM} is missing: install Debian's chromium "
               "(`apt-get install chromium`; .ci/run does it)")
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds}s")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(scope="module")
def datasette_url(seeds_db_path):
    """`datasette serve` on the seeds database, metadata and plugins, on a free local port."""
    port = free_port()
    datasette = Path(sys.executable).with_name("datasette")
    process = subprocess.Popen(
        [str(datasette), "serve", str(seeds_db_path), "--metadata", str(ROOT / "metadata.yml"),
         "--plugins-dir", str(ROOT / "plugins"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/-/versions.json")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def row_count(page) -> int:
    heading = page.inner_text("h3")
    return int(re.search(r"([\d,]+) rows?", heading).group(1).replace(",", ""))


# --- live Datasette --------------------------------------------------------------------------------

def test_facet_click_filters_a_table(page, datasette_url, seeds_db):
    page.goto(f"{datasette_url}/talks/sentences?_facet=kind")
    total = row_count(page)
    assert total == seeds_db["sentences"].count
    facet = page.locator(".facet-info[data-column=kind] li a").first
    value = facet.get_attribute("href").split("kind=")[1].split("&")[0]
    facet.click()
    page.wait_for_url(re.compile(r"kind="))
    filtered = row_count(page)
    expected = seeds_db.execute("select count(*) from sentences where kind = ?", [value]).fetchone()[0]
    assert filtered == expected < total
    kinds = set(page.locator("td.col-kind").all_inner_texts())
    assert kinds == {value}


def test_preconfigured_chart_draws(page, datasette_url, metadata):
    description = metadata["databases"]["talks"]["tables"]["article_index"]["description_html"]
    chart = html.unescape(re.search(r'href="([^"]*#g\.mark=[^"]+)"', description).group(1))
    page.goto(datasette_url + chart)
    page.wait_for_selector(".vega-embed canvas, .vega-embed svg")
    assert page.locator(".vega-embed canvas, .vega-embed svg").count() >= 1
    assert page.js_errors == []


def test_map_shows_markers(page, datasette_url, seeds_db):
    tables = [name for name in seeds_db.table_names()
              if {"latitude", "longitude"} <= set(seeds_db[name].columns_dict)]
    if not tables:
        pytest.skip("no table with latitude/longitude columns yet (places stage not merged)")
    table = "places" if "places" in tables else tables[0]
    located = seeds_db.execute(
        f"select count(*) from [{table}] where latitude is not null").fetchone()[0]
    assert located, f"{table} has no coordinates"
    page.goto(f"{datasette_url}/talks/{table}")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".leaflet-marker-icon").count() >= 1


def evidence_table(db) -> str:
    """A table whose rows carry evidence spans: mentions once the people stage exists."""
    for name in ("mentions", "place_spans", "quotes", "article_credits"):
        if name in db.table_names() and db.execute(
                f"select count(*) from [{name}] where start is not null").fetchone()[0]:
            return name
    pytest.fail("no table with evidence spans")


def test_evidence_highlight_appears_and_links_to_the_article(page, datasette_url, seeds_db):
    table = evidence_table(seeds_db)
    page.goto(f"{datasette_url}/talks/{table}?start__notblank=1")
    mark = page.locator(".evidence mark").first
    mark.wait_for()
    assert mark.inner_text().strip()
    link = page.locator(".evidence a.evidence-article").first
    # a text fragment makes the browser scroll to the span on the article's page
    assert "#:~:text=" in link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(r"/talks/articles/[^/?#]+(#:~:text=.+)?$"))
    assert page.locator("h1").inner_text().startswith("articles:")


def test_person_page_shows_curated_sections(page, datasette_url, seeds_db):
    person = seeds_db.execute(
        "select person from occupancies group by person order by count(*) desc limit 1"
    ).fetchone()[0]
    page.goto(f"{datasette_url}/talks/people/{person}")
    panel = page.locator("section.entity-panel")
    panel.wait_for()
    headings = [h.split(" (")[0] for h in panel.locator("h3").all_inner_texts()]
    assert headings[:2] == ["articles", "roles"], headings
    assert panel.locator("mark").count() > 0


def test_search_finds_an_article(page, datasette_url, seeds_db):
    article = seeds_db.execute(
        "select id, title from articles where title is not null order by file limit 1").fetchone()
    word = max(re.findall(r"[A-Za-z]{4,}", article[1]), key=len)
    page.goto(f"{datasette_url}/talks/articles")
    page.fill("input[name=_search]", word)
    page.locator("input[name=_search]").press("Enter")
    page.wait_for_url(re.compile(r"_search="))
    assert page.locator(f"td.col-id a[href$='/{article[0]}']").count() == 1


# --- the static export -----------------------------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def static_url(published_dist):
    """dist/ served by Python's plain static file server on a free local port."""
    dist, _ = published_dist
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", free_port()), functools.partial(QuietHandler, directory=str(dist)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_static_site_index_table_facet_row_and_back(page, static_url):
    page.goto(static_url)
    page.locator("a[href='talks.html']").first.click()
    page.wait_for_url(re.compile(r"/talks\.html$"))
    page.locator("a[href='talks/sentences.html']").first.click()
    page.wait_for_url(re.compile(r"/talks/sentences\.html$"))
    total = row_count(page)
    facet = page.locator(".facet-info li a").first
    facet.click()
    page.wait_for_url(re.compile(r"/talks/sentences\.q-[^/]+\.html$"))
    faceted_url = page.url
    assert row_count(page) < total
    page.locator("td.type-pk a").first.click()
    page.wait_for_url(re.compile(r"/talks/sentences/[^/]+\.html$"))
    assert page.locator("h1").inner_text().startswith("sentences:")
    page.go_back()
    page.wait_for_url(faceted_url)
    assert row_count(page) < total
    assert page.js_errors == []


def test_static_chart_draws(page, static_url, metadata):
    description = metadata["databases"]["talks"]["tables"]["article_index"]["description_html"]
    fragment = html.unescape(re.search(r'href="[^"]*#(g\.mark=[^"]+)"', description).group(1))
    page.goto(f"{static_url}talks/article_index.html#{fragment}")
    page.wait_for_selector(".vega-embed canvas, .vega-embed svg")


def test_static_crawl_finds_no_404_and_all_json_parses(static_url):
    """Follow every link from the index over HTTP: every target answers 200, JSON parses."""
    link = re.compile(r"""\b(?:href|src)=(["'])([^"'<>]*)\1""")
    queue, seen, broken, json_files = [static_url], {static_url}, [], 0
    while queue:
        url = queue.pop()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            broken.append((url, error.code))
            continue
        path = urlsplit(url).path
        if path.endswith(".json"):
            json.loads(body)
            json_files += 1
        if not (path.endswith(".html") or path.endswith("/")):
            continue
        for match in link.finditer(body.decode("utf-8")):
            target = html.unescape(match.group(2))
            if not target or target.startswith(("#", "data:", "mailto:", "javascript:")):
                continue
            absolute = urljoin(url, target).split("#")[0]
            if not absolute.startswith(static_url) or absolute in seen:
                continue
            seen.add(absolute)
            queue.append(absolute)
    assert broken == []
    assert len(seen) > 500 and json_files > 100
