"""How a request is shown: the public view (data scientist) and the private view (reviewers).

The public view carries only what may leave the vault to the requester: their own code and
purpose, the decision's public reasons, reviewers' notes, the state and its public reason, and
for a finished job the result's kind/size/hash, the public leakage report, the sandbox layers and
timings. The private view adds the requester's identity, both whole decision records (``compute`` and
``release``), and the sealed private record of the run (error detail, stdout/stderr, private check details).
"""

from __future__ import annotations

import json

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sealroom.core.policy.decision import public_reason_lines
from sealroom.core.results import EncodedResult, decode_result
from sealroom.core.sealed_results import open_payload, open_private
from sealroom.core.store.models import ApprovalRow, RequestRow, ResultRow, UserRow


def public_view(session: Session, row: RequestRow, *, reviews: list[dict] | None = None, result: ResultRow | None = None) -> dict:
    """What the requesting data scientist sees (``reviews`` and ``result``: the request's reviews
    and result row when the caller knows them, e.g. no reviews for a query that ran without
    review; read otherwise)."""
    decision = row.decision or {}
    view = {
        "id": row.id,
        "state": row.state,
        "kind": row.kind,
        "function_name": row.function_name,
        "source": row.source,
        "purpose": row.purpose,
        "inputs": {param: {"dataset": spec["dataset"], "asset": spec["asset"]} for param, spec in row.inputs.items()},
        "datasets": sorted({spec["dataset"] for spec in row.inputs.values()}),
        "binding_sha256": row.binding_sha256,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "decision": {
            "outcome": decision.get("outcome"),
            "reasons": public_reason_lines(decision),
            "code_profile": {k: (decision.get("code_profile") or {}).get(k) for k in ("output_kind", "flags", "unlisted_imports")},
        },
        "public_reason": row.public_reason,
        "reviews": _reviews(session, row.id) if reviews is None else reviews,
        "result": None,
    }
    stored = result if result is not None else session.get(ResultRow, row.id)
    if stored is not None:
        view["result"] = {
            "kind": stored.kind or None,
            "sha256": stored.result_sha256 or None,
            "report": stored.public_report,
            "isolation": stored.isolation,
            "timings_ms": stored.timings_ms,
            "has_receipt": stored.receipt is not None,
        }
    return view


def private_view(session: Session, row: RequestRow, master_key: bytes) -> dict:
    view = public_view(session, row)
    requester = session.get(UserRow, row.owner_id)
    view["requester"] = {"name": requester.name, "display_name": requester.display_name}
    view["decision_record"] = row.decision
    view["release_decision"] = row.release_decision
    view["inputs_bound"] = row.inputs
    stored = session.get(ResultRow, row.id)
    if stored is not None:
        view["private"] = open_private(master_key, stored)
    return view


_REVIEWS = (select(ApprovalRow, UserRow).join(UserRow, UserRow.id == ApprovalRow.reviewer_id)
            .where(ApprovalRow.request_id == bindparam("request")).order_by(ApprovalRow.id))


def _reviews(session: Session, request_id: str) -> list[dict]:
    rows = session.execute(_REVIEWS, {"request": request_id}).all()
    return [{"reviewer": u.display_name, "reviewer_name": u.name, "stage": a.stage, "verdict": a.verdict, "note": a.note, "at": a.created_at.isoformat()} for a, u in rows]


PREVIEW_CHARS = 4000
PREVIEW_ROWS = 20


def result_preview(session: Session, row: RequestRow, master_key: bytes) -> dict:
    """What a result waiting for release review holds, for the rights holder deciding on it.

    Shown only to a reviewer who owns every dataset the request read (the caller checks): the
    result derives from their own content. JSON is cut at ``PREVIEW_CHARS``, tables at
    ``PREVIEW_ROWS`` rows, images are described by size.
    """
    stored = session.get(ResultRow, row.id)
    value = decode_result(EncodedResult(stored.kind, open_payload(master_key, stored)))
    if stored.kind == "table":
        return {"kind": "table", "rows": len(value), "columns": [str(c) for c in value.columns], "head": json.loads(value.head(PREVIEW_ROWS).to_json(orient="records"))}
    if stored.kind == "image":
        return {"kind": "image", "size": list(value.size), "mode": value.mode}
    text = json.dumps(value, ensure_ascii=False)
    return {"kind": "json", "text": text[:PREVIEW_CHARS], "truncated": len(text) > PREVIEW_CHARS}
