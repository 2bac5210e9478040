"""An import into an empty catalog on Postgres: one transaction, the indexes built after.

Every movie inserted costs an entry in each of the catalog's indexes, the trigram GIN ones
the dearest, and each genre link a foreign key check that locks the movie it finds; building
an index over the loaded table, or checking a foreign key in one pass, costs a fraction of
that. So when `movies` is empty at the start, the import takes the tables (ACCESS EXCLUSIVE:
the API's catalog reads wait until the import ends), drops their indexes that enforce
nothing and their foreign keys, loads every batch, and makes those again from their own
definitions, all in one transaction. Postgres's DDL is transactional: an import killed at
any point is rolled back whole, its drops with it, so the catalog is left empty with every
index and constraint, and a re-run starts again. The primary keys and unique indexes stay
(the upsert on external_id needs its index, and they enforce rules during the load).

The tables are also truncated (they are empty: this drops only dead rows) so that the load
can COPY straight into them with FREEZE: rows written frozen and their pages all-visible,
with no staging table and no vacuum pass over the heap after. Like any COPY FREEZE, the
rows are visible at the commit even to transactions whose snapshot is older (they saw an
empty catalog until then).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from src import dialects
from src.catalog import derived
from src.extensions import db

log = logging.getLogger(__name__)

TABLES = ("movies", "movie_genres")
LOCK_TIMEOUT = "5s"
BUILD_MEMORY = "256MB"  # the server's, for each index build: fewer passes over the rows
_TABLE_IDS = ", ".join(f"'{table}'::regclass" for table in TABLES)
# What each inserted row pays for and a pass over the loaded table does at a fraction of the
# cost: the secondary indexes, and the foreign keys (checked row by row, each check locking
# the row it finds). As (the statement that drops it, the one that makes it again); %% is
# the driver's escape of %.
_REBUILT = (
    "SELECT format('DROP INDEX %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid) "  # noqa: S608
    f"FROM pg_index AS i WHERE i.indrelid IN ({_TABLE_IDS}) "
    "AND NOT i.indisunique AND NOT i.indisprimary "
    "UNION ALL SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', c.conrelid::regclass, "
    "c.conname), format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', c.conrelid::regclass, "
    "c.conname, pg_get_constraintdef(c.oid)) "
    f"FROM pg_constraint AS c WHERE c.conrelid IN ({_TABLE_IDS}) AND c.contype = 'f'"
)


# Tables outside TABLES whose foreign keys point into them: TRUNCATE would need them too.
_REFERRING = (
    "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' "  # noqa: S608
    f"AND confrelid IN ({_TABLE_IDS}) AND conrelid NOT IN ({_TABLE_IDS}))"
)


@dataclass(frozen=True)
class EmptyLoad:
    """A started one-transaction load: what makes the dropped indexes and foreign keys again,
    and whether the tables were truncated in it (so COPY may FREEZE)."""

    rebuild: list[str]
    frozen: bool


def begin() -> EmptyLoad | None:
    """Start the one-transaction load if `movies` is empty (and free within LOCK_TIMEOUT):
    lock the tables, truncate them, drop their secondary indexes and foreign keys, and give
    the statements that make them again. None: the import goes batch by batch (also where
    the server keeps no Postgres catalog to rebuild from)."""
    if not dialects.keeps_pg_catalog():
        return None
    connection = db.session.connection()
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        connection.exec_driver_sql(f"LOCK TABLE {', '.join(TABLES)} IN ACCESS EXCLUSIVE MODE")
    except OperationalError:  # busy: the batch way waits for each batch's rows instead
        db.session.rollback()
        return None
    if connection.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM movies)").scalar_one():
        db.session.rollback()
        return None
    connection.exec_driver_sql("SET LOCAL lock_timeout = 0")
    frozen = not connection.exec_driver_sql(_REFERRING).scalar_one()
    if frozen:
        connection.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)}")
    rebuilt = connection.exec_driver_sql(_REBUILT).all()
    for drop, _ in rebuilt:
        connection.exec_driver_sql(drop)
    derived.suspend(connection)  # the words and genre counts: see finish()
    return EmptyLoad(rebuild=[make for _, make in rebuilt], frozen=frozen)


def finish(statements: list[str], *, every_word: bool) -> None:
    """Make the dropped indexes and foreign keys again and the derived tables (src/catalog/
    derived.py: `every_word` when a batch's words were not added as it was loaded), then
    refresh the planner's statistics."""
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for statement in statements:
        connection.exec_driver_sql(statement)
    derived.rebuild(connection, every_word=every_word)
    connection.exec_driver_sql(f"ANALYZE {', '.join((*TABLES, *derived.TABLES))}")


def settle() -> None:
    """After the load's commit: VACUUM its tables and the derived ones. Rows loaded in one
    transaction without FREEZE (a batch that upserted; the derived tables, made again by
    INSERT) leave their pages without the all-visible bit, so until a vacuum comes an
    index-only scan (a count, a deep offset) visits the heap for each entry: at 1,000,000
    movies page 5,000 took p50 651 ms before the vacuum, 56 ms after. Pages COPY FREEZE wrote
    are all-visible already and skipped. No ANALYZE: finish() ran one. The load is committed
    whatever happens here: a failure is logged, and autovacuum will come to it; a table
    another session holds a conflicting lock on is skipped, not waited for."""
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("SET statement_timeout = 0")
            try:
                vacuumed = ", ".join((*TABLES, *derived.TABLES))
                connection.exec_driver_sql(f"VACUUM (SKIP_LOCKED) {vacuumed}")
            finally:
                connection.exec_driver_sql("RESET statement_timeout")
    except SQLAlchemyError as error:
        log.warning("vacuum after the import failed", extra={"error": type(error).__name__})
