"""Create the PostgreSQL database that DATABASE_URL names when it does not exist yet (make test, make migrate).

Nothing to do for SQLite (the file is created on first use) or when the database exists. Connects to the
server's maintenance database with the same user, host and port."""
import os
import sys

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> str | None:
    """The name of the database created, or None when there was nothing to create."""
    if not url.startswith(("postgresql", "postgres:")):
        return None
    parts = make_url(url)
    server = {"host": parts.host, "port": parts.port, "user": parts.username, "password": parts.password}
    for maintenance in ("postgres", "template1"):
        try:
            connection = psycopg.connect(dbname=maintenance, autocommit=True,
                                         **{k: v for k, v in server.items() if v is not None})
            break
        except psycopg.OperationalError:
            if maintenance == "template1":
                raise
    with connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parts.database,)).fetchone():
            return None
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts.database)))
    return parts.database


if __name__ == "__main__":
    try:
        created = ensure_database(os.environ.get("DATABASE_URL", ""))
    except psycopg.Error as exc:
        sys.exit(f"could not check or create the database of DATABASE_URL: {str(exc).strip()}")
    if created:
        print(f"created the PostgreSQL database {created}")
