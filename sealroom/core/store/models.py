"""SQLAlchemy tables of a workspace: users, datasets, assets, requests, usage, approvals, results, audit.

The schema is owned by Alembic (``migrations/``); ``tests/core/store`` checks that the models and
the migrations agree. Nothing private is stored here in the clear: content, withheld results,
job logs and private check details are AES-GCM envelopes (``*_sealed`` columns or content files).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base; its metadata is what Alembic's first migration creates."""


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    org: Mapped[str] = mapped_column(String(200), default="", server_default="")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DatasetRow(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    license: Mapped[dict] = mapped_column(JSON)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssetRow(Base):
    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    n_items: Mapped[int] = mapped_column(Integer)
    schema: Mapped[dict] = mapped_column(JSON)
    public_columns: Mapped[list] = mapped_column(JSON, default=list)
    text_columns: Mapped[list] = mapped_column(JSON, default=list)
    content_sha256: Mapped[str] = mapped_column(String(64))
    items_root: Mapped[str] = mapped_column(String(64))
    mock: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only by catalog.mock_ipc, not with every asset


class RequestRow(Base):
    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_owner_state", "owner_id", "state"),)  # a requester's requests, by state

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    function_name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    inputs: Mapped[dict] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(Text)
    binding_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32), index=True)
    decision: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    release_decision: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    public_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RequestDatasetRow(Base):
    """Which datasets a request touches (one row each), so reviewers are found by index."""

    __tablename__ = "request_datasets"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), primary_key=True)


class UsageRow(Base):
    """What one data scientist has used of one dataset: license jobs (requests that reached
    ``queued``) and released pointer queries. Kept by ``lifecycle.transition`` (``usage.py``), so
    reading either is one lookup however many requests there are."""

    __tablename__ = "usage"

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), primary_key=True)
    jobs_used: Mapped[int] = mapped_column(Integer, default=0)
    graphs_released: Mapped[int] = mapped_column(Integer, default=0)


class ApprovalRow(Base):
    """A rights holder's verdict at one review stage: ``compute`` (may it run) or ``release`` (may its result leave)."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("request_id", "reviewer_id", "stage", name="uq_approvals_request_reviewer_stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(16), default="compute", server_default="compute")
    verdict: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    binding_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DatasetPolicyRow(Base):
    """One Cedar policy a rights holder attached to their dataset (validated against the schema)."""

    __tablename__ = "dataset_policies"
    __table_args__ = (UniqueConstraint("dataset_id", "policy_id", name="uq_dataset_policies_dataset_policy"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    policy_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ResultRow(Base):
    __tablename__ = "results"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="")
    result_sha256: Mapped[str] = mapped_column(String(64), default="")
    payload_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    private_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    public_report: Mapped[dict] = mapped_column(JSON)
    isolation: Mapped[dict] = mapped_column(JSON)
    timings_ms: Mapped[dict] = mapped_column(JSON)
    receipt: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
