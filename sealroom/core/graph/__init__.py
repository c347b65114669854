"""Remote pointers' operation graphs: wire format, registry, lineage checks, evaluator, codec.

A pointer expression (``sealroom.client.pointers``) is a JSON graph (``wire.Graph``) of
operations declared in ``registry``. ``evaluate`` runs it on decoded assets (``SourceData``),
with disclosure control at every aggregate when given a protector; ``values`` carries the
answer back to the client in a pickle-free wire form.
"""

from sealroom.core.graph.evaluate import AggregateTrace, Evaluation, Protector, evaluate
from sealroom.core.graph.lineage import infer
from sealroom.core.graph.provenance import SourceData
from sealroom.core.graph.registry import OPS, UnknownOperation, lookup, supported_ops
from sealroom.core.graph.values import decode_value, encode_value
from sealroom.core.graph.wire import Graph, Node

__all__ = [
    "AggregateTrace", "Evaluation", "Graph", "Node", "OPS", "Protector", "SourceData", "UnknownOperation",
    "decode_value", "encode_value", "evaluate", "infer", "lookup", "supported_ops",
]
