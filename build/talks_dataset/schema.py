"""Table specifications: the database's public schema, declared once.

Each extraction module declares its tables as `Table` specs; the loader creates them with
sqlite-utils (types, primary key, foreign keys) before inserting rows, so an empty result still
yields the table, and `finalize` indexes every foreign key.
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Table:
    name: str
    columns: dict[str, type]
    pk: str | tuple = "id"
    foreign_keys: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    fts: tuple[str, ...] = ()
    indexes: list[tuple[str, ...]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class View:
    """A public view. A `materialized` one is also stored by the build as a table of its rows
    (`rows_table`, in the view's order) which the view then reads, with an index on each of
    `indexes` (the columns its page facets by, and those pages filter it by): at 10,000
    articles, evaluating the joins of the largest views took a second or two per page, and
    Datasette, which counts a view's rows and asks each facet for counts over all of them,
    left their facets out (past `facet_time_limit_ms`). The view's name, columns and order
    stay what they were."""
    name: str
    sql: str
    materialized: bool = False
    indexes: list[tuple[str, ...]] = dataclasses.field(default_factory=list)

    @property
    def rows_table(self) -> str:
        return f"{self.name}_rows"


CORE_TABLES = [
    Table("outlets", {"id": str, "name": str, "host": str, "country": str, "kind": str}),
    Table("articles", {
        "id": str, "file": str, "outlet": str, "title": str, "byline": str, "published": str,
        "url": str, "dateline": str, "text": str, "word_count": int, "content_hash": str,
        "duplicate_of": str, "duplicate_similarity": float, "format": str, "encoding": str,
        "raw_bytes": int, "label": str},
        foreign_keys=[("outlet", "outlets", "id"), ("duplicate_of", "articles", "id")],
        fts=("title", "text"), indexes=[("file",), ("published",)]),
    Table("sentences", {"id": str, "article": str, "index": int, "start": int, "end": int,
                        "kind": str, "text": str},
          foreign_keys=[("article", "articles", "id")], indexes=[("article", "index")]),
    Table("furniture", {"id": str, "article": str, "line": int, "kind": str, "text": str},
          foreign_keys=[("article", "articles", "id")]),
    Table("article_credits", {"id": str, "article": str, "role": str, "name": str,
                              "organization": str, "place": str, "start": int, "end": int},
          foreign_keys=[("article", "articles", "id")]),
    Table("build_issues", {"id": str, "file": str, "stage": str, "reason": str, "detail": str}),
    Table("build_info", {"key": str, "value": str}, pk="key"),
]

CORE_VIEWS = [
    View("article_index", """
select
  articles.file as file,
  outlets.name as outlet,
  articles.title as title,
  articles.published as published,
  articles.url as url,
  original.file as duplicate_of_file,
  articles.id as article_id,
  articles.byline as byline,
  articles.dateline as dateline,
  articles.word_count as word_count
from articles
left join outlets on outlets.id = articles.outlet
left join articles as original on original.id = articles.duplicate_of
order by articles.file
"""),
]
