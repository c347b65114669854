"""Example requests with expected outcomes: ``sealroom policy check`` and ``sealroom policy test``.

A request file (JSON) describes one decision without a workspace::

    {"name": "aggregate research on the studio's scripts runs at once",
     "action": "compute",                         # or "release"
     "expect": "allow",                           # optional: allow | review | deny
     "expect_policies": ["permit-licensed-purpose"],   # optional: ids that must be among the reasons
     "requester": {"name": "dana", "role": "data_scientist", "org": "Aurora Lab"},
     "purpose": "research: who speaks most",
     "code": {"source": "def f(plays): ...", "function": "f",
              "inputs": {"plays": {"kind": "table", "text_columns": ["line"]}}},
                                                  # or a pointer query: "code": {"graph": {...}}
     "now": "2026-11-21T12:00:00Z",               # optional (default: now)
     "datasets": [{"name": "northwind-scripts", "kind": "table",
                   "owner": {"name": "harbor-light", "role": "rights_holder", "org": "Harbor Light"},
                   "license_template": "studio-scripts",   # or "license": {...terms...}
                   "license_changes": {"revoked": true},    # optional, applied on top
                   "jobs_used": 0,                          # optional (default 0)
                   "policies": ["dataset/no-line-export.cedar"]}],   # pack files or inline text
     "gate": {...}, "result": {...}}               # release only (entities.py documents them)

Licenses go through ``LicenseTerms`` exactly as at ingest, so an example cannot hold terms a
real dataset could not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sealroom.core.catalog.license import LicenseTerms, purpose_category
from sealroom.core.errors import InvalidInput
from sealroom.core.graph.wire import Graph
from sealroom.core.policy.code_profile import InputHint, profile_code
from sealroom.core.policy.graph_profile import profile_graph
from sealroom.core.policy.context import timestamp
from sealroom.core.policy.decision import Decision
from sealroom.core.policy.engine import PolicyEngine, decide_safely
from sealroom.core.policy.pack import policies_dir


@dataclass(frozen=True)
class ExampleResult:
    path: Path
    name: str
    expected: str | None
    expected_policies: tuple[str, ...]
    decision: Decision

    @property
    def fired(self) -> set[str]:
        return {r.policy_id for r in self.decision.reasons}

    @property
    def ok(self) -> bool:
        outcome_ok = self.expected is None or self.decision.outcome.value == self.expected
        return outcome_ok and set(self.expected_policies) <= self.fired


def load_request(path: Path, *, pack_dir: Path | None = None) -> tuple[dict, str, dict]:
    """Read a request file: (the raw document, the action, the request context)."""
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read request file {path}: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"{path}: a request file holds one JSON object")
    root = pack_dir or policies_dir()
    try:
        return document, document.get("action", "compute"), _context(document, root)
    except (KeyError, TypeError) as exc:
        raise InvalidInput(f"{path}: the request lacks or mistypes {exc}; see docs/policies.md for the format") from None


def check_request(engine: PolicyEngine, path: Path, *, pack_dir: Path | None = None) -> ExampleResult:
    document, action, context = load_request(path, pack_dir=pack_dir)
    decision = decide_safely(engine, action, context)
    return ExampleResult(Path(path), document.get("name", Path(path).stem), document.get("expect"), tuple(document.get("expect_policies", ())), decision)


def run_examples(engine: PolicyEngine, directory: Path | None = None) -> list[ExampleResult]:
    """Check every ``*.json`` request in ``directory`` (default: the pack's ``examples/``)."""
    folder = directory or policies_dir() / "examples"
    files = sorted(Path(folder).glob("*.json"))
    if not files:
        raise InvalidInput(f"{folder} holds no *.json example requests")
    return [check_request(engine, path) for path in files]


def _context(document: dict, root: Path) -> dict:
    code = document["code"]
    if "source" in code:
        hints = {name: InputHint(kind=h["kind"], text_columns=tuple(h.get("text_columns", ()))) for name, h in code.get("inputs", {}).items()}
        code = profile_code(code["source"], code["function"], hints).to_dict()
    elif "graph" in code:  # a pointer query: {"graph": {version, nodes, output}}
        code = profile_graph(Graph.from_json(code["graph"]))
    context = {
        "requester": document["requester"],
        "purpose": purpose_category(document["purpose"]),
        "code": code,
        "now": document.get("now") or timestamp(),
        "datasets": [_dataset(d, root) for d in document["datasets"]],
    }
    for key in ("gate", "result"):
        if key in document:
            context[key] = document[key]
    return context


def _dataset(entry: dict, root: Path) -> dict:
    if "license_template" in entry:
        terms = LicenseTerms.from_template(entry["license_template"]).to_dict()
    else:
        terms = LicenseTerms.from_dict(entry["license"]).to_dict()
    terms = LicenseTerms.from_dict({**terms, **entry.get("license_changes", {})}).to_dict()
    policies = [_policy_text(p, root) for p in entry.get("policies", ())]
    return {"name": entry["name"], "kind": entry["kind"], "owner": entry["owner"], "license": terms, "jobs_used": entry.get("jobs_used", 0), "policies": policies}


def _policy_text(reference: str, root: Path) -> str:
    if reference.rstrip().endswith(".cedar") and "\n" not in reference:
        path = (root / reference).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            raise InvalidInput(f"no policy file {reference!r} in {root}")
        return path.read_text()
    return reference
