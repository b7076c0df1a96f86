"""Entity pages: the row page of a person (or organization) also shows every row that points to
it - roles, delegations, quotes, mentions - and the articles it appears in, each with evidence.

Generic: it follows the foreign keys declared in the database (any table with a column
referencing people.id), plus views with a `person_id` column, so tables added by later stages
show up without changing this file. A missing table simply means a missing section.
Thin: the HTML comes from talks_dataset.web (pure, tested without Datasette).
"""
from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode

from talks_dataset import web

ENTITY_TABLES = ("people", "organizations")
# Views have no declared foreign keys: a column with one of these names is taken as the link.
VIEW_LINK_COLUMNS = {"people": ("person_id",), "organizations": ("organization_id",)}
ROWS_PER_SECTION = 25
HIDDEN_COLUMNS = {"id", "start", "end", "sentence", "article_id", "person_id",
                  "organization_id", "rowid"}


@hookimpl
def extra_body_script(view_name, table, database, request, datasette):
    if view_name != "row" or table not in ENTITY_TABLES or request is None:
        return None
    pks = request.url_vars.get("pks")
    if not pks:
        return None

    async def script():
        entity_id = tilde_decode(pks)
        html = await entity_panel(datasette, database, table, entity_id)
        return web.script_appending(html) if html is not None else ""

    return script()


async def labels_for(db, table, ids):
    """{id: label} for rows of `table`, using its label column."""
    ids = [value for value in set(ids) if value is not None]
    label_column = await db.label_column_for_table(table)
    if not ids or not label_column:
        return {}
    pk = (await db.primary_keys(table) or ["rowid"])[0]
    placeholders = ", ".join("?" for _ in ids)
    rows = await db.execute(
        f"select [{pk}], [{label_column}] from [{table}] where [{pk}] in ({placeholders})", ids)
    return {row[0]: row[1] for row in rows}


async def linking_sources(db, entity_table):
    """(table or view, column) pairs that point at rows of `entity_table`."""
    hidden = set(await db.hidden_table_names())
    sources = []
    for name in await db.table_names():
        if name in hidden or name == entity_table:
            continue
        for fk in await db.foreign_keys_for_table(name):
            if fk["other_table"] == entity_table:
                sources.append((name, fk["column"]))
    for name in await db.view_names():
        columns = await db.table_columns(name)
        for column in VIEW_LINK_COLUMNS.get(entity_table, ()):
            if column in columns:
                sources.append((name, column))
    return sources


async def section_for(datasette, db, database, source, column, entity_id):
    total = (await db.execute(
        f"select count(*) from [{source}] where [{column}] = ?", [entity_id])).first()[0]
    if not total:
        return None, set()
    result = await db.execute(
        f"select * from [{source}] where [{column}] = ? limit {ROWS_PER_SECTION}", [entity_id])
    rows = [dict(row) for row in result.rows]
    columns = [c for c in result.columns if c != column and c not in HIDDEN_COLUMNS]
    spans = web.span_columns(result.columns)
    foreign = {fk["column"]: fk["other_table"]
               for fk in (await db.foreign_keys_for_table(source)
                          if source in await db.table_names() else [])}
    labels = {c: await labels_for(db, foreign[c], [r[c] for r in rows])
              for c in columns if c in foreign}
    articles = {}
    if spans and "articles" in await db.table_names():
        ids = list({r[spans.article] for r in rows if r[spans.article]})
        if ids:
            found = await db.execute(
                f"select id, text, label from articles where id in ({', '.join('?' * len(ids))})",
                ids)
            articles = {r["id"]: (r["text"], r["label"]) for r in found}
    table_rows = []
    for row in rows:
        cells = []
        evidence_in = None
        if spans and row[spans.article] in articles:
            text = articles[row[spans.article]][0]
            start, end = row[spans.start], row[spans.end]
            if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text):
                evidence_in = web.evidence_column(row, spans, text[start:end])
        for c in columns:
            value = row[c]
            if c == evidence_in:
                text, label = articles[row[spans.article]]
                href = datasette.urls.row(database, "articles", tilde_encode(row[spans.article]))
                cells.append(web.Cell(html=web.evidence_html(
                    text, row[spans.start], row[spans.end], href, label)))
            elif c in foreign and value is not None:
                href = datasette.urls.row(database, foreign[c], tilde_encode(str(value)))
                cells.append(web.Cell(labels[c].get(value, value), href))
            else:
                cells.append(web.Cell(value))
        table_rows.append(cells)
    more = datasette.urls.table(database, source) + f"?{column}={tilde_encode(entity_id)}"
    article_ids = {row[spans.article] for row in rows} if spans else set()
    title = source.replace("_", " ")
    return web.Section(title, columns, table_rows, total, more), article_ids


async def entity_panel(datasette, database, table, entity_id):
    db = datasette.get_database(database)
    if table not in await db.table_names():
        return None
    label = (await labels_for(db, table, [entity_id])).get(entity_id, entity_id)
    sections, article_ids = [], set()
    for source, column in await linking_sources(db, table):
        section, ids = await section_for(datasette, db, database, source, column, entity_id)
        if section:
            sections.append(section)
            article_ids |= ids
    if article_ids and "articles" in await db.table_names():
        ids = sorted(article_ids)
        found = await db.execute(
            "select id, label, published, outlet from articles where id in "
            f"({', '.join('?' * len(ids))}) order by published, label", ids)
        rows = [[web.Cell(r["label"], datasette.urls.row(database, "articles", tilde_encode(r["id"]))),
                 web.Cell(r["published"]), web.Cell(r["outlet"])] for r in found]
        sections.insert(0, web.Section("articles", ["article", "published", "outlet"],
                                       rows, len(rows)))
    return web.entity_panel_html(label, sections)
