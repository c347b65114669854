"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from sealroom.core.store.database import migrate, sqlite_url
from sealroom.core.store.models import Base


def test_migrations_match_models(tmp_path):
    url = sqlite_url(tmp_path / "m.db")
    migrate(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrate_is_idempotent(tmp_path):
    url = sqlite_url(tmp_path / "m.db")
    migrate(url)
    migrate(url)
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) >= {"users", "datasets", "assets", "requests", "approvals", "results", "audit_log"}
    engine.dispose()
