"""`make publish`: a static export of the Datasette site (Datasette has none, datasette#1605).

Every page a reader reaches is rendered through Datasette's own `datasette.client` - index,
database, every table and view (with its configured facets), every row, every canned query with
its default parameters, the pre-configured chart pages linked from descriptions, and each page's
`.json` - then links are rewritten to relative file paths so the folder works from any static host
(GitHub Pages, S3, `python -m http.server`) and from any sub-path.

URL -> file: `/` is `index.html`; an HTML page `/talks/articles` is `talks/articles.html`; a URL
with a query string gets a readable slug and a hash of the query in its name
(`/talks/articles?_facet=outlet` -> `talks/articles.q-facet-outlet-1a2b3c4d.html`); JSON, CSV and
static assets keep their extension. Pages beyond the crawl (or forms, which need a server) point
to `-/not-in-export.html`, which says so, so the export has no broken link.

The crawl is breadth-first from the required pages; links they show (facet values, sorting,
suggested facets, next pages) are followed up to `max_depth` and within `max_pages`.
"""
from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import html
import json
import os
import posixpath
import re
import shutil
import time
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import yaml

NOT_IN_EXPORT = "-/not-in-export.html"
INTERNAL_HOSTS = ("http://localhost", "https://localhost")
# Attributes whose URLs are rewritten, double- or single-quoted (plugins emit single quotes
# inside JSON strings in <script>).
ATTRIBUTE_URL = re.compile(r"""(?P<attr>\b(?:href|src|action))=(?P<q>["'])(?P<url>[^"'<>]*)(?P=q)""")
SCRIPT_BLOCK = re.compile(r"(<script\b[^>]*>)(.*?)(</script>)", re.S | re.I)
SCRIPT_ASSET = re.compile(r"""(?P<q>["'])(?P<url>/-/static(?:-plugins)?/[^"'\s]+)(?P=q)""")
CSS_URL = re.compile(r"""url\((?P<q>["']?)(?P<url>[^)"']+)(?P=q)\)""")
EXPORT_LINKS = re.compile(r'(<p class="export-links">)(.*?)(</p>)', re.S)
FORM_ACTION = re.compile(r"""(<form\b[^>]*?\baction=)(["'])([^"']*)\2""", re.I)
EXTENSIONS = {"application/json": ".json", "text/csv": ".csv", "text/plain": ".txt",
              "text/css": ".css", "application/javascript": ".js", "text/javascript": ".js",
              "image/png": ".png", "image/x-icon": ".ico", "image/svg+xml": ".svg"}
PAGE_KINDS = {".html", ".json", ".csv"}


@dataclasses.dataclass
class Fetched:
    url: str
    file: str
    content_type: str
    depth: int
    body: bytes


@dataclasses.dataclass
class PublishResult:
    dist: Path
    pages: int = 0               # HTML pages written
    json_files: int = 0
    assets: int = 0
    not_exported: int = 0        # distinct internal links pointed at NOT_IN_EXPORT
    errors: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    seconds: float = 0.0


# --- URL <-> file (pure) ---------------------------------------------------------------------

def normalize(url: str) -> str | None:
    """An internal URL as path?query (no fragment), or None for external/special links."""
    url = html.unescape(url.strip())
    for host in INTERNAL_HOSTS:
        if url.startswith(host + "/") or url == host:
            url = url[len(host):] or "/"
    if not url.startswith("/") or url.startswith("//"):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def file_for(url: str, content_type: str = "text/html") -> str:
    """The file (relative to dist/) that holds `url`."""
    parts = urlsplit(url)
    path = unquote(parts.path).lstrip("/")
    media = content_type.split(";")[0].strip().lower()
    is_html = media == "text/html"
    stem, ext = posixpath.splitext(path)
    if path.startswith(".") and "/" not in path:  # "/.json": the index in another format
        stem, ext = "index", path
    if is_html:
        stem, ext = (path or "index"), ".html"
        if stem.endswith("/"):
            stem += "index"
    elif not ext:
        ext = EXTENSIONS.get(media, "")
    if ext == ".json" and ("_nl", "on") in parse_qsl(parts.query):
        ext = ".ndjson"  # newline-delimited: one JSON document per line
    if parts.query:
        readable = re.sub(r"[^a-z0-9]+", "-", unquote(parts.query).lower()).strip("-")[:40]
        digest = hashlib.sha1(parts.query.encode()).hexdigest()[:10]
        stem = f"{stem}.q-{readable}-{digest}" if readable else f"{stem}.q-{digest}"
    return stem + ext


