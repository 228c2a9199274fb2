"""The moves' own PostgreSQL database, beside the test database."""

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import pytest

from .tools import vendor_of


@pytest.fixture
def postgres_database():
    """A PostgreSQL database of its own, named after DATABASE_URL's, created for the test and dropped after it."""
    url = os.environ.get("DATABASE_URL", "")
    if vendor_of(url) != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI's second pass does)")
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "postgres"
    name = f"{base}_move_{os.getpid()}_{secrets.token_hex(3)}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
