"""A throw-away Postgres database for `make test` (scripts/test.sh), on the server libpq's
environment names (PGHOST, PGPORT, PGUSER, PGPASSWORD; scripts/test.sh sets the defaults).

    python scripts/throwaway_database.py answers        # exit 0 when the server lets us in
    python scripts/throwaway_database.py create NAME
    python scripts/throwaway_database.py drop NAME      # NAME and the NAME_* the tests made
"""

from __future__ import annotations

import sys

import psycopg
from psycopg import sql

CONNECT_TIMEOUT_S = 3


def server() -> psycopg.Connection:
    """A connection to the server's maintenance database, outside any transaction."""
    return psycopg.connect(dbname="postgres", connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)


def answers() -> bool:
    try:
        server().close()
    except psycopg.Error:
        return False
    return True


def create(name: str) -> None:
    with server() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(name: str) -> None:
    """Drop name and the databases the tests derive from it (name_isolated, ...), should an
    interrupted run have left them."""
    pattern = name.replace("_", r"\_") + r"\_%"
    with server() as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
            (name, pattern),
        ).fetchall()
        for (found,) in rows:
            statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(statement.format(sql.Identifier(found)))


def main(argv: list[str]) -> int:
    match argv:
        case ["answers"]:
            return 0 if answers() else 1
        case ["create" | "drop" as command, name]:
            try:
                action = create if command == "create" else drop
                action(name)
            except psycopg.Error as error:
                print(f"{command} database {name}: {error}".strip(), file=sys.stderr)
                return 1
            return 0
        case _:
            print(__doc__, file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
