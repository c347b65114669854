"""The vault at run time: one workspace wired to a policy engine, an executor and a job runner.

``Vault`` is what the HTTP service, the CLI's ``demo --check`` and the tests hold. It owns the
executor's lifetime (the sandbox treats the workspace directory as protected: no job may read
it) and the runner's worker thread. ``start()`` recovers interrupted requests before serving.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sealroom.core.catalog import catalog
from sealroom.core.catalog.ingest import IngestSpec, ingest_dataset
from sealroom.core.catalog.license_changes import update_license
from sealroom.core.errors import Forbidden
from sealroom.core.jobs import JobRunner
from sealroom.core.leakage import GateConfig, ReleaseGate
from sealroom.core.ledger import audit
from sealroom.core.policy import dataset_policies
from sealroom.core.policy.cedar_engine import CedarEngine
from sealroom.core.policy.engine import PolicyEngine
from sealroom.core.requests import Notifier, Requests, visible_requests
from sealroom.core.sandbox import Executor, Limits, LocalExecutor, SandboxConfig
from sealroom.core.store.models import RequestRow
from sealroom.core.users import Role, User, authenticate
from sealroom.core.workspace import Workspace


@dataclass(frozen=True, kw_only=True)
class VaultConfig:
    limits: Limits = field(default_factory=Limits)
    gate: GateConfig = field(default_factory=GateConfig)
    preload_modules: tuple[str, ...] = ("numpy", "pandas", "pyarrow", "PIL.Image")
    require_layers: tuple[str, ...] = ()


class Vault:
    """The trusted side of one workspace, ready to serve requests."""

    def __init__(self, ws: Workspace, config: VaultConfig = VaultConfig(), *, policy: PolicyEngine | None = None, executor: Executor | None = None) -> None:
        self.ws = ws
        self.config = config
        self.policy = policy or CedarEngine()
        self.executor = executor or LocalExecutor(
            SandboxConfig(protected_paths=(ws.root,), preload_modules=config.preload_modules, require_layers=config.require_layers)
        )
        self.notifier = Notifier()
        self.runner = JobRunner(ws, self.executor, self.policy, self.notifier, gate=ReleaseGate(config.gate), limits=config.limits)
        self.requests = Requests(ws, self.policy, self.notifier, self.runner.enqueue, graphs=self.runner)

    def start(self) -> "Vault":
        """Start the sandbox (warm zygote) and the job runner; recover interrupted requests."""
        start_executor = getattr(self.executor, "start", None)
        if start_executor is not None:
            start_executor()
        self.runner.start()
        return self

    def stop(self) -> None:
        self.runner.stop()
        self.executor.close()

    def authenticate(self, token: str) -> User:
        with self.ws.db.reading_statements() as connection:
            return authenticate(connection, token)

    def datasets(self) -> list[catalog.DatasetInfo]:
        with self.ws.db.reading() as session:
            return catalog.list_datasets(session)

    def dataset(self, name: str) -> catalog.DatasetInfo:
        with self.ws.db.reading() as session:
            return catalog.get_dataset(session, name)

    def mock(self, name: str, asset: str | None = None) -> tuple[catalog.AssetInfo, bytes]:
        with self.ws.db.reading() as session:
            return catalog.mock_ipc(session, name, asset)

    def ingest(self, owner: User, spec: IngestSpec) -> catalog.DatasetInfo:
        ingest_dataset(self.ws, owner, spec)
        return self.dataset(spec.name)

    def dataset_policies(self, name: str) -> list[dict]:
        with self.ws.db.reading() as session:
            return dataset_policies.list_policies(session, name)

    def attach_policy(self, actor: User, name: str, text: str) -> dict:
        with self.ws.db.session() as session:
            return dataset_policies.attach_policy(session, self.policy, actor, name, text)

    def remove_policy(self, actor: User, name: str, policy_id: str) -> None:
        with self.ws.db.session() as session:
            dataset_policies.remove_policy(session, actor, name, policy_id)

    def update_license(self, actor: User, name: str, changes: dict) -> dict:
        with self.ws.db.session() as session:
            terms = update_license(session, actor, name, changes)
        self.runner.graphs.frames.clear()  # decrypted content is not kept past a change of terms
        return terms

    def audit_entries(self, actor: User, *, limit: int = 1000) -> list[audit.AuditEntry]:
        """Admins read the whole log; rights holders the entries about their datasets and requests on them."""
        with self.ws.db.reading() as session:
            if actor.role is Role.ADMIN:
                return audit.entries(session, limit=limit)
            if actor.role is Role.RIGHTS_HOLDER:
                subjects = [d.id for d in catalog.list_datasets(session) if d.owner_id == actor.id]
                subjects += list(session.execute(visible_requests(actor).with_only_columns(RequestRow.id)).scalars())
                return audit.entries(session, subjects=subjects, limit=limit)
        raise Forbidden("only rights holders and admins read the audit log")

    def verify_audit(self) -> audit.ChainReport:
        with self.ws.db.reading() as session:
            return audit.verify(session)
