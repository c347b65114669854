"""From a request context to Cedar: entities (users, datasets with their licenses) and requests.

The *request context* is the plain dict every decision is computed from (``context.py`` builds it
from the database; ``sealroom policy check`` reads it from a JSON file)::

    {"requester": {"name", "role", "org"},
     "purpose": "research",                      # one of license.PURPOSES
     "code": {"parses", "output_kind", "flags", "imports", "unlisted_imports", ...},
     "now": "2026-11-21T10:00:00Z",
     "datasets": [{"name", "kind", "owner": {"name", "role", "org"}, "jobs_used",
                   "license": {...LicenseTerms.to_dict()}, "policies": ["<cedar text>", ...]}],
     # action "release" only:
     "gate": {"released": bool, "needs_review": bool, "findings": ["check-id", ...]},
     "result": {"kind", "bytes", "rows", "text_values", "max_words"}}

Nothing here fills in a default: a missing key raises (KeyError/TypeError), which the engine turns
into DENY. License terms that are optional (``expires``, ``max_jobs``) become a Bool plus a value,
because the schema has no optional attributes (a missing attribute must never be ambiguous).
"""

from __future__ import annotations

import json

NO_EXPIRY = "9999-12-31T23:59:59Z"


def entities_json(context: dict) -> str:
    """The requester, every dataset and every dataset owner as a Cedar entities document."""
    users: dict[str, dict] = {}
    for user in (context["requester"], *(d["owner"] for d in context["datasets"])):
        entity = _user(user["name"], user)  # every description is checked, not only the first
        if users.setdefault(user["name"], entity) != entity:
            raise ValueError(f"the context describes user {user['name']!r} in two different ways")
    entities = [users[name] for name in sorted(users)]
    entities += [_dataset(dataset) for dataset in context["datasets"]]
    return json.dumps(entities, sort_keys=True)


def cedar_request(action: str, context: dict, dataset: dict) -> dict:
    """One Cedar request: may ``requester`` do ``action`` on ``dataset`` in this context?"""
    return {
        "principal": {"type": "User", "id": context["requester"]["name"]},
        "action": {"type": "Action", "id": action},
        "resource": {"type": "Dataset", "id": dataset["name"]},
        "context": cedar_context(action, context, dataset),
    }


def cedar_context(action: str, context: dict, dataset: dict) -> dict:
    code = context["code"]
    record = {
        "purpose": _str(context["purpose"]),
        "code": {
            "parses": _bool(code["parses"]),
            "output_kind": _str(code["output_kind"]),
            "flags": _strs(code["flags"]),
            "imports": _strs(code["imports"]),
            "unlisted_imports": _strs(code["unlisted_imports"]),
        },
        "now": _datetime(context["now"]),
        "jobs_used": _int(dataset["jobs_used"]),
        "datasets": len(context["datasets"]),
        "owners": len({d["owner"]["name"] for d in context["datasets"]}),
    }
    if action == "release":
        result = context["result"]
        record["gate_released"] = _bool(context["gate"]["released"])
        record["gate_needs_review"] = _bool(context["gate"]["needs_review"])
        record["findings"] = _strs(context["gate"]["findings"])
        record["result"] = {key: (_str(result[key]) if key == "kind" else _int(result[key])) for key in ("kind", "bytes", "rows", "text_values", "max_words")}
    return record


def license_record(terms: dict) -> dict:
    """A stored license dict as the schema's ``License`` record (every key required)."""
    expires = terms["expires"]
    max_jobs = terms["max_jobs"]
    return {
        "allowed_purposes": _strs(terms["allowed_purposes"]),
        "commercial_use": _bool(terms["commercial_use"]),
        "training_allowed": _bool(terms["training_allowed"]),
        "generative_training_opt_out": _bool(terms["generative_training_opt_out"]),
        "revoked": _bool(terms["revoked"]),
        "has_expiry": expires is not None,
        "expires": _datetime(NO_EXPIRY if expires is None else f"{expires}T23:59:59Z"),
        "limits_jobs": max_jobs is not None,
        "max_jobs": 0 if max_jobs is None else _int(max_jobs),
        "min_aggregation_size": _int(terms["min_aggregation_size"]),
        "human_review_required": _bool(terms["human_review_required"]),
    }


def _user(name: str, user: dict) -> dict:
    return {"uid": {"type": "User", "id": _str(name)}, "attrs": {"role": _str(user["role"]), "org": _str(user["org"])}, "parents": []}


def _dataset(dataset: dict) -> dict:
    attrs = {"owner": {"__entity": {"type": "User", "id": _str(dataset["owner"]["name"])}}, "kind": _str(dataset["kind"]), "license": license_record(dataset["license"])}
    return {"uid": {"type": "Dataset", "id": _str(dataset["name"])}, "attrs": attrs, "parents": []}


def _datetime(value: str) -> dict:
    return {"__extn": {"fn": "datetime", "arg": _str(value)}}


def _str(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _bool(value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _strs(values) -> list[str]:
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"expected a list of strings, got {type(values).__name__}")
    return sorted({_str(v) for v in values})
