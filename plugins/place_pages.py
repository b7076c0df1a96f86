"""Place pages: the row page of a place lists its mentions, each with its sentence and article,
the mention highlighted, and the places that lie within it (a town's bases and airports).

Thin: one query per section over the `place_mentions` view and the `places` table; the HTML
comes from `mentions_html`/`within_html`, pure functions tested without Datasette.
"""
from __future__ import annotations

import html
import json

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode

MAX_MENTIONS = 200


def highlight(sentence: str | None, mention: str) -> str:
    """The sentence, HTML-escaped, with the first occurrence of the mention in <mark>."""
    if not sentence:
        return html.escape(mention)
    at = sentence.find(mention)
    if at < 0:
        return html.escape(sentence)
    return (html.escape(sentence[:at]) + "<mark>" + html.escape(mention) + "</mark>"
            + html.escape(sentence[at + len(mention):]))


def mentions_html(rows: list[dict], base: str, total: int) -> str:
    """A section listing mentions: file (linked to the article), sentence, span."""
    items = []
    for row in rows:
        article = f"{base}/articles/{tilde_encode(str(row['article_id']))}"
        items.append(
            f'<li><a href="{html.escape(article)}">{html.escape(row["file"])}</a> '
            f'<span class="place-span">[{int(row["start"])}:{int(row["end"])}]</span> '
            f'{highlight(row.get("sentence"), row["mention"])}</li>')
    more = (f"<p>Showing {len(rows)} of {total}: see "
            f'<a href="{html.escape(base)}/place_mentions?place_id={html.escape(rows[0]["place_id"])}">'
            "all mentions</a>.</p>") if rows and total > len(rows) else ""
    return (f'<section class="place-mentions"><h2>Mentions ({total})</h2>'
            f"<ul>{''.join(items)}</ul>{more}</section>") if rows else ""


def within_html(rows: list[dict], base: str) -> str:
    """A section listing the places that lie within this one."""
    if not rows:
        return ""
    items = "".join(
        f'<li><a href="{html.escape(base)}/places/{tilde_encode(str(row["id"]))}">'
        f'{html.escape(row["name"])}</a> ({html.escape(row["kind"] or "")})</li>' for row in rows)
    return f'<section class="place-within"><h2>Places within</h2><ul>{items}</ul></section>'


def script_appending(fragment: str) -> str:
    """JavaScript that appends an HTML fragment to the page's content."""
    return ("document.addEventListener('DOMContentLoaded', function () {"
            " var target = document.querySelector('section.content') || document.body;"
            f" target.insertAdjacentHTML('beforeend', {json.dumps(fragment)}); }});")


@hookimpl
def extra_body_script(view_name, table, database, request, datasette):
    if view_name != "row" or table != "places" or request is None:
        return None
    pks = request.url_vars.get("pks")
    if not pks:
        return None

    async def script():
        db = datasette.get_database(database)
        if "place_mentions" not in await db.view_names():
            return ""
        place_id = tilde_decode(pks)
        base = datasette.urls.database(database)
        total = (await db.execute("select count(*) from place_mentions where place_id = ?",
                                  [place_id])).first()[0]
        mentions = await db.execute(
            "select place_id, article_id, file, mention, start, [end], sentence "
            f"from place_mentions where place_id = ? limit {MAX_MENTIONS}", [place_id])
        inside = await db.execute(
            "select id, name, kind from places where within = ? order by kind, name", [place_id])
        fragment = (mentions_html([dict(r) for r in mentions.rows], base, total)
                    + within_html([dict(r) for r in inside.rows], base))
        return script_appending(fragment) if fragment else ""

    return script()
