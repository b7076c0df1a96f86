"""Entity pages: the row page of a person shows, together, the articles naming them, the titles
each outlet gives them, the delegations they sat in, their quotes and the claims attributed to
them, each with its evidence; an organization's page lists every row pointing to it.

A person's sections are curated queries (PERSON_SECTIONS); other entities follow the foreign
keys declared in the database plus views with an `<entity>_id` column, so tables added by later
stages show up without changing this file. A missing table simply means a missing section.

Also: in views and canned queries, id columns (person_id, event_id, claim_group, article...)
link to their row, with content hashes shortened.
Thin: the HTML comes from talks_dataset.web (pure, tested without Datasette).
"""
import dataclasses

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode

from talks_dataset import web

ENTITY_TABLES = ("people", "organizations")
# Views have no declared foreign keys: a column with one of these names is taken as the link.
VIEW_LINK_COLUMNS = {"people": ("person_id",), "organizations": ("organization_id",)}
ROWS_PER_SECTION = 25
HIDDEN_COLUMNS = {"id", "start", "end", "sentence", "article_id", "person_id",
                  "organization_id", "rowid"}
# The outlet, else the byline; a near-duplicate scrape repeats its original's facts, so the
# roles, quotes and claims sections leave those articles out (the articles section lists them).
OUTLET = "coalesce(outlets.name, articles.byline)"
ORIGINALS = "articles.duplicate_of is null"


@dataclasses.dataclass(frozen=True)
class PanelSection:
    """One section of a person's page: a query with :id, the columns shown, which column shows
    its evidence (the query then selects article, start, end), which columns link where
    ({column: (table, id column)}), and the table or view listing all rows."""
    title: str
    tables: tuple[str, ...]
    sql: str
    columns: tuple[str, ...]
    evidence: str | None = None
    links: dict = dataclasses.field(default_factory=dict)
    more: tuple[str, str] | None = None


PERSON_SECTIONS = (
    PanelSection(
        "articles", ("mentions", "articles", "outlets"),
        f"""select articles.id, articles.label as article, articles.published, {OUTLET} as outlet,
          count(*) as mentions
        from mentions join articles on articles.id = mentions.article
        left join outlets on outlets.id = articles.outlet
        where mentions.person = :id
        group by articles.id order by articles.published, articles.file""",
        ("article", "published", "outlet", "mentions"),
        links={"article": ("articles", "id")}, more=("person_mentions", "person_id")),
    PanelSection(
        "roles", ("occupancies", "articles", "outlets"),
        f"""select occupancies.title, {OUTLET} as outlet,
          case when occupancies.past then 'former' else '' end as past,
          occupancies.text as evidence, occupancies.article, occupancies.start, occupancies.[end]
        from occupancies join articles on articles.id = occupancies.article
        left join outlets on outlets.id = articles.outlet
        where occupancies.person = :id and {ORIGINALS}
        order by lower(occupancies.title), outlet, articles.file, occupancies.start""",
        ("title", "outlet", "past", "evidence"), evidence="evidence",
        more=("people_roles", "person_id")),
    PanelSection(
        "delegations", ("delegation_members", "events"),
        """select events.name as event, events.id as event_id, events.date, delegation_members.side,
          delegation_members.role_at_event as role, delegation_members.articles
        from delegation_members join events on events.id = delegation_members.event
        where delegation_members.person = :id
        order by events.date, events.id""",
        ("event", "date", "side", "role", "articles"),
        links={"event": ("events", "event_id")}, more=("delegation_rosters", "person_id")),
    PanelSection(
        "quotes", ("quotes", "articles", "outlets"),
        f"""select quotes.text as quote, quotes.cue, {OUTLET} as outlet,
          quotes.article, quotes.start, quotes.[end]
        from quotes join articles on articles.id = quotes.article
        left join outlets on outlets.id = articles.outlet
        where quotes.person = :id and quotes.repeat_of is null and {ORIGINALS}
        order by articles.published, articles.file, quotes.start""",
        ("quote", "cue", "outlet"), evidence="quote", more=("quotes", "person")),
    PanelSection(
        "claims attributed", ("claims", "articles", "outlets"),
        f"""select claims.text as claim, claims.topic, claims.cue, {OUTLET} as outlet,
          claims.article, claims.start, claims.[end]
        from claims join articles on articles.id = claims.article
        left join outlets on outlets.id = articles.outlet
        where claims.person = :id and claims.quote is null and {ORIGINALS}
        order by articles.published, articles.file, claims.start""",
        ("claim", "topic", "cue", "outlet"), evidence="claim", more=("claims", "person")),
    PanelSection(
        "names used", ("person_names",),
        """select name, mentions, articles from person_names where person = :id
        order by mentions desc, name""",
        ("name", "mentions", "articles")),
)


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
    marks = ", ".join("?" for _ in ids)
    rows = await db.execute(
        f"select [{pk}], [{label_column}] from [{table}] where [{pk}] in ({marks})", ids)
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
    if table == "people":
        sections = [section for spec in PERSON_SECTIONS
                    if (section := await curated_section(datasette, db, database, spec,
                                                         entity_id))]
        return web.entity_panel_html(label, sections)
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


