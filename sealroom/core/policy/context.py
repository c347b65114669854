"""Building a request context (``entities.py`` documents its shape) from the workspace database.

``compute_context`` is what ``Requests.submit`` decides on; ``release_context`` is the same,
rebuilt from the database *at release time* (reusing the code profile stored at submission) (so a license revoked, expired or opted out while the
job ran still applies) plus the release gate's findings and facts about the result. The licenses
and dataset policies are read fresh on every call: a change takes effect for every request
decided after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sealroom.core.catalog.catalog import DatasetInfo, get_dataset
from sealroom.core.catalog.license import purpose_category
from sealroom.core.leakage.strings import extract_strings
from sealroom.core.policy.code_profile import CodeProfile, InputHint, profile_code
from sealroom.core.results import EncodedResult, decode_result
from sealroom.core.store.database import flushed_connection
from sealroom.core.store.models import DatasetPolicyRow, RequestRow, UserRow
from sealroom.core.usage import usage
from sealroom.core.users import User, to_user

TEXT_MIN_WORDS = 5  # a string of at least this many words counts as a text value in a result


def profile_request(source: str, function_name: str, inputs: dict, datasets: Iterable[DatasetInfo]) -> CodeProfile:
    """The static profile of a request's code, told what each parameter receives."""
    by_name = {d.name: d for d in datasets}
    hints = {}
    for param, spec in inputs.items():
        asset = by_name[spec["dataset"]].asset(spec["asset"])
        hints[param] = InputHint(kind=asset.kind, text_columns=tuple(asset.text_columns))
    return profile_code(source, function_name, hints)


def compute_context(session: Session, requester: User, purpose: str, profile: dict, datasets: Iterable[DatasetInfo], *, now: datetime | None = None) -> dict:
    """``profile`` is the code's static profile as ``CodeProfile.to_dict()`` (as stored on the request)."""
    return {
        "requester": {"name": requester.name, "role": requester.role.value, "org": requester.org},
        "purpose": purpose_category(purpose),
        "code": profile,
        "now": timestamp(now),
        "datasets": [_dataset(session, requester, d) for d in sorted(datasets, key=lambda d: d.name)],
    }


def release_context(session: Session, row: RequestRow, *, gate: dict, result: EncodedResult | None, now: datetime | None = None,
                    facts: dict | None = None, requester: User | None = None) -> dict:
    """``gate`` is ``{"released", "needs_review", "findings"}`` from the release gate's report;
    ``facts`` is ``result_facts(result)`` and ``requester`` the request's owner, when the caller
    already has them."""
    if requester is None:
        requester = to_user(session.get(UserRow, row.owner_id))
    datasets = [get_dataset(session, name, assets=False) for name in sorted({spec["dataset"] for spec in row.inputs.values()})]
    # the profile made at submission (the code cannot have changed: the binding hash is checked)
    profile = (row.decision or {}).get("code_profile")
    if not profile:  # a request stored before profiles were kept: profile its code again
        profile = profile_request(row.source, row.function_name, row.inputs, [get_dataset(session, d.name) for d in datasets]).to_dict()
    context = compute_context(session, requester, row.purpose, profile, datasets, now=now)
    context["gate"] = gate
    context["result"] = facts if facts is not None else result_facts(result)
    return context


_UNDECODED = object()


def result_facts(result: EncodedResult | None, value=_UNDECODED) -> dict:
    """Kind, size, rows and how much free text a result carries (what release policies read).
    ``value`` is ``decode_result(result)`` when the caller already decoded it."""
    if result is None:
        return {"kind": "none", "bytes": 0, "rows": 0, "text_values": 0, "max_words": 0}
    if value is _UNDECODED:
        value = decode_result(result)
    rows = len(value) if isinstance(value, (list, dict, pd.DataFrame)) else 1
    words = [len(text.split()) for text in extract_strings(value)]
    return {"kind": result.kind, "bytes": result.size, "rows": rows, "text_values": sum(1 for w in words if w >= TEXT_MIN_WORDS), "max_words": max(words, default=0)}


_POLICY_TEXTS = select(DatasetPolicyRow.text).where(DatasetPolicyRow.dataset_id == bindparam("dataset")).order_by(DatasetPolicyRow.policy_id)  # built once


def jobs_used(session: Session, requester_id: str, dataset_id: str) -> int:
    """How many of this dataset's license jobs the requester has used (including ones running)."""
    return usage(session, requester_id, dataset_id).jobs_used


def dataset_policy_texts(session: Session, dataset_id: str) -> list[str]:
    return list(flushed_connection(session).execute(_POLICY_TEXTS, {"dataset": dataset_id}).scalars())


def _dataset(session: Session, requester: User, dataset: DatasetInfo) -> dict:
    return {
        "name": dataset.name,
        "kind": dataset.kind,
        "owner": {"name": dataset.owner, "role": dataset.owner_role, "org": dataset.owner_org},
        "license": dataset.license,
        "jobs_used": jobs_used(session, requester.id, dataset.id),
        "policies": dataset_policy_texts(session, dataset.id),
    }


def timestamp(now: datetime | None = None) -> str:
    """``now`` (default: the current time) as the context's UTC timestamp, e.g. ``2026-11-21T12:00:00Z``."""
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
