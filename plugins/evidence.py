"""Evidence rendering: in any table or view with article (or file) + start + end columns, the cell
holding the span's text shows its sentence with the span highlighted (<mark>) and a link to the
article that scrolls to the span. Also the CSS that keeps long article texts and the column
descriptions readable.

Thin: the HTML comes from talks_dataset.web (pure, tested without Datasette).
"""
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils import tilde_encode

from talks_dataset import web

EVIDENCE_CSS = """
.evidence q { quotes: none; }
.evidence mark { background: #fff1a8; padding: 0 1px; }
.evidence-article { font-size: 0.85em; white-space: nowrap; }
.evidence-article::before { content: "→ "; }
.id-link { font-family: monospace; font-size: 0.9em; }
dl.column-descriptions { display: grid; grid-template-columns: max-content 1fr;
  gap: 0.1em 1em; font-size: 0.85em; }
dl.column-descriptions dt, dl.column-descriptions dd { margin: 0; }
body.row.table-articles td.col-text { white-space: pre-wrap; }
body.row.table-articles td.col-text { min-width: 26em; }
body.table.table-articles td.col-text { min-width: 28em; }
"""


# An immutable database never changes: the article a row points to (every string cell of the
# row asks for it), its sentences' bounds and whether `sentences` exists are looked up once,
# not once per cell. A page of 1,000 evidence rows asked for a sentence per row: a query
# each, through Datasette's thread pool, took most of the page's time.
_ARTICLES = web.Recent(1024)   # about 3 KB of text each
_SENTENCES: dict[tuple, bool] = {}


async def _article(db, by_file: bool, article_id: str):
    """The article's id, text and label, and its sentences' (start, end) in text order."""
    async def look_up():
        found = (await db.execute("select id, text, label from articles where "
                                  + ("file = ?" if by_file else "id = ?"), [article_id])).first()
        article = dict(found) if found is not None else None
        if article is not None:
            article["sentences"] = [(r["start"], r["end"]) for r in await db.execute(
                "select start, [end] from sentences where article = ? order by start",
                [article["id"]])] if await _has_sentences(db) else []
        return article

    return await _ARTICLES.answer((db.name, db.path, by_file, article_id), look_up,
                                  keep=not db.is_mutable)


async def _has_sentences(db) -> bool:
    key = (db.name, db.path)
    if db.is_mutable or key not in _SENTENCES:
        _SENTENCES[key] = "sentences" in await db.table_names()
    return _SENTENCES[key]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    # articles first: its table page renders every cell of 100 long rows, nothing to mark
    if table == "articles" or not isinstance(value, str) or not hasattr(row, "keys"):
        return None
    spans = web.span_columns(row.keys())
    if spans is None:
        return None
    if column in (spans.article, spans.start, spans.end) or column in web.ID_COLUMN_TABLES:
        return None  # never the evidence cell (id columns are the entity-link plugin's)
    article_id, start, end = (web.plain(row[name]) for name in (spans.article, spans.start, spans.end))
    if not isinstance(article_id, str) or not isinstance(start, int) or not isinstance(end, int):
        return None

    async def render():
        db = datasette.get_database(database)
        article = await _article(db, spans.by_file, article_id)
        if article is None:
            return None
        text, label, found_id = article["text"], article["label"], article["id"]
        if text is None or not (0 <= start <= end <= len(text)):
            return None
        if web.evidence_column(row, spans, text[start:end]) != column:
            return None
        sentences = article["sentences"]   # the helpers pick the one around the span
        if web.is_whole_sentence(start, end, sentences):
            return None  # the sentences table itself: nothing to highlight
        href = datasette.urls.row(database, "articles", tilde_encode(found_id))
        return web.evidence_html(text, start, end, href, label or found_id, sentences)

    return render()


@hookimpl
def extra_css_urls():
    # A data: URL keeps the plugin one file (no static folder) and works in the static export.
    return ["data:text/css," + quote(" ".join(EVIDENCE_CSS.split()))]