def relative_href(from_file: str, to_file: str, fragment: str = "") -> str:
    """A link from one exported file to another that works from any host and sub-path."""
    relative = posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")
    return quote(relative, safe="/~+-_.!*'(),=") + (f"#{fragment}" if fragment else "")


def with_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += list(params.items())
    return parts.path + "?" + urlencode(query)


TAG = re.compile(r"<(?:a|link|script|img|iframe|source)\b[^>]*>", re.I)


def page_links(body: str) -> list[str]:
    """Internal URLs a page links to, in order: attributes (except rel="nofollow" links, i.e.
    Datasette's sort headers, and arbitrary-SQL links) and static assets named in scripts."""
    urls = []
    for tag in TAG.finditer(body):
        if "nofollow" in tag.group(0):
            continue
        urls += [m.group("url") for m in ATTRIBUTE_URL.finditer(tag.group(0))
                 if m.group("attr") != "action"]
    for script in SCRIPT_BLOCK.finditer(body):
        urls += [m.group("url") for m in SCRIPT_ASSET.finditer(script.group(2))]
    for export in EXPORT_LINKS.finditer(body):
        urls += [chart_json_url(m.group("url")) for m in ATTRIBUTE_URL.finditer(export.group(2))
                 if ".json" in m.group("url")]
    found = [normalize(url) for url in urls]
    return [url for url in dict.fromkeys(found) if url and not is_arbitrary_sql(url)]


def is_arbitrary_sql(url: str) -> bool:
    """`?sql=` pages run any SQL: that is the live API's job, not a snapshot's."""
    return any(key == "sql" for key, _ in parse_qsl(urlsplit(url).query))


def same_page(url: str, other: str) -> bool:
    """`other` is `url` itself in another format (.json, .csv) or another page of its rows."""
    def base(u):
        parts = urlsplit(u)
        path = re.sub(r"\.(json|csv)$", "", parts.path)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k not in ("_next", "_shape", "_size", "_labels")]
        return path, sorted(query)
    return base(url) == base(other)


def chart_json_url(url: str) -> str:
    """datasette-vega fetches the page's first JSON export link + `_shape=array`: point that
    link at the array-shaped file (a static host ignores the query string vega appends)."""
    internal = normalize(url)
    return with_query(internal, _shape="array") if internal else url


# Leaflet's default marker names its icon in CSS and derives these siblings from it in JS.
LEAFLET_ICON_SIBLINGS = {"marker-icon.png": ("marker-icon-2x.png", "marker-shadow.png")}


def css_links(css: str, css_url: str) -> list[str]:
    base = posixpath.dirname(urlsplit(css_url).path) + "/"
    found = []
    for match in CSS_URL.finditer(css):
        url = match.group("url")
        if url.startswith(("data:", "http:", "https:", "#")):
            continue
        link = normalize(url) or posixpath.normpath(base + urlsplit(url).path)
        found.append(link)
        folder, name = posixpath.split(link)
        found += [posixpath.join(folder, sibling) for sibling in LEAFLET_ICON_SIBLINGS.get(name, ())]
    return found


META_CHARSET = re.compile(r"<meta\b[^>]*charset", re.I)


def with_charset(body: str) -> str:
    """Datasette declares UTF-8 in its HTTP header only; a static host may send none, and the
    browser then reads names and curly quotes as windows-1252. Declare it in the page."""
    if META_CHARSET.search(body[:2048]):
        return body
    return re.sub(r"<head\b[^>]*>", lambda m: m.group(0) + '\n<meta charset="utf-8">', body,
                  count=1, flags=re.I)


