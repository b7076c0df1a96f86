"""Load and finalize: the only stage that touches the database.

Creates every declared table with sqlite-utils (so an empty result is still a table), inserts
each stage's rows in one transaction and indexes them (an index on every foreign key and every
declared index, FTS) and analyzes them (ANALYZE), optionally in a forked process while the next
stage runs (`Writer`), then finalizes: views (a materialized one's rows stored as a table, see
schema.View).
"""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import sqlite_utils

from . import per_article
from .schema import Table, View

INSERT_CACHE_KIB = 64 * 1024   # page cache of a writer (SQLite's default is 2 MiB)


def create_tables(db: sqlite_utils.Database, specs: list[Table]) -> None:
    created = set()
    pending = list(specs)
    # Create referenced tables first so sqlite-utils can validate foreign keys.
    while pending:
        progress = False
        for spec in list(pending):
            needs = {other for _, other, _ in spec.foreign_keys if other != spec.name}
            if needs <= created:
                db[spec.name].create(spec.columns, pk=spec.pk, foreign_keys=spec.foreign_keys,
                                     not_null={spec.pk} if isinstance(spec.pk, str) else None)
                created.add(spec.name)
                pending.remove(spec)
                progress = True
        if not progress:
            missing = {spec.name: [o for _, o, _ in spec.foreign_keys] for spec in pending}
            raise ValueError(f"tables reference tables that are not declared: {missing}")


