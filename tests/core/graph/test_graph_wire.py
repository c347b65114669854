"""The graph wire format: structure, limits, pruning, canonical hash."""

from __future__ import annotations

import pytest

from sealroom.core.errors import InvalidInput
from sealroom.core.graph import Graph
from sealroom.core.hashing import sha256_json


def _graph(nodes, output=None):
    return {"version": 1, "nodes": nodes, "output": output or nodes[-1]["id"]}


SOURCE = {"id": "n0", "op": "source", "inputs": [], "args": {"dataset": "d", "asset": "a"}}


def test_round_trip_and_canonical_hash():
    data = _graph([SOURCE, {"id": "n1", "op": "column", "inputs": ["n0"], "args": {"name": "line"}}])
    graph = Graph.from_json(data)
    assert graph.to_json() == data
    assert graph.digest() == sha256_json(data)
    reordered = {"output": "n1", "nodes": [dict(reversed(list(n.items()))) for n in data["nodes"]], "version": 1}
    assert Graph.from_json(reordered).digest() == graph.digest()


def test_pruned_and_renumbered():
    data = _graph([
        {**SOURCE, "id": "s"},
        {"id": "unused", "op": "column", "inputs": ["s"], "args": {"name": "x"}},
        {"id": "out", "op": "column", "inputs": ["s"], "args": {"name": "y"}},
    ])
    graph = Graph.from_json(data).pruned().renumbered()
    assert [n.id for n in graph.nodes] == ["n0", "n1"] and graph.output == "n1"
    assert graph.nodes[1].inputs == ("n0",) and graph.nodes[1].args == {"name": "y"}


@pytest.mark.parametrize("data, message", [
    ([], "JSON object"),
    ({"version": 2, "nodes": [SOURCE], "output": "n0"}, "unsupported graph version"),
    ({"version": 1, "nodes": [], "output": "n0"}, "non-empty list of nodes"),
    ({"version": 1, "nodes": [SOURCE], "output": "n0", "code": "x"}, "unknown graph field"),
    (_graph([SOURCE], output="n9"), "output 'n9' is not one of its node ids"),
    (_graph([SOURCE, {**SOURCE}]), "used twice"),
    (_graph([{"id": "n1", "op": "column", "inputs": ["n0"], "args": {"name": "x"}}, SOURCE]), "not an earlier node"),
    (_graph([SOURCE, {"id": "n1", "op": "column", "inputs": ["n1"], "args": {"name": "x"}}]), "not an earlier node"),
    (_graph([{**SOURCE, "args": {"dataset": "d", "asset": float("nan")}}]), "NaN"),
    (_graph([{**SOURCE, "args": {"dataset": "d", "asset": object()}}]), "JSON literals"),
    (_graph([{**SOURCE, "args": {"dataset": "d", "asset": {1, 2}}}]), "JSON literals"),
    (_graph([{**SOURCE, "args": {"dataset": "x" * 1001, "asset": "a"}}]), "limit is 1000"),
    (_graph([{**SOURCE, "args": {"dataset": "d", "asset": list(range(10_001))}}]), "limit is 10000"),
    (_graph([{**SOURCE, "code": "import os"}]), "id, op, inputs and args only"),
])
def test_malformed_graphs_are_refused(data, message):
    with pytest.raises(InvalidInput, match=message):
        Graph.from_json(data)


def test_too_many_nodes():
    nodes = [SOURCE] + [{"id": f"n{i}", "op": "isna", "inputs": [f"n{i - 1}"], "args": {}} for i in range(1, 257)]
    with pytest.raises(InvalidInput, match="257 nodes; the limit is 256"):
        Graph.from_json(_graph(nodes))
    Graph.from_json(_graph(nodes[:256]))