def rewrite_html(body: str, own_file: str, files: dict[str, str]) -> str:
    """Point every internal link at its exported file (or NOT_IN_EXPORT)."""
    def target(url: str) -> str | None:
        internal = normalize(url)
        if internal is None:
            return None
        fragment = urlsplit(html.unescape(url)).fragment
        return relative_href(own_file, files.get(internal, NOT_IN_EXPORT), fragment)

    def attribute(match):
        new = target(match.group("url"))
        if new is None:
            return match.group(0)
        return f"{match.group('attr')}={match.group('q')}{html.escape(new, quote=True)}{match.group('q')}"

    def export_links(match):
        inner = ATTRIBUTE_URL.sub(
            lambda m: (f"{m.group('attr')}={m.group('q')}{html.escape(chart_json_url(m.group('url')))}"
                       f"{m.group('q')}") if ".json" in m.group("url") else m.group(0),
            match.group(2), count=1)
        return match.group(1) + inner + match.group(3)

    def script(match):
        def asset(m):
            new = relative_href(own_file, files.get(m.group("url"), NOT_IN_EXPORT))
            # Resolved against the page (not a module's own URL, which dynamic import() uses).
            return f"new URL({json.dumps(new)}, document.baseURI).href"
        return match.group(1) + SCRIPT_ASSET.sub(asset, match.group(2)) + match.group(3)

    body = EXPORT_LINKS.sub(export_links, body)
    body = FORM_ACTION.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{relative_href(own_file, NOT_IN_EXPORT)}{m.group(2)}",
        body)
    body = SCRIPT_BLOCK.sub(script, body)
    return ATTRIBUTE_URL.sub(attribute, body)


def rewrite_css(css: str, own_file: str, files: dict[str, str]) -> str:
    def absolute(match):
        internal = normalize(match.group("url"))
        if internal is None:
            return match.group(0)
        return f"url({match.group('q')}{relative_href(own_file, files.get(internal, NOT_IN_EXPORT))}{match.group('q')})"
    return CSS_URL.sub(absolute, css)


# --- what to render ------------------------------------------------------------------------------

async def required_urls(datasette) -> list[str]:
    """Every page a reader reaches from the index, and its JSON: the crawl's starting points."""
    from datasette.utils import path_from_row_pks

    urls = ["/", "/.json", "/-/metadata.json", "/-/versions.json", "/-/plugins.json"]
    for name, db in datasette.databases.items():
        if name == "_internal":
            continue
        database_url = datasette.urls.database(name)
        urls += [database_url, datasette.urls.database(name, format="json")]
        hidden = set(await db.hidden_table_names())
        tables = [t for t in await db.table_names() if t not in hidden]
        for table in tables + await db.view_names():
            urls += [datasette.urls.table(name, table), datasette.urls.table(name, table, "json")]
        for table in tables:
            pks = await db.primary_keys(table)
            use_rowid = not pks
            columns = ["rowid"] if use_rowid else pks
            select = ", ".join(f"[{c}]" for c in columns)
            for row in (await db.execute(f"select {select} from [{table}]",
                                         custom_time_limit=60_000)).rows:
                row_path = path_from_row_pks(row, pks, use_rowid)
                urls += [datasette.urls.row(name, table, row_path),
                         datasette.urls.row(name, table, row_path, "json")]
        for query, spec in (await datasette.get_canned_queries(name, None)).items():
            urls += [datasette.urls.query(name, query), datasette.urls.query(name, query, "json")]
            # metadata.yml may give a parameterized query an `example`: export that page too.
            example = spec.get("example") if isinstance(spec, dict) else None
            if isinstance(example, dict) and example:
                qs = urlencode({key: str(value) for key, value in example.items()})
                urls += [f"{datasette.urls.query(name, query)}?{qs}",
                         f"{datasette.urls.query(name, query, 'json')}?{qs}"]
    return [normalize(url) for url in urls]


