"""Database connection and schema migration for a workspace.

``open_database(url)`` returns a ``Database`` (engine + session factory). ``migrate(url)`` brings
the schema to the newest Alembic revision; ``sealroom init`` and every vault start call it, so an
older workspace is upgraded in place. SQLite is the embedded default (WAL mode, foreign keys on,
read-write transactions ``BEGIN IMMEDIATE`` so concurrent writers are serialised; ``reading()``
for read-only snapshots).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_READ_ONLY = "sealroom_read_only"


@dataclass(frozen=True)
class Database:
    """An engine and its session factory; ``session()`` is a commit-or-rollback scope."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-write transaction (on SQLite it holds the write lock from its start)."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction: a consistent snapshot that never waits for writers (WAL).

        For hot read paths (authentication, request status polls, the catalog). Writing in it is
        a bug: the session is rolled back at the end, so nothing it changed is kept.
        """
        session = self.sessions()
        try:
            session.connection(execution_options={_READ_ONLY: True})
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def reading_statements(self) -> Iterator[Connection]:
        """Like ``reading()``, as a bare connection for Core statements (no ORM session to set up:
        for the reads every API request makes, such as authentication)."""
        with self.engine.connect().execution_options(**{_READ_ONLY: True}) as connection:
            try:
                yield connection
            finally:
                connection.rollback()

    def dispose(self) -> None:
        self.engine.dispose()


def flushed_connection(session: Session) -> Connection:
    """``session``'s connection for Core statements, after writing what the session holds (Core
    statements skip the ORM's autoflush, so a read must not miss a change made just before it).
    Costs nothing when nothing is pending."""
    session.flush()
    return session.connection()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def open_database(url: str) -> Database:
    """Connect (no schema changes; call ``migrate`` first)."""
    engine = create_engine(url, connect_args={"check_same_thread": False} if url.startswith("sqlite") else {})
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to the newest schema revision."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below), not pysqlite
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    """Take SQLite's write lock when a read-write transaction begins, not at its first write.

    Otherwise two threads can both read the audit log's last entry, then both append the next
    one (the second fails on the unique ``seq``). Writes are short, so serialising them costs
    little. ``Database.reading()`` transactions begin deferred and never wait for writers.
    """
    read_only = connection.get_execution_options().get(_READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
