"""The policy engine's view of a pointer query: an operation graph profiled like code.

A graph carries no code, so its profile has no imports and no flags; what matters is its
``output_kind``: ``aggregate`` when the output is derived from an aggregate (or is metadata such
as a shape), ``table`` when it returns records. The default pack sends ``table`` to review before
the query runs (``review-non-aggregate-output``), exactly as it does for code that returns rows.
"""

from __future__ import annotations

from collections.abc import Mapping

from sealroom.core.graph.lineage import infer, output_shape
from sealroom.core.graph.wire import Graph


def profile_graph(graph: Graph, kinds: Mapping[tuple[str, str], str] | None = None) -> dict:
    """A ``CodeProfile.to_dict()``-shaped profile of ``graph``; ``kinds``: (dataset, asset) -> asset kind.

    Type-checks the graph against the operation registry first, so an unknown operation or a
    malformed argument raises ``InvalidInput``/``UnknownOperation`` with the supported ones.
    """
    shape = output_shape(infer(graph, kinds)[graph.output])
    return {"parses": True, "imports": [], "unlisted_imports": [], "flags": [], "findings": [],
            "output_kind": "table" if shape == "rows" else "aggregate", "output_source": "graph"}