def chart_urls(metadata: dict) -> list[str]:
    """Pages linked from descriptions (chart links carry their state in the fragment)."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("description_html", "description") and isinstance(item, str):
                    found.extend(page_links(item))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(metadata)
    return found


def is_asset(url: str) -> bool:
    path = urlsplit(url).path
    return path.startswith("/-/static") or path == "/favicon.ico"


Response = tuple  # (url, status, content type, body)


class Renderer:
    """Renders URLs through `datasette.client`, in this process or in worker processes (each
    with its own Datasette over the same immutable file): rendering is CPU-bound Python."""

    def __init__(self, options: dict, workers: int = 1):
        self.options = options
        self.pool = None
        if workers > 1:
            import concurrent.futures
            import multiprocessing
            self.pool = concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(options,))
            self.workers = workers
        else:
            _start_worker(options)

    def render(self, urls: list[str]) -> list[Response]:
        if self.pool is None:
            return _render(urls)
        size = max(1, min(64, len(urls) // (self.workers * 4) or 1))
        chunks = [urls[i:i + size] for i in range(0, len(urls), size)]
        return [response for chunk in self.pool.map(_render, chunks) for response in chunk]

    def close(self):
        if self.pool is not None:
            self.pool.shutdown()
        else:
            _stop_worker()


_WORKER: dict = {}


def make_datasette(db_path: str, metadata: dict, plugins_dir: str | None, inspect_data: dict):
    from datasette.app import Datasette
    # num_sql_threads=0 runs SQL inline: no thread hand-offs, the fastest for one reader.
    return Datasette(immutables=[db_path], metadata=metadata, plugins_dir=plugins_dir,
                     inspect_data=inspect_data,
                     settings={"num_sql_threads": 0, "allow_download": True})


def _start_worker(options: dict) -> None:
    loop = asyncio.new_event_loop()
    datasette = make_datasette(**options)
    loop.run_until_complete(datasette.invoke_startup())
    _WORKER.update(loop=loop, datasette=datasette)


def _stop_worker() -> None:
    if _WORKER:
        _WORKER.pop("loop").close()
        _WORKER.clear()


def _render(urls: list[str]) -> list[Response]:
    datasette = _WORKER["datasette"]

    async def render_all():
        responses = []
        for url in urls:
            response = await datasette.client.get(url)
            responses.append((url, response.status_code,
                              response.headers.get("content-type", "application/octet-stream"),
                              response.content))
        return responses
    return _WORKER["loop"].run_until_complete(render_all())


def crawl(renderer: Renderer, seeds: list[str], max_pages: int, max_depth: int,
          progress: Callable[[str], None]) -> tuple[dict[str, Fetched], list]:
    """Breadth-first in waves: every seed, then the links they show, up to `max_depth` clicks
    away and `max_pages` extra pages. Each wave is handled in queue order, so the export is the
    same however many workers render it."""
    fetched: dict[str, Fetched] = {}
    errors = []
    seeds = list(dict.fromkeys(seeds))
    wave = [(url, 0) for url in seeds]
    required = set(seeds)
    queued = set(seeds)
    extra_pages = pages = 0
    while wave:
        next_wave, depths = [], dict(wave)
        for url, status, content_type, body in renderer.render([url for url, _ in wave]):
            depth = depths[url]
            if status != 200:
                errors.append((url, status))
                continue
            fetched[url] = Fetched(url, file_for(url, content_type), content_type, depth, body)
            if not is_asset(url):
                pages += 1
                if pages % 500 == 0:
                    progress(f"rendered {pages:,} pages")
            media = content_type.split(";")[0]
            links = []
            if media == "text/html":
                text = body.decode("utf-8")
                links = page_links(text)
                if "datasette-cluster-map" in text:
                    links.append(map_data_url(url))
            elif media == "text/css":
                links = css_links(body.decode("utf-8"), url)
            for link in links:
                if link in queued or link.endswith(".db"):
                    continue
                # Another format or page of the same rows is as required as the page itself.
                if url in required and same_page(url, link):
                    required.add(link)
                link_depth = depth if same_page(url, link) else depth + 1
                if not is_asset(link) and link not in required:
                    if link_depth > max_depth or extra_pages >= max_pages:
                        continue
                    extra_pages += 1
                queued.add(link)
                next_wave.append((link, link_depth))
        wave = next_wave
    return fetched, errors


def map_data_url(page_url: str) -> str:
    """The rows datasette-cluster-map fetches for a page (all of them, as objects)."""
    parts = urlsplit(page_url)
    json_url = parts.path + ".json" + (f"?{parts.query}" if parts.query else "")
    return with_query(json_url, _size="max", _labels="on", _shape="objects")


# --- the export ----------------------------------------------------------------------------------

NOTICE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Not in the static export</title>
<link rel="stylesheet" href="{css}"></head>
<body><div class="container"><section class="content">
<h1>Not in the static export</h1>
<p>This page is a static snapshot of the dataset. Searching, filtering by arbitrary values,
SQL queries and pages beyond the exported crawl need a live Datasette: download
<a href="{db}">the database</a> and run <code>datasette {db_name} --metadata metadata.yml</code>,
or use the JSON files beside each page.</p>
<p><a href="{index}">Back to the index</a></p>
</section></div></body></html>
"""


