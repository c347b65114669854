"""Cedar policies a rights holder attaches to their own dataset: list, attach, remove — audited.

Only the dataset's owner attaches or removes its policies (admins cannot: nobody changes another
party's terms). A policy is validated against the schema when attached, and refused with the
validator's message if it does not validate. One policy per attachment: its ``@id`` names it.
The engine evaluates a dataset's policies only for requests on that dataset, so an attached
policy can never judge anyone else's content. Everyone signed in may read them: like the
license, they are the terms a data scientist works under.
"""

from __future__ import annotations


from sqlalchemy import select
from sqlalchemy.orm import Session

from sealroom.core.catalog.catalog import DatasetInfo, get_dataset
from sealroom.core.errors import Forbidden, InvalidInput, NotFound
from sealroom.core.hashing import sha256_hex
from sealroom.core.ledger import audit
from sealroom.core.policy.cedar_engine import CedarEngine
from sealroom.core.store.models import DatasetPolicyRow, UserRow
from sealroom.core.users import Role, User


def list_policies(session: Session, dataset_name: str) -> list[dict]:
    dataset = get_dataset(session, dataset_name)
    rows = session.execute(select(DatasetPolicyRow, UserRow).join(UserRow, UserRow.id == DatasetPolicyRow.author_id).where(DatasetPolicyRow.dataset_id == dataset.id).order_by(DatasetPolicyRow.policy_id)).all()
    return [_view(dataset, row, author) for row, author in rows]


def attach_policy(session: Session, engine: CedarEngine, actor: User, dataset_name: str, text: str) -> dict:
    """Validate ``text`` (one annotated Cedar policy) and attach it to the actor's dataset."""
    dataset = _owned(session, actor, dataset_name)
    existing = set(session.execute(select(DatasetPolicyRow.policy_id).where(DatasetPolicyRow.dataset_id == dataset.id)).scalars())
    metas = engine.read_dataset_policy(text, dataset.name, existing_ids=existing)
    if len(metas) != 1:
        raise InvalidInput(f"attach one policy at a time; this text holds {len(metas)} ({', '.join(m.policy_id for m in metas)})")
    meta = metas[0]
    row = DatasetPolicyRow(dataset_id=dataset.id, policy_id=meta.policy_id, text=text.strip() + "\n", sha256=sha256_hex(text.strip().encode() + b"\n"), author_id=actor.id)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.name, action="policy.attached", subject=dataset.id, payload={
        "dataset": dataset.name, "policy_id": meta.policy_id, "effect": meta.effect, "reason": meta.reason, "sha256": row.sha256, "text": row.text,
    })
    return _view(dataset, row, session.get(UserRow, actor.id))


def remove_policy(session: Session, actor: User, dataset_name: str, policy_id: str) -> None:
    dataset = _owned(session, actor, dataset_name)
    row = session.execute(select(DatasetPolicyRow).where(DatasetPolicyRow.dataset_id == dataset.id, DatasetPolicyRow.policy_id == policy_id)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"dataset {dataset.name!r} has no policy {policy_id!r}")
    audit.append(session, actor=actor.name, action="policy.removed", subject=dataset.id, payload={"dataset": dataset.name, "policy_id": policy_id, "sha256": row.sha256})
    session.delete(row)
    session.flush()


def _owned(session: Session, actor: User, dataset_name: str) -> DatasetInfo:
    dataset = get_dataset(session, dataset_name)
    if actor.role is not Role.RIGHTS_HOLDER or dataset.owner_id != actor.id:
        raise Forbidden(f"only the rights holder who owns {dataset.name!r} can change its policies")
    return dataset


def _view(dataset: DatasetInfo, row: DatasetPolicyRow, author: UserRow) -> dict:
    return {"dataset": dataset.name, "policy_id": row.policy_id, "text": row.text, "sha256": row.sha256, "author": author.name, "created_at": row.created_at.isoformat()}