async def curated_section(datasette, db, database, spec, entity_id):
    """One PanelSection's rows, its evidence and links rendered; None when its tables are
    missing or it has no rows."""
    if not set(spec.tables) <= set(await db.table_names()):
        return None
    total = (await db.execute(f"select count(*) from ({spec.sql})", {"id": entity_id})).first()[0]
    if not total:
        return None
    result = await db.execute(f"{spec.sql} limit {ROWS_PER_SECTION}", {"id": entity_id})
    texts = {}
    if spec.evidence:
        ids = sorted({row["article"] for row in result.rows})
        found = await db.execute(
            f"select id, text, label from articles where id in ({', '.join('?' * len(ids))})", ids)
        texts = {r["id"]: (r["text"], r["label"]) for r in found}
    rows = []
    for row in result.rows:
        cells = []
        for column in spec.columns:
            value = row[column]
            if column == spec.evidence and row["article"] in texts:
                text, article_label = texts[row["article"]]
                start, end = row["start"], row["end"]
                if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text or ""):
                    href = datasette.urls.row(database, "articles", tilde_encode(row["article"]))
                    cells.append(web.Cell(html=web.evidence_html(
                        text, start, end, href, article_label or row["article"])))
                    continue
            if column in spec.links and row[spec.links[column][1]] is not None:
                other, id_column = spec.links[column]
                cells.append(web.Cell(value, datasette.urls.row(
                    database, other, tilde_encode(str(row[id_column])))))
            else:
                cells.append(web.Cell(value))
        rows.append(cells)
    more = None
    if spec.more and spec.more[0] in set(await db.table_names()) | set(await db.view_names()):
        more = datasette.urls.table(database, spec.more[0]) + \
            f"?{spec.more[1]}={tilde_encode(entity_id)}"
    return web.Section(spec.title, list(spec.columns), rows, total, more)


_SCHEMA_CACHE: dict[tuple, dict] = {}
# Whether an id cell's row exists, and its label: of an immutable database, looked up once
# per id (a page of 1,000 rows repeats a few people and articles), not a query per cell.
_LINKED = web.Recent(16384)


async def _schema(db, other: str) -> dict:
    """Table and view names, and `other`'s primary key and label column. An immutable
    database's schema never changes: looked up once, not four queries per rendered cell."""
    key = (db.name, db.path, other)
    if not db.is_mutable and key in _SCHEMA_CACHE:
        return _SCHEMA_CACHE[key]
    tables = set(await db.table_names())
    found = {"views": set(await db.view_names()), "tables": tables, "pk": None, "label": None}
    if other in tables:
        found["pk"] = (await db.primary_keys(other) or ["rowid"])[0]
        found["label"] = await db.label_column_for_table(other) \
            if other in web.LABELLED_ID_TABLES else None
    if not db.is_mutable:
        _SCHEMA_CACHE[key] = found
    return found


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """In views and canned queries (table is None), an id column links to its row."""
    other = web.ID_COLUMN_TABLES.get(column)
    if other is None or not isinstance(value, str) or not value:
        return None

    async def render():
        db = datasette.get_database(database)
        schema = await _schema(db, other)
        if table is not None and table not in schema["views"]:
            return None  # a table: Datasette links its declared foreign keys itself
        if other not in schema["tables"]:
            return None
        async def look_up():
            """(the row's label or None,), or None when there is no such row."""
            pk, label_column = schema["pk"], schema["label"]
            linked = (await db.execute(
                f"select [{pk}]{f', [{label_column}]' if label_column else ''} from [{other}] "
                f"where [{pk}] = ?", [value])).first()
            return None if linked is None else (linked[1] if label_column else None,)

        found = await _LINKED.answer((db.name, db.path, other, value), look_up,
                                     keep=not db.is_mutable)
        if found is None:
            return None
        href = datasette.urls.row(database, other, tilde_encode(value))
        return web.id_link_html(value, href, found[0])

    return render()
