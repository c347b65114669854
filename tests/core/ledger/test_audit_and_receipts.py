"""The hash-chained audit log detects edits, deletions and reordering; receipts verify offline."""

import pytest
from sqlalchemy import delete, update

from sealroom.core.errors import IntegrityError, InvalidInput
from sealroom.core.ledger import audit
from sealroom.core.ledger.merkle import EMPTY_ROOT, merkle_root
from sealroom.core.ledger.receipts import sign_receipt, verify_receipt
from sealroom.core.store.models import AuditRow
from sealroom.core.vault.keyring import KeyRing


def _fill(ws, n=5):
    with ws.db.session() as session:
        for i in range(n):
            audit.append(session, actor="tester", action="thing.happened", subject=f"s{i}", payload={"i": i})


def test_chain_verifies(workspace):
    _fill(workspace)
    with workspace.db.session() as session:
        report = audit.verify(session)
    assert report.ok and report.entries == 6  # workspace.created + 5


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder"])
def test_tampering_is_detected(workspace, tamper):
    _fill(workspace)
    with workspace.db.session() as session:
        if tamper == "edit":
            session.execute(update(AuditRow).where(AuditRow.seq == 3).values(actor="someone-else"))
        elif tamper == "delete":
            session.execute(delete(AuditRow).where(AuditRow.seq == 3))
        else:
            session.execute(update(AuditRow).where(AuditRow.seq == 2).values(seq=100))
            session.execute(update(AuditRow).where(AuditRow.seq == 3).values(seq=2))
            session.execute(update(AuditRow).where(AuditRow.seq == 100).values(seq=3))
    with workspace.db.session() as session:
        report = audit.verify(session)
    assert not report.ok
    assert report.first_bad_seq is not None and report.first_bad_seq <= 3


def test_receipt_sign_verify_and_tamper():
    ring = KeyRing.generate()
    signed = sign_receipt({"request_id": "r1", "result": {"sha256": "ab"}}, ring.signing_key)
    assert verify_receipt(signed, ring.public_key_b64())["request_id"] == "r1"
    signed["receipt"]["result"]["sha256"] = "cd"
    with pytest.raises(IntegrityError):
        verify_receipt(signed, ring.public_key_b64())
    with pytest.raises(IntegrityError):
        verify_receipt(sign_receipt({"x": 1}, ring.signing_key), KeyRing.generate().public_key_b64())
    with pytest.raises(InvalidInput):
        verify_receipt({"nothing": True}, ring.public_key_b64())


def test_merkle_root_changes_with_any_leaf():
    leaves = [bytes([i]) * 32 for i in range(7)]
    root = merkle_root(leaves)
    assert root != merkle_root(leaves[:-1])
    assert root != merkle_root([leaves[1], leaves[0], *leaves[2:]])
    assert merkle_root([]) == EMPTY_ROOT
