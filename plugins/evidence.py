"""Evidence rendering: in any table or view with article + start + end columns, the cell holding
the span's text shows its sentence with the span highlighted (<mark>) and a link to the article.

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
"""


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not isinstance(value, str) or not hasattr(row, "keys"):
        return None
    spans = web.span_columns(row.keys())
    if spans is None or table == "articles":
        return None
    article_id, start, end = (web.plain(row[name]) for name in (spans.article, spans.start, spans.end))
    if not isinstance(article_id, str) or not isinstance(start, int) or not isinstance(end, int):
        return None

    async def render():
        db = datasette.get_database(database)
        found = await db.execute(
            "select text, label from articles where id = ?", [article_id])
        article = found.first()
        if article is None:
            return None
        text, label = article["text"], article["label"]
        if text is None or not (0 <= start <= end <= len(text)):
            return None
        if web.evidence_column(row, spans, text[start:end]) != column:
            return None
        sentences = [(r["start"], r["end"]) for r in await db.execute(
            "select start, [end] from sentences where article = ? and start <= ? and [end] >= ?",
            [article_id, start, end])] if "sentences" in await db.table_names() else []
        if web.is_whole_sentence(start, end, sentences):
            return None  # the sentences table itself: nothing to highlight
        href = datasette.urls.row(database, "articles", tilde_encode(article_id))
        return web.evidence_html(text, start, end, href, label or article_id, sentences)

    return render()


@hookimpl
def extra_css_urls():
    # A data: URL keeps the plugin one file (no static folder) and works in the static export.
    return ["data:text/css," + quote(" ".join(EVIDENCE_CSS.split()))]
