"""The operation graph's wire format (JSON, version 1): parsing, limits, pruning and hashing.

A graph is what a data scientist's pointer expression becomes::

    {"version": 1,
     "nodes": [{"id": "n0", "op": "source", "inputs": [], "args": {"dataset": "d", "asset": "a"}},
               {"id": "n1", "op": "column", "inputs": ["n0"], "args": {"name": "line"}}],
     "output": "n1"}

``Graph.from_json`` checks the *structure* only: node ids, topological order (``inputs`` name
earlier nodes), JSON-literal arguments and the size limits below. Whether each ``op`` exists
for the type of its input, and whether its arguments are right, is the lineage check's job
(``sealroom.core.graph.lineage.infer``), which needs the registry and the kinds of the sources.
Every refusal is an ``InvalidInput`` whose public message names the problem and the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sealroom.core.errors import InvalidInput
from sealroom.core.hashing import sha256_json

VERSION = 1
MAX_NODES = 256
MAX_STRING = 1000
MAX_LIST = 10_000
MAX_DEPTH = 6  # nesting of lists/dicts inside one argument


@dataclass(frozen=True)
class Node:
    """One operation: ``op`` applied to the values of ``inputs`` (earlier node ids) with ``args``."""

    id: str
    op: str
    inputs: tuple[str, ...]
    args: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"id": self.id, "op": self.op, "inputs": list(self.inputs), "args": self.args}


@dataclass(frozen=True)
class Graph:
    """A parsed, structurally valid graph. Nodes are in topological order."""

    nodes: tuple[Node, ...]
    output: str
    version: int = VERSION

    @classmethod
    def from_json(cls, data: Any) -> Graph:
        """Parse and check a wire dict; raise ``InvalidInput`` on anything malformed or too big."""
        if not isinstance(data, dict):
            raise InvalidInput("a graph must be a JSON object with version, nodes and output")
        unknown = set(data) - {"version", "nodes", "output"}
        if unknown:
            raise InvalidInput(f"unknown graph field(s) {sorted(unknown)}; a graph has version, nodes and output")
        if data.get("version") != VERSION:
            raise InvalidInput(f"unsupported graph version {data.get('version')!r}; this vault reads version {VERSION}")
        raw_nodes = data.get("nodes")
        if not isinstance(raw_nodes, list) or not raw_nodes:
            raise InvalidInput("a graph needs a non-empty list of nodes")
        if len(raw_nodes) > MAX_NODES:
            raise InvalidInput(f"the graph has {len(raw_nodes)} nodes; the limit is {MAX_NODES}: split the query")
        nodes: list[Node] = []
        seen: set[str] = set()
        for position, raw in enumerate(raw_nodes):
            node = _parse_node(raw, position, seen)
            seen.add(node.id)
            nodes.append(node)
        output = data.get("output")
        if not isinstance(output, str) or output not in seen:
            raise InvalidInput(f"the graph's output {output!r} is not one of its node ids")
        return cls(nodes=tuple(nodes), output=output)

    def to_json(self) -> dict:
        return {"version": self.version, "nodes": [n.to_json() for n in self.nodes], "output": self.output}

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of the wire form (what a request or receipt names)."""
        return sha256_json(self.to_json())

    def pruned(self) -> Graph:
        """The graph with only the nodes its output depends on."""
        output = self.output
        by_id = {n.id: n for n in self.nodes}
        needed = {output}
        for node in reversed(self.nodes):
            if node.id in needed:
                needed.update(node.inputs)
        return Graph(nodes=tuple(n for n in self.nodes if n.id in needed and n.id in by_id), output=output)

    def renumbered(self) -> Graph:
        """The same graph with ids ``n0, n1, ...`` in order (a canonical spelling for the wire)."""
        names = {node.id: f"n{i}" for i, node in enumerate(self.nodes)}
        nodes = tuple(Node(names[n.id], n.op, tuple(names[i] for i in n.inputs), n.args) for n in self.nodes)
        return Graph(nodes=nodes, output=names[self.output])


def _parse_node(raw: Any, position: int, seen: set[str]) -> Node:
    if not isinstance(raw, dict) or set(raw) - {"id", "op", "inputs", "args"}:
        raise InvalidInput(f"node {position} must be an object with id, op, inputs and args only")
    node_id, op, inputs, args = raw.get("id"), raw.get("op"), raw.get("inputs", []), raw.get("args", {})
    if not isinstance(node_id, str) or not node_id or len(node_id) > 64:
        raise InvalidInput(f"node {position} needs an id: a non-empty string of at most 64 characters")
    if node_id in seen:
        raise InvalidInput(f"node id {node_id!r} is used twice; ids must be unique")
    if not isinstance(op, str) or not op or len(op) > 64:
        raise InvalidInput(f"node {node_id!r} needs an op name (a string)")
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs) or len(inputs) > MAX_NODES:
        raise InvalidInput(f"node {node_id!r}: inputs must be a list of node ids")
    for name in inputs:
        if name not in seen:
            raise InvalidInput(
                f"node {node_id!r} reads {name!r}, which is not an earlier node; "
                "nodes must be listed in order, each reading only nodes before it"
            )
    if not isinstance(args, dict):
        raise InvalidInput(f"node {node_id!r}: args must be an object")
    check_literal(args, where=f"node {node_id!r} args")
    return Node(node_id, op, tuple(inputs), args)


def check_literal(value: Any, *, where: str, depth: int = 0) -> None:
    """Refuse anything but JSON literals within the limits (strings, lists, nesting)."""
    if depth > MAX_DEPTH:
        raise InvalidInput(f"{where} is nested too deeply (more than {MAX_DEPTH} levels)")
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{where} contains NaN or infinity; use null")
        return
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise InvalidInput(f"{where} has a string of {len(value)} characters; the limit is {MAX_STRING}")
        return
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            raise InvalidInput(f"{where} has a list of {len(value)} elements; the limit is {MAX_LIST}")
        for item in value:
            check_literal(item, where=where, depth=depth + 1)
        return
    if isinstance(value, dict):
        if len(value) > MAX_LIST:
            raise InvalidInput(f"{where} has an object of {len(value)} keys; the limit is {MAX_LIST}")
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput(f"{where} has a non-string key; object keys must be strings")
            check_literal(key, where=where, depth=depth + 1)
            check_literal(item, where=where, depth=depth + 1)
        return
    raise InvalidInput(f"{where} contains a {type(value).__name__}; arguments must be JSON literals (str, number, bool, null, lists and objects of those)")
