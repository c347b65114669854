"""Hand-written graphs for the graph tests: ``node(id, op, inputs, **args)`` and ``graph(*nodes)``."""

from __future__ import annotations

from sealroom.core.graph import Graph

DS = "northwind-scripts"


def node(node_id: str, name: str, inputs: list, /, **args) -> dict:
    return {"id": node_id, "op": name, "inputs": inputs, "args": args}


def graph(*nodes: dict) -> Graph:
    """A graph of ``nodes`` whose output is the last one."""
    return Graph.from_json({"version": 1, "nodes": list(nodes), "output": nodes[-1]["id"]})


LINES = node("L", "source", [], dataset=DS, asset="dialogue")
CAST = node("C", "source", [], dataset=DS, asset="cast")
