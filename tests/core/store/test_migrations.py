"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from sealroom.core.store.database import alembic_config, migrate, sqlite_url
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


def test_upgrade_from_0001_keeps_approvals_and_backfills_revocation(tmp_path):
    """A workspace created before the policy engine upgrades in place without losing anything."""
    url, engine = _old_database(tmp_path, "0001", license='{"allowed_purposes": ["research"]}')
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO requests (id, owner_id, kind, function_name, source, inputs, purpose, binding_sha256, state, public_reason, created_at, updated_at) VALUES ('r1', 'u2', 'code', 'f', 'def f(x): return 1', '{}', 'research', 'b', 'queued', '', '2026-01-01', '2026-01-01')"))
        connection.execute(text("INSERT INTO approvals (request_id, reviewer_id, verdict, note, binding_sha256, created_at) VALUES ('r1', 'u1', 'approve', 'ok', 'b', '2026-01-01')"))
    migrate(url)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT reviewer_id, verdict, stage FROM approvals")).all() == [("u1", "approve", "compute")]
        assert '"revoked": false' in connection.execute(text("SELECT license FROM datasets")).scalar_one()
        assert connection.execute(text("SELECT org FROM users WHERE id = 'u2'")).scalar_one() == ""
        # a release-stage verdict by the same reviewer is now allowed; a second compute verdict is not
        connection.execute(text("INSERT INTO approvals (request_id, reviewer_id, stage, verdict, note, binding_sha256, created_at) VALUES ('r1', 'u1', 'release', 'approve', '', 'b', '2026-01-02')"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO approvals (request_id, reviewer_id, stage, verdict, note, binding_sha256, created_at) VALUES ('r1', 'u1', 'compute', 'deny', '', 'b', '2026-01-03')"))
    engine.dispose()


def test_upgrade_to_0004_fills_the_usage_counters_from_the_requests(tmp_path):
    url, engine = _old_database(tmp_path, "0003", license="{}")
    with engine.begin() as connection:
        for number, (kind, state) in enumerate([("graph", "released"), ("graph", "released"), ("graph", "pending_review"), ("code", "failed"), ("code", "rejected"), ("graph", "withheld")]):
            connection.execute(text("INSERT INTO requests (id, owner_id, kind, function_name, source, inputs, purpose, binding_sha256, state, public_reason, created_at, updated_at) "
                                    f"VALUES ('r{number}', 'u2', '{kind}', '', '', '{{}}', 'research', 'b', '{state}', '', '2026-01-01', '2026-01-01')"))
            connection.execute(text(f"INSERT INTO request_datasets (request_id, dataset_id) VALUES ('r{number}', 'd1')"))
    migrate(url)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT owner_id, dataset_id, jobs_used, graphs_released FROM usage")).all() == [("u2", "d1", 4, 2)]
    engine.dispose()


def _old_database(tmp_path, revision: str, *, license: str):
    """A database at ``revision`` holding a rights holder (u1), a data scientist (u2) and u1's dataset d1."""
    url = sqlite_url(tmp_path / "old.db")
    command.upgrade(alembic_config(url), revision)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, name, display_name, role, token_sha256, created_at) VALUES ('u1', 'hl', 'HL', 'rights_holder', 'x', '2026-01-01'), ('u2', 'dana', 'Dana', 'data_scientist', 'y', '2026-01-01')"))
        connection.execute(text("INSERT INTO datasets (id, name, owner_id, kind, description, license, wrapped_key, created_at) VALUES ('d1', 'scripts', 'u1', 'table', '', :license, x'00', '2026-01-01')"),
                           {"license": license})
    return url, engine
