"""Load and finalize: the only stage that touches the database.

Creates every declared table with sqlite-utils (so an empty result is still a table), inserts
rows in one transaction, then finalizes: an index on every foreign key and every declared index,
FTS, views, ANALYZE.
"""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from .schema import Table, View


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


def finalize(db: sqlite_utils.Database, specs: list[Table], views: list[View]) -> None:
    for spec in specs:
        table = db[spec.name]
        wanted = [tuple([column]) for column, _, _ in spec.foreign_keys] + list(spec.indexes)
        for columns in dict.fromkeys(wanted):
            table.create_index(list(columns), if_not_exists=True)
        if spec.fts:
            table.enable_fts(list(spec.fts), create_triggers=False, replace=True)
    for view in views:
        db.create_view(view.name, view.sql.strip(), replace=True)
    db.analyze()


def write_database(path: Path, specs: list[Table], views: list[View],
                   tables: dict[str, list[dict]]) -> dict[str, int]:
    """Write a fresh database at `path`; returns rows per table."""
    path = Path(path)
    if path.exists():
        path.unlink()
    db = sqlite_utils.Database(path)
    try:
        db.execute("pragma journal_mode = off")  # a temporary file: a crash discards it anyway
        db.execute("pragma synchronous = off")
        create_tables(db, specs)
        with db.conn:
            for spec in specs:
                rows = tables.get(spec.name) or []
                if rows:
                    insert_rows(db, spec, rows)
        finalize(db, specs, views)
        counts = {spec.name: db[spec.name].count for spec in specs}
        db.execute("pragma journal_mode = delete")
    finally:
        db.close()
    return counts