def insert_rows(db: sqlite_utils.Database, spec: Table, rows: list[dict]) -> None:
    """INSERT OR REPLACE the rows (plain values) of a declared table. One prepared statement
    over the declared columns: sqlite-utils' insert_all builds and type-checks each batch's
    SQL anew, which took most of the load time at scale. A key the table does not declare is
    an error, as it would be there."""
    columns = list(spec.columns)
    unknown = set().union(*map(dict.keys, rows)) - set(columns)
    if unknown:
        raise ValueError(f"rows for {spec.name} have undeclared columns: {sorted(unknown)}")
    sql = (f"insert or replace into [{spec.name}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"values ({', '.join('?' for _ in columns)})")
    db.conn.executemany(sql, (tuple(map(row.get, columns)) for row in rows))


def index_table(db: sqlite_utils.Database, spec: Table) -> None:
    """An index on every foreign key and every declared index of one table, and its FTS;
    then ANALYZE of the table and its FTS tables (each table is written once, so its
    statistics are final: analyzed here, by the writer, not all at once at the end)."""
    table = db[spec.name]
    wanted = [tuple([column]) for column, _, _ in spec.foreign_keys] + list(spec.indexes)
    for columns in dict.fromkeys(wanted):
        table.create_index(list(columns), if_not_exists=True)
    if spec.fts:
        table.enable_fts(list(spec.fts), create_triggers=False, replace=True)
    for name in [spec.name, *fts_tables(db, spec)]:
        db.analyze(name)


def fts_tables(db: sqlite_utils.Database, spec: Table) -> list[str]:
    """The tables behind a table's FTS index (its shadow tables), which ANALYZE covers too."""
    if not spec.fts:
        return []
    return [name for name in db.table_names() if name.startswith(f"{spec.name}_fts_")]


def create_views(db: sqlite_utils.Database, views: list[View]) -> None:
    """Create the views; a materialized one's rows are stored first (see schema.View)."""
    for view in views:
        if not view.materialized:
            db.create_view(view.name, view.sql.strip(), replace=True)
            continue
        table = view.rows_table
        db.execute(f"drop view if exists [{view.name}]")
        db.execute(f"drop table if exists [{table}]")
        with db.conn:
            # rows are inserted in the view's order: rowid order is the view's order
            db.execute(f"create table [{table}] as {view.sql.strip()}")
        columns = ", ".join(f"[{column}]" for column in db[table].columns_dict)
        db.create_view(view.name, f"select {columns} from [{table}] order by rowid")
        for indexed in view.indexes:
            db[table].create_index(list(indexed), if_not_exists=True)
        db.analyze(table)


def writing(path: Path) -> sqlite_utils.Database:
    """A connection to the database being built, set for bulk writes."""
    db = sqlite_utils.Database(path)
    db.execute("pragma journal_mode = off")  # a temporary file: a crash discards it anyway
    db.execute("pragma synchronous = off")
    # Ids are hashes: rows reach each table's primary-key index in random order, and with
    # SQLite's default 2 MiB page cache most inserts wait on pages evicted and read back.
    db.execute(f"pragma cache_size = -{INSERT_CACHE_KIB}")
    return db


def fill_tables(path: Path, specs: list[Table], tables: dict[str, list[dict]]) -> None:
    """Insert the rows of these (created) tables in one transaction, then index them."""
    db = writing(path)
    try:
        with db.conn:
            for spec in specs:
                rows = tables.get(spec.name) or []
                if rows:
                    insert_rows(db, spec, rows)
        for spec in specs:
            index_table(db, spec)
    finally:
        db.close()


def store_views(path: Path, views: list[View]) -> None:
    """Create these views in the database being built (materialized ones store their rows)."""
    db = writing(path)
    try:
        create_views(db, views)
    finally:
        db.close()


class Writer:
    """Writes a fresh database at `path` while the build goes on.

    `write(specs, tables)` inserts and indexes a finished stage's tables. With `background`,
    each call forks a process that does it (the rows reach it by fork, not pickled) while this
    process runs the next stage: the corpus-level steps of a stage use one core, the writer the
    other. Writers run one at a time, in the order they were started. `add_views(views)`
    creates views after the tables written before the call (a materialized view stores its
    rows then, see schema.View). `finish(views)` waits for the writers (a failed writer fails
    the build), then adds the views not added yet; it returns rows per table."""

    def __init__(self, path: Path, specs: list[Table], background: bool = False):
        self.path, self.specs, self.background = Path(path), list(specs), background
        self.children: list[tuple] = []
        self.views_added: set[str] = set()
        self._last_done = None   # the Event the latest background writer sets when done
        if self.path.exists():
            self.path.unlink()
        db = sqlite_utils.Database(self.path)
        try:
            create_tables(db, self.specs)
        finally:
            db.close()   # no connection may cross a fork

    def write(self, specs: list[Table], tables: dict[str, list[dict]]) -> None:
        self._run(lambda: fill_tables(self.path, specs, tables),
                  ", ".join(spec.name for spec in specs))

    def add_views(self, views: list[View]) -> None:
        self.views_added |= {view.name for view in views}
        if views:
            self._run(lambda: store_views(self.path, views),
                      "views " + ", ".join(view.name for view in views))

    def _run(self, work, names: str) -> None:
        """work() here, or in a forked writer that starts once the writer started before it
        is done: SQLite has one writer at a time (and its locks can deadlock), and a view's
        rows read the tables written before it. A failed writer is never done: wait() raises
        its error and stops the writers after it."""
        if not self.background:
            work()
            return
        previous, done = self._last_done, multiprocessing.get_context("fork").Event()

        def run() -> None:
            if previous is not None:
                previous.wait()
            work()
            done.set()

        self.children.append((per_article.Background(run, f"writer of {names}"), names))
        self._last_done = done

    def wait(self) -> None:
        """Wait for every writer; raise on the first that failed (and stop the others)."""
        try:
            for child, names in self.children:
                try:
                    child.result()
                except Exception as error:   # the writer's own error, or how it died
                    raise RuntimeError(f"loading {names} failed: {error!r}") from error
        finally:
            self.close()

    def close(self) -> None:
        """Stop writers still running (after a failure elsewhere in the build)."""
        for child, _ in self.children:
            child.close()
        self.children, self._last_done = [], None

    def finish(self, views: list[View]) -> dict[str, int]:
        self.wait()
        db = sqlite_utils.Database(self.path)
        try:
            create_views(db, [view for view in views if view.name not in self.views_added])
            counts = {spec.name: db[spec.name].count for spec in self.specs}
            db.execute("pragma journal_mode = delete")
        finally:
            db.close()
        return counts

