"""The pointer base: a graph plus the session that evaluates it, and answers that are values.

``Pointer`` holds a JSON operation graph (``sealroom.core.graph``) and a ``PointerSession``, never
data. ``_then`` adds one node and type-checks the graph at once; ``.mock()`` evaluates it here on
the mock, ``.get()``/``.aget()`` sends it to the vault. The concrete pointers live in
``pointers.py`` (frames, series, group-bys) and ``pointer_arrays.py`` (image arrays, tensors).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import numpy as np

from sealroom.core.errors import InvalidInput
from sealroom.core.graph.evaluate import evaluate
from sealroom.core.graph.lineage import infer
from sealroom.core.graph.provenance import SourceData
from sealroom.core.graph.registry import OPS
from sealroom.core.graph.wire import Graph, Node
from sealroom.core.hashing import sha256_json

_NO_DATA = "(no data here; .mock() or .get())"


class PointerSession(Protocol):
    """Where a pointer's mock comes from and where its graph is sent."""

    def mock_source(self, dataset: str, asset: str) -> SourceData: ...

    def run_graph(self, graph: dict, purpose: str | None) -> Any: ...


def _node(op: str, inputs: list[str], args: dict) -> dict:
    return {"id": "h" + sha256_json([op, inputs, args])[:16], "op": op, "inputs": inputs, "args": args}


class Pointer:
    """A value in the vault that is not here: a graph and the session to evaluate it with."""

    __array_ufunc__ = None  # numpy defers to our operators and refuses ufuncs

    def __init__(self, graph: dict, session: PointerSession) -> None:
        self._graph = graph
        self._session = session

    def __getattr__(self, name: str):
        """Refuse an undeclared operation with the list of supported ones (never builds a node)."""
        if name.startswith("_"):
            raise AttributeError(name)
        supported = ", ".join(sorted(n for n in dir(type(self)) if not n.startswith("_")))
        raise AttributeError(f"{name!r} is not a supported operation on a {type(self).__name__}{self._column_hint(name)}; supported: {supported}")

    def _column_hint(self, name: str) -> str:
        """Words added to the refusal of ``name`` (a frame points at its column syntax)."""
        return ""

    # -- building ---------------------------------------------------------------------------
    def _then(self, cls: type, op: str, args: dict, *others: Pointer) -> Any:
        """A new pointer of ``cls``: this graph (and ``others``') plus one node, type-checked now."""
        args = {k: v for k, v in args.items() if v is not None}
        nodes, kinds = {}, []
        for pointer in (self, *others):
            for node in pointer._graph["nodes"]:
                nodes.setdefault(node["id"], node)
            kinds += [k for k in pointer._graph["kinds"] if k not in kinds]
        node = _node(op, [self._graph["output"], *(o._graph["output"] for o in others)], args)
        nodes.setdefault(node["id"], node)
        graph = {"nodes": list(nodes.values()), "output": node["id"], "kinds": kinds}
        _check(graph)
        return cls(graph, self._session)

    def _type(self) -> str:
        """``frame``, ``series``, ``aggregate``, ... of this pointer's output (from the lineage check)."""
        return _check(self._graph)[self._graph["output"]].type

    # -- evaluating -------------------------------------------------------------------------
    def graph_json(self) -> dict:
        """The wire graph: only the nodes the output depends on, numbered ``n0, n1, ...``."""
        graph = Graph(nodes=tuple(Node(n["id"], n["op"], tuple(n["inputs"]), n["args"]) for n in self._graph["nodes"]),
                      output=self._graph["output"])
        return graph.pruned().renumbered().to_json()

    def mock(self) -> Any:
        """Evaluate here on the public mock: the plain pandas answer, no disclosure control."""
        graph = Graph.from_json(self.graph_json())
        sources = {}
        for node in graph.nodes:
            if node.op == "source":
                key = (node.args["dataset"], node.args["asset"])
                sources[key] = self._session.mock_source(*key)
        return self._convert(evaluate(graph, sources).value)

    def get(self, purpose: str | None = None) -> Any:
        """Send the graph to the vault; the released (protected) answer, or an error saying why not."""
        return self._convert(self._session.run_graph(self.graph_json(), purpose))

    async def aget(self, purpose: str | None = None) -> Any:
        """``get`` without blocking the event loop (runs in a thread)."""
        return await asyncio.to_thread(self.get, purpose)

    def _convert(self, value: Any) -> Any:
        return value

    # -- refusals ---------------------------------------------------------------------------
    def __bool__(self) -> bool:
        raise InvalidInput(f"a {type(self).__name__} has no truth value here (it is not evaluated); "
                           "use .mock() or .get() to get a value, and combine masks with & | ~")

    def __iter__(self):
        raise InvalidInput(f"a {type(self).__name__} cannot be iterated here: it holds no data; "
                           "use .mock() (the mock) or .get() (the released answer)")

    def __len__(self) -> int:
        raise InvalidInput(f"len() of a {type(self).__name__} is not known here; use .shape.get(), .count() or .mock()")

    def __array__(self, *args, **kwargs):
        raise InvalidInput(f"a {type(self).__name__} cannot become a numpy array here; use .mock() or .get()")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {_expression(self._graph)} {_NO_DATA}>"


def _check(graph: dict) -> dict:
    """Run the lineage check (types, args, row bases) on a pointer's graph."""
    nodes = tuple(Node(n["id"], n["op"], tuple(n["inputs"]), n["args"]) for n in graph["nodes"])
    kinds = {(d, a): k for d, a, k in graph["kinds"]}
    return infer(Graph(nodes=nodes, output=graph["output"]), kinds)


def _expression(graph: dict, limit: int = 10) -> str:
    by_id = {n["id"]: n for n in graph["nodes"]}
    chain, node = [], by_id[graph["output"]]
    while True:
        chain.append(node)
        if not node["inputs"]:
            break
        node = by_id[node["inputs"][0]]
    steps = [f"{n['args']['dataset']}/{n['args']['asset']}" if n["op"] == "source" else _step(n) for n in reversed(chain)]
    if len(steps) > limit:
        steps = steps[:2] + ["..."] + steps[-(limit - 3):]
    return " → ".join(steps)


def _step(node: dict) -> str:
    """``op(args)``, showing only the arguments that differ from the op's defaults."""
    spec = next(op for (_, name), op in OPS.items() if name == node["op"]).args
    shown = [",".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in node["args"].items()
             if k not in ("single", "literals") and v not in (None, [], {}) and (k not in spec or v != spec[k].default)]
    text = ", ".join(shown)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{node['op']}({text})" if text else node["op"]


def _literal(value: Any, what: str) -> Any:
    """A scalar operand as a JSON literal (numpy scalars become Python numbers)."""
    if hasattr(value, "item") and not isinstance(value, Pointer):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise InvalidInput(f"{what} must be a number, string, bool or None, or a pointer of the same rows; got {type(value).__name__}")


def _labels(value: Any) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    return list(value)


class RemoteValue(Pointer):
    """A scalar, tuple or array answer (a mean, a shape, a histogram) that is not here yet."""


class RemoteTensorValue(RemoteValue):
    """An answer from a ``RemoteTensor``: ``.mock()``/``.get()`` return ``torch.Tensor``."""

    def _convert(self, value: Any) -> Any:
        return _to_torch(value)


def _to_torch(value: Any) -> Any:
    import torch  # only when a tensor is asked for

    if isinstance(value, tuple):
        return value
    return torch.as_tensor(np.asarray(value))
