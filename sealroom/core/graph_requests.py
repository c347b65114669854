"""Submitting a pointer query: an operation graph becomes a request like any other.

``submit_graph`` validates the graph against the operation registry (an unknown operation is
refused with the list of supported ones), binds its sources to the exact content versions of
one dataset, profiles it for the policy engine and records the decision - the same lifecycle,
audit trail and review as a code request (architecture §3). A query the policy allows runs at
once, in the caller's thread (the job runner's ``prepare_graph`` in the submission's transaction,
then ``run_graph``), so ``.get()`` is one HTTP round trip.

The policy engine reads a graph's profile (``policy/graph_profile.py``); a graph that returns
records goes to review before it runs and, through the release gate, again before it leaves.
"""

from __future__ import annotations

import json
import uuid

from sealroom.core.catalog.catalog import get_dataset
from sealroom.core.catalog.license import check_purpose
from sealroom.core.errors import Forbidden, InvalidInput
from sealroom.core.graph.wire import Graph
from sealroom.core.graph_runner import GraphAnswer
from sealroom.core.hashing import binding_hash
from sealroom.core.ledger import audit
from sealroom.core.lifecycle import State, record_compute_decision, transition
from sealroom.core.policy.context import compute_context
from sealroom.core.policy.engine import decide_safely
from sealroom.core.policy.graph_profile import profile_graph
from sealroom.core.request_views import public_view
from sealroom.core.store.request_rows import insert_request, new_request
from sealroom.core.users import Role, User

MAX_GRAPH_BYTES = 200_000


def graph_source(graph: Graph) -> str:
    """The stored (and reviewed, and approval-bound) text of a graph: its canonical JSON, indented."""
    return json.dumps(graph.to_json(), sort_keys=True, indent=1, ensure_ascii=False)


def submit_graph(requests, actor: User, graph_json: dict, purpose: str) -> GraphAnswer:
    """Record, decide and (when allowed) run one graph request: the requester's view and, when
    released at once, the value."""
    if actor.role is not Role.DATA_SCIENTIST:
        raise Forbidden("only data scientists submit computations")
    if not isinstance(graph_json, dict):
        raise InvalidInput("the query must be an operation graph (a JSON object with nodes and output)")
    if len(json.dumps(graph_json, default=str)) > MAX_GRAPH_BYTES:
        raise InvalidInput(f"the operation graph is larger than {MAX_GRAPH_BYTES} bytes; ask a smaller question")
    purpose = check_purpose(purpose, missing="say what the query is for: .get(purpose=\"research: ...\") or set ws.purpose")
    graph = Graph.from_json(graph_json).pruned()
    job = view = None
    with requests.ws.db.session() as session:
        sources = {node.id: (node.args.get("dataset"), node.args.get("asset")) for node in graph.nodes if node.op == "source"}
        names = sorted({str(dataset) for dataset, _ in sources.values()})
        if len(names) != 1:
            raise InvalidInput(f"a query reads one dataset (its assets may be merged); this one reads {names}")
        dataset = get_dataset(session, names[0])
        inputs = {node: _bound(dataset, asset) for node, (_, asset) in sources.items()}
        profile = profile_graph(graph, {(dataset.name, spec["asset"]): spec["kind"] for spec in inputs.values()})
        source = graph_source(graph)
        binding = binding_hash(source, "", inputs)
        row = new_request(id=uuid.uuid4().hex[:16], owner_id=actor.id, kind="graph", function_name="", source=source,
                          inputs=inputs, purpose=purpose, binding_sha256=binding, state=State.SUBMITTED.value)
        audit.append(session, actor=actor.name, action="request.submitted", subject=row.id,
                     payload={"binding_sha256": binding, "datasets": names, "purpose": row.purpose, "kind": "graph"})
        decision = decide_safely(requests.policy, "compute", lambda: compute_context(session, actor, row.purpose, profile, [dataset]))
        state = record_compute_decision(session, row, decision, profile)
        if state is State.QUEUED:  # runs now, in this thread: no second transaction to start it
            transition(session, row, State.RUNNING, actor="vault")
        insert_request(session, row, [dataset.id])  # as the decision left it: one write, with its audit entries
        if state is State.QUEUED:
            job = requests.graphs.prepare_graph(session, row, dataset)
        else:
            view = public_view(session, row)
    answer = requests.graphs.run_graph(job, row, actor) if job is not None else GraphAnswer(view)
    requests.notifier.notify()
    return answer


def _bound(dataset, asset) -> dict:
    chosen = dataset.asset(asset if isinstance(asset, str) else None)
    if chosen.kind not in ("table", "texts", "images"):
        raise InvalidInput(f"{dataset.name}/{asset} ({chosen.kind}) cannot be queried with pointers")
    return {"dataset": dataset.name, "dataset_id": dataset.id, "asset": chosen.name, "kind": chosen.kind, "items_root": chosen.items_root}
