"""Load and finalize: the only stage that touches the database.

Creates every declared table with sqlite-utils (so an empty result is still a table), inserts
each stage's rows in one transaction and indexes them (an index on every foreign key and every
declared index, FTS) and analyzes them (ANALYZE), optionally in a writer process while the next
stage runs (`Writer`), then finalizes: views (a materialized one's rows stored as a table, see
schema.View).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import tempfile
import traceback
from pathlib import Path

import sqlite_utils

from .schema import Table, View

INSERT_CACHE_KIB = 64 * 1024   # page cache of a writer (SQLite's default is 2 MiB)
# The writer process runs at a lower priority: its work has slack (it loads a stage's tables
# while the next stage runs), while the build process waits for its per-article and grouping
# workers, which shared the two cores with it evenly before (add-one of 10,002 articles: the
# quotes and claims stage 25.4-28.5 s -> 22.4-24.8 s, the wait for the writer at the end
# unchanged).
WRITER_NICENESS = 10
SPOOL_ROWS = 20000   # rows per pickle in a writer's job file (bounds the writer's memory)


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
    fill_batches(path, specs, ((spec.name, tables.get(spec.name)) for spec in specs))


def fill_batches(path: Path, specs: list[Table], batches) -> None:
    """fill_tables for (table name, rows) batches, several of them per table if need be."""
    by_name = {spec.name: spec for spec in specs}
    db = writing(path)
    try:
        with db.conn:
            for name, rows in batches:
                if rows:
                    insert_rows(db, by_name[name], rows)
        for spec in specs:
            index_table(db, spec)
    finally:
        db.close()


def spool_tables(file, specs: list[Table], tables: dict[str, list[dict]]) -> None:
    """Write the rows of these tables to an open job file for the writer process: pickles of
    (table name, up to SPOOL_ROWS rows), so the writer never holds a whole table. The rows
    are pickled as they are (dicts of plain values): checking and ordering their values is
    the writer's work, not the build's (pickling them as tuples took twice as long)."""
    for spec in specs:
        rows = tables.get(spec.name) or []
        for start in range(0, len(rows), SPOOL_ROWS):
            pickle.dump((spec.name, rows[start:start + SPOOL_ROWS]), file,
                        protocol=pickle.HIGHEST_PROTOCOL)


def spooled_batches(spool: Path):
    """The (table name, rows) batches of a job file of spool_tables, one at a time."""
    with open(spool, "rb") as file:
        while True:
            try:
                yield pickle.load(file)
            except EOFError:
                return


def store_views(path: Path, views: list[View]) -> None:
    """Create these views in the database being built (materialized ones store their rows)."""
    db = writing(path)
    try:
        create_views(db, views)
    finally:
        db.close()


def serve_jobs(path: Path, jobs, results) -> None:
    """The writer process: run each job the build sends, in order, until told to stop (None)
    or the build is gone; then report (True, None, None), or (False, the failed job's tables,
    its error) for the first job that failed (the jobs after it are never run)."""
    names = None
    os.nice(WRITER_NICENESS)
    try:
        while True:
            try:
                job = jobs.recv()
            except EOFError:   # the build ended without stopping us: nothing to report to
                return
            if job is None:
                break
            kind, names, payload = job
            if kind == "tables":
                specs, spool = payload
                fill_batches(path, specs, spooled_batches(spool))
                spool.unlink()
            else:
                store_views(path, payload)
        answer = (True, None, None)
    except BaseException as error:   # raised again in the build, with where it happened here
        error.add_note(f"in the writer process:\n{traceback.format_exc()}")
        answer = (False, names, error)
    try:
        results.send(answer)
    except Exception as error:   # the error does not pickle
        results.send((False, names, RuntimeError(repr(answer[2]))))


class Writer:
    """Writes a fresh database at `path` while the build goes on.

    `write(specs, tables)` inserts and indexes a finished stage's tables. With `background`, a
    writer process does it while this process runs the next stage: the corpus-level steps of
    a stage use one core, the writer the other. The writer is spawned, not forked, and each
    call spools the rows it writes to a job file: a fork would share this process's heap
    copy-on-write, and at scale the copied pages cost more than pickling the rows (an add-one
    build of 10,002 articles: 23 CPU-seconds more, most of them page faults). Jobs run one at
    a time, in the order they were sent: SQLite has one writer at a time, and a view's rows
    read the tables written before it. `add_views(views)` creates views after the tables
    written before the call (a materialized view stores its rows then, see schema.View).
    `finish(views)` waits for the writer (a failed job fails the build), then adds the views
    not added yet; it returns rows per table."""

    def __init__(self, path: Path, specs: list[Table], background: bool = False):
        self.path, self.specs, self.background = Path(path), list(specs), background
        self.views_added: set[str] = set()
        self._process = self._jobs = self._results = self._spool = None
        self._sent = 0
        if self.path.exists():
            self.path.unlink()
        db = sqlite_utils.Database(self.path)
        try:
            create_tables(db, self.specs)
        finally:
            db.close()   # the writer process opens its own connection
        if background:
            context = multiprocessing.get_context("spawn")
            jobs, self._jobs = context.Pipe(duplex=False)
            self._results, results = context.Pipe(duplex=False)
            self._process = context.Process(target=serve_jobs, args=(self.path, jobs, results),
                                            name=f"writer of {self.path.name}", daemon=True)
            self._process.start()
            jobs.close()      # the writer's ends: it sees the end of jobs if this process dies
            results.close()
            self._spool = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.jobs-",
                                                dir=self.path.parent))

    def write(self, specs: list[Table], tables: dict[str, list[dict]]) -> None:
        if not self.background:
            fill_tables(self.path, specs, tables)
            return
        spool = self._spool / f"{self._sent:04d}.pickle"
        with open(spool, "wb") as file:
            spool_tables(file, specs, tables)
        self._send("tables", specs, (specs, spool))

    def add_views(self, views: list[View]) -> None:
        self.views_added |= {view.name for view in views}
        if not views:
            return
        if not self.background:
            store_views(self.path, views)
            return
        self._send("views", views, views)

    def _send(self, kind: str, named: list, payload) -> None:
        names = ("views " if kind == "views" else "") + ", ".join(item.name for item in named)
        try:
            self._jobs.send((kind, names, payload))
        except OSError:   # the writer is gone: a job failed (its error is waiting) or it died
            self.wait()
            raise
        self._sent += 1

    def wait(self) -> None:
        """Wait for every job; raise on the first that failed (and stop the writer)."""
        if self._process is None:
            return
        try:
            try:
                self._jobs.send(None)
            except OSError:
                pass   # gone already: its answer, if any, is waiting
            try:
                succeeded, names, error = self._results.recv()
            except EOFError:   # it died before it could report
                succeeded, names, error = False, "tables", None
            self._process.join()   # it reported or died: it is ending
            if not succeeded:
                error = error or RuntimeError(f"the writer process exited with "
                                              f"{self._process.exitcode}")
                raise RuntimeError(f"loading {names} failed: {error!r}") from error
        finally:
            self.close()

    def close(self) -> None:
        """Stop the writer if it still runs (after a failure elsewhere in the build) and
        remove its job files."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            for end in (self._jobs, self._results):
                end.close()
            self._process = None
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None

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