def load_metadata(path: Path | None) -> dict:
    if path is None:
        return {}
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def export(db_path: Path, dist: Path, metadata_path: Path | None = None,
           plugins_dir: Path | None = None, max_pages: int = 2000, max_depth: int = 1,
           workers: int | None = None,
           progress: Callable[[str], None] = lambda message: None) -> PublishResult:
    from datasette.cli import inspect_

    started = time.perf_counter()
    db_path, dist = Path(db_path).resolve(), Path(dist)
    if not db_path.is_file():
        raise FileNotFoundError(f"{db_path}: no such database (run `make build` first)")
    metadata = load_metadata(metadata_path)
    inspect_data = asyncio.run(inspect_([str(db_path)], None))
    options = {"db_path": str(db_path), "metadata": metadata, "inspect_data": inspect_data,
               "plugins_dir": str(Path(plugins_dir).resolve()) if plugins_dir else None}
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    # The list of required pages comes from a Datasette in this process.
    local = Renderer(options)
    try:
        seeds = _WORKER["loop"].run_until_complete(required_urls(_WORKER["datasette"]))
    finally:
        local.close()
    seeds += [url for url in chart_urls(metadata)
              if urlsplit(url).path.strip("/").split("/")[0] in inspect_data]
    progress(f"rendering {len(seeds):,} required pages with {workers} worker(s), "
             "then following their links")
    renderer = Renderer(options, workers) if workers > 1 else Renderer(options)
    try:
        fetched, errors = crawl(renderer, seeds, max_pages, max_depth, progress)
    finally:
        renderer.close()
    files = {url: item.file for url, item in fetched.items()}
    files[f"/{db_path.stem}.db"] = f"{db_path.stem}.db"  # the download link: a copy of the db
    # Map pages fetch `<page>.json?...` from location.pathname: serve it beside the page file.
    for url, item in list(fetched.items()):
        if item.content_type.startswith("text/html") and map_data_url(url) in fetched:
            fetched[map_data_url(url)].file = item.file + ".json"
            files[map_data_url(url)] = item.file + ".json"

    staging = dist.with_name(f".{dist.name}.tmp")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    result = PublishResult(dist=dist, errors=errors)
    linked_elsewhere = set()
    for item in fetched.values():
        target = staging / item.file
        target.parent.mkdir(parents=True, exist_ok=True)
        media = item.content_type.split(";")[0]
        if media == "text/html":
            text = item.body.decode("utf-8")
            for link in page_links(text):
                if link not in files:
                    linked_elsewhere.add(link)
            target.write_text(with_charset(rewrite_html(text, item.file, files)),
                              encoding="utf-8")
            result.pages += 1
        elif media == "text/css":
            target.write_text(rewrite_css(item.body.decode("utf-8"), item.file, files),
                              encoding="utf-8")
            result.assets += 1
        else:
            if media == "application/json" and item.file.endswith(".html.json"):
                # The map's companion file: one page of rows, no link to a live next page.
                data = json.loads(item.body)
                data["next_url"] = data["next"] = None
                target.write_text(json.dumps(data), encoding="utf-8")
            else:
                target.write_bytes(item.body)
            if item.file.endswith(".json"):
                result.json_files += 1
            else:
                result.assets += 1
    result.not_exported = len(linked_elsewhere)

    name = db_path.stem
    shutil.copy2(db_path, staging / f"{name}.db")
    for data in inspect_data.values():
        data["file"] = f"{name}.db"
    (staging / "inspect-data.json").write_text(json.dumps(inspect_data, indent=2),
                                               encoding="utf-8")
    if metadata_path:
        shutil.copy2(metadata_path, staging / "metadata.yml")
    notice = staging / NOT_IN_EXPORT
    notice.parent.mkdir(parents=True, exist_ok=True)
    notice.write_text(NOTICE.format(
        css=relative_href(NOT_IN_EXPORT, next(
            (file for url, file in files.items() if urlsplit(url).path == "/-/static/app.css"),
            "-/static/app.css")),
        db=relative_href(NOT_IN_EXPORT, f"{name}.db"), db_name=f"{name}.db",
        index=relative_href(NOT_IN_EXPORT, "index.html")), encoding="utf-8")
    (staging / ".nojekyll").write_text("")  # GitHub Pages: serve every file as is

    if dist.exists():
        shutil.rmtree(dist)
    staging.rename(dist)
    result.seconds = time.perf_counter() - started
    return result


def publish(db_path: Path, dist: Path, **options) -> PublishResult:
    """Export; safe to call from code that runs an event loop (it then uses its own thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return export(db_path, dist, **options)
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(export, db_path, dist, **options).result()
