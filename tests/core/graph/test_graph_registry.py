"""The operation registry and the lineage check: only declared ops, with checked arguments and rows."""

from __future__ import annotations

from graph_builders import CAST, LINES, graph, node
import pytest

from sealroom.core.errors import InvalidInput
from sealroom.core.graph import OPS, UnknownOperation, evaluate, infer, supported_ops
from sealroom.core.graph.evaluate import HANDLERS
from sealroom.core.graph.registry import ITEMS, KINDS



def test_every_declared_op_has_a_handler_and_a_doc():
    assert set(HANDLERS) == set(OPS)
    for op in OPS.values():
        assert op.doc and op.kind in KINDS and op.items in ITEMS
        if op.kind == "aggregate":
            assert op.statistic is not None and op.items == "cells"


@pytest.mark.parametrize("name", ["apply", "eval", "__class__", "pipe", "to_csv"])
def test_unknown_operations_are_refused_with_the_supported_list(name, sources):
    query = graph(LINES, node("n1", name, ["L"], func="print"))
    with pytest.raises(UnknownOperation) as caught:
        evaluate(query, sources)
    message = caught.value.public_message
    assert message.startswith(f"{name!r} is not a supported operation on a RemoteFrame; supported: ")
    assert ", ".join(supported_ops("frame")) in message and caught.value.code == "unknown_operation"
    assert isinstance(caught.value, InvalidInput)


def test_an_unknown_first_op_and_an_op_on_the_wrong_type():
    with pytest.raises(UnknownOperation, match="the start of a graph; supported: source"):
        infer(graph(node("L", "read_file", [], path="/etc/passwd")))
    with pytest.raises(UnknownOperation, match="'str_len' is not a supported operation on a RemoteFrame"):
        infer(graph(LINES, node("n1", "str_len", ["L"])))


@pytest.mark.parametrize("nodes, message", [
    ([LINES, node("n1", "column", ["L"], name="line", extra=1)], "takes no argument 'extra'"),
    ([LINES, node("n1", "column", ["L"])], "needs the argument 'name'"),
    ([LINES, node("n1", "column", ["L"], name=["line"])], "must be a column name"),
    ([LINES, node("n1", "column", ["L"], name="line"), node("n2", "str_count", ["n1"], pattern="(a")], "not a valid regular expression"),
    ([LINES, node("n1", "column", ["L"], name="line"), node("n2", "str_count", ["n1"], pattern="(a)\\1")], "not a valid regular expression"),
    ([LINES, node("n1", "column", ["L"], name="line"), node("n2", "str_contains", ["n1"], pattern="a" * 201)], "201 characters; the limit is 200"),
    ([LINES, node("n1", "groupby", ["L"], by="speaker"), node("n2", "gb_agg", ["n1"], func="apply")], "choose one of"),
    ([LINES, node("n1", "groupby", ["L"], by="speaker"), node("n2", "gb_agg", ["n1"], func="median", clip=[0, 1])], "clip applies to sum and mean"),
    ([LINES, node("n1", "column", ["L"], name="scene"), node("n2", "compare", ["n1"], op="eq", value={"a": 1})], "single value"),
    ([LINES, node("n1", "column", ["L"], name="scene"), node("n2", "histogram", ["n1"], bins=[3, 2])], "edges must increase"),
    ([LINES, node("n1", "head", ["L"], n=-1)], "n must be 0 or more"),
    ([LINES, node("n1", "column", ["L"], name="scene"), node("n2", "arith", ["n1"], op="add")], "give a value or a second series"),
    ([LINES, node("n1", "column", ["L"], name="scene"), node("n2", "assign", ["L", "n1"], names=["a", "b"])], "one name per series input"),
    ([LINES, node("n1", "filter", ["L"])], "takes 1 input"),
    ([LINES, node("n1", "filter", ["L", "L"])], "must be a series, not a frame"),
])
def test_bad_arguments_and_inputs_are_refused(nodes, message):
    with pytest.raises(InvalidInput, match=message):
        infer(graph(*nodes))


def test_a_mask_from_another_frame_is_refused():
    filtered = [LINES, node("m", "column", ["L"], name="scene"), node("m2", "compare", ["m"], op="gt", value=3),
                node("f", "filter", ["L", "m2"])]
    with pytest.raises(InvalidInput, match="the mask given to filter was built from a different frame"):
        infer(graph(*filtered, node("x", "column", ["L"], name="scene"), node("x2", "compare", ["x"], op="gt", value=4),
                     node("g", "filter", ["f", "x2"])))
    with pytest.raises(InvalidInput, match="different frame"):
        infer(graph(LINES, CAST, node("c1", "column", ["C"], name="name"), node("a", "assign", ["L", "c1"], names=["who"])))
    with pytest.raises(InvalidInput, match="different frame"):
        infer(graph(LINES, CAST, node("c1", "column", ["C"], name="first_episode"), node("l1", "column", ["L"], name="episode_id"),
                     node("eq", "compare", ["l1", "c1"], op="eq")))


def test_a_merge_across_datasets_is_refused():
    other = {"id": "o0", "op": "source", "inputs": [], "args": {"dataset": "someone-elses", "asset": "table"}}
    with pytest.raises(InvalidInput, match="merge joins assets of one dataset only"):
        infer(graph(LINES, other, node("m", "merge", ["L", "o0"], on="speaker")))
    infer(graph(LINES, CAST, node("m", "merge", ["L", "C"], left_on="speaker", right_on="name")))


def test_lineage_types_and_row_bases():
    query = graph(LINES, node("m", "column", ["L"], name="scene"), node("m2", "compare", ["m"], op="gt", value=3),
                   node("f", "filter", ["L", "m2"]), node("c", "column", ["f"], name="speaker"), node("v", "value_counts", ["c"]),
                   node("h", "head", ["v"], n=2))
    infos = infer(query)
    assert [infos[k].type for k in ("L", "m", "m2", "f", "c", "v", "h")] == ["frame", "series", "series", "frame", "series", "aggregate", "aggregate"]
    assert infos["m2"].base == "L" and infos["f"].base == "f" and infos["c"].base == "f"
    assert infos["h"].aggregated and not infos["c"].aggregated
    assert infer(graph(node("L", "source", [], dataset="art", asset="p")), {("art", "p"): "images"})["L"].type == "array"
