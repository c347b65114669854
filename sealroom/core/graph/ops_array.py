"""Array operations (images as a uint8 array ``(N, H, W, 3)``): reductions, shape, dtype.

A reduction over axis 0 (the items) is an aggregate: each element of the result is a cell that
every image contributes to, so its facts are computed densely (per-cell totals, largest and
second-largest per-item contribution from the array itself). A reduction that keeps axis 0
(``arr.mean(axis=(1, 2))``: one value per image) stays row-shaped.
"""

from __future__ import annotations

import numpy as np

from sealroom.core.disclosure.cells import Statistic
from sealroom.core.errors import InvalidInput
from sealroom.core.graph.facts import Block, DenseBlock
from sealroom.core.graph.plan import Call, CellPlan, statistics
from sealroom.core.graph.protected import Layout
from sealroom.core.graph.provenance import AggregateValue, ArrayValue
from sealroom.core.graph.registry import FUNC_STATISTIC, implements


def _axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise InvalidInput(f"axis {a} is out of range for an array of {ndim} dimensions")
        if a < 0 and a + ndim == 0:
            raise InvalidInput("name the items axis as 0 (not a negative index)")
        out.append(a % ndim)
    return tuple(sorted(out))


@implements("reduce", "array")
def reduce(call: Call):
    value: ArrayValue = call.inputs[0]
    func, array = call.args["func"], value.array
    axes = _axes(call.args["axis"], array.ndim)
    result = getattr(np, func)(array, axis=axes)
    if 0 not in axes:
        return ArrayValue(np.asarray(result), value.prov)
    prov = value.prov
    n_cells = int(np.size(result))
    layout = Layout("scalar") if np.ndim(result) == 0 else Layout("array", rows=np.arange(n_cells))
    statistic = FUNC_STATISTIC[func]

    def blocks():
        if statistic != Statistic.MAGNITUDE:
            zeros = np.zeros(n_cells)
            return [DenseBlock(span=(0, n_cells), counted=(prov.primary,), sums=zeros, total=zeros, top1=zeros, top2=zeros)]
        inner = tuple(a for a in axes if a != 0)
        per_item = np.abs(array.astype(np.float64)).sum(axis=inner) if inner else np.abs(array.astype(np.float64))
        per_item = per_item.reshape(len(array), n_cells)
        sums = array.astype(np.float64).sum(axis=inner).reshape(len(array), n_cells).sum(axis=0) if inner else array.sum(axis=0).ravel()
        top2 = np.partition(per_item, -2, axis=0)[-2] if len(array) > 1 else np.zeros(n_cells)
        return [DenseBlock(span=(0, n_cells), counted=(prov.primary,), sums=np.asarray(sums, np.float64),
                           total=per_item.sum(axis=0), top1=per_item.max(axis=0, initial=0.0), top2=top2)]

    return CellPlan(aggregate=func, value=result, layout=layout, statistic=statistics(n_cells, statistic), prov=prov, blocks=blocks)


@implements("shape", "array")
def shape(call: Call) -> CellPlan:
    value: ArrayValue = call.inputs[0]
    prov = value.prov
    return CellPlan(aggregate="shape", value=tuple(value.array.shape), layout=Layout("shape"),
                    statistic=statistics(1, Statistic.COUNT), prov=prov, blocks=lambda: [Block(cells=0, counted=(prov.primary,))])


@implements("dtype", "array")
def dtype(call: Call) -> AggregateValue:
    return AggregateValue(str(call.inputs[0].array.dtype))
