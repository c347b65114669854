"""Releasing a checked result: the move to ``released`` and the signed receipt, in one place.

The job runner (release decision ALLOW) and the rights holders' release review (every required
holder approved) both end here, so every receipt states the same facts, read from the stored
request, result and approvals: code binding, content roots, both policy decisions, approvals,
the leakage report's hash, the result's hash, the sandbox layers and the audit log position.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sealroom.core.hashing import sha256_hex
from sealroom.core.leakage.findings import GateReport
from sealroom.core.ledger.receipts import sign_receipt
from sealroom.core.lifecycle import State, transition
from sealroom.core.sealed_results import open_payload, open_private
from sealroom.core.store.database import flushed_connection
from sealroom.core.store.models import ApprovalRow, RequestRow, ResultRow
from sealroom.core.workspace import Workspace

_APPROVALS = (select(ApprovalRow.reviewer_id, ApprovalRow.stage, ApprovalRow.verdict, ApprovalRow.binding_sha256)
              .where(ApprovalRow.request_id == bindparam("request")).order_by(ApprovalRow.id))


def release_result(session: Session, ws: Workspace, row: RequestRow, *, actor: str, report: GateReport | None = None, payload: bytes | None = None,
                   stored: ResultRow | None = None, reviewed: bool = True) -> None:
    """Move a checked request to ``released`` and sign its receipt (same transaction). ``report``,
    ``payload`` and ``stored``: the gate report, result bytes and result row, when the caller has
    them in hand (otherwise the row is read and they are unsealed from it; a row given here is
    the caller's to write, receipt included). ``reviewed=False``: the request never waited for a
    review (answered in the call that submitted it), so it has no approvals to read."""
    if stored is None:
        stored = session.get(ResultRow, row.id)
    if report is None:
        report = GateReport.from_private_dict(open_private(ws.keys.master_key, stored)["findings"])
    report_sha256 = report.sha256()
    entry = transition(session, row, State.RELEASED, actor=actor, payload={"leakage_report_sha256": report_sha256})
    if payload is None:
        payload = open_payload(ws.keys.master_key, stored)
    approvals = flushed_connection(session).execute(_APPROVALS, {"request": row.id}).all() if reviewed else []
    decision, release = row.decision or {}, row.release_decision or {}
    body = {
        "request_id": row.id,
        "code_sha256": row.binding_sha256,
        "datasets": [{"dataset": s["dataset"], "asset": s["asset"], "items_root": s["items_root"]} for s in row.inputs.values()],
        "decision": {"outcome": decision.get("outcome"), "bundle_sha256": decision.get("bundle_sha256"), "context_sha256": decision.get("context_sha256")},
        "approvals": [{"reviewer_id": a.reviewer_id, "stage": a.stage, "verdict": a.verdict, "binding_sha256": a.binding_sha256} for a in approvals],
        "release_decision": {"outcome": release.get("outcome"), "bundle_sha256": release.get("bundle_sha256"), "context_sha256": release.get("context_sha256")},
        "leakage_report_sha256": report_sha256,
        "result": {"kind": stored.kind, "sha256": sha256_hex(payload), "bytes": len(payload)},
        "sandbox": stored.isolation,
        "log_index": entry.seq,
        "log_entry_sha256": entry.entry_hash,
        "issued_at": entry.at,
    }
    stored.receipt = sign_receipt(body, ws.keys.signing_key)
