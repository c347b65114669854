"""Changing a dataset's license terms: revocation, expiry, opt-outs, limits — owner only, audited.

The change is validated like a new license (unknown terms and wrong types are refused) and takes
effect for every decision made after it: the policy engine reads the stored terms on every
``compute`` and ``release`` decision, so even a job already running is withheld if its license
was revoked before its result is released.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from sealroom.core.catalog.catalog import get_dataset
from sealroom.core.catalog.license import LicenseTerms
from sealroom.core.errors import Forbidden, InvalidInput
from sealroom.core.ledger import audit
from sealroom.core.store.models import DatasetRow
from sealroom.core.users import Role, User


def update_license(session: Session, actor: User, dataset_name: str, changes: dict) -> dict:
    """Apply ``changes`` (a partial license dict) to the actor's dataset; returns the new terms."""
    dataset = get_dataset(session, dataset_name)
    if actor.role is not Role.RIGHTS_HOLDER or dataset.owner_id != actor.id:
        raise Forbidden(f"only the rights holder who owns {dataset.name!r} can change its license")
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("say which license terms change, e.g. {\"revoked\": true}")
    new = LicenseTerms.from_dict({**dataset.license, **changes}).to_dict()
    changed = {key: [dataset.license.get(key), new[key]] for key in sorted(new) if dataset.license.get(key) != new[key]}
    if not changed:
        return new
    row = session.get(DatasetRow, dataset.id)
    row.license = new
    session.flush()
    audit.append(session, actor=actor.name, action="license.updated", subject=dataset.id, payload={"dataset": dataset.name, "changed": changed})
    return new
