"""Frame operations: sources, column selection, filters, assign, merge, row ``head``, shape, dtypes.

Each keeps the provenance in step with the rows: a filter takes a subset, a merge records the
left and right row of every output row (so a repeated row does not count its item twice), and
each column remembers the sources its values were read from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sealroom.core.disclosure.cells import Statistic
from sealroom.core.errors import InvalidInput
from sealroom.core.graph.facts import Block
from sealroom.core.graph.keys import group_keys
from sealroom.core.graph.plan import Call, CellPlan, statistics
from sealroom.core.graph.protected import Layout
from sealroom.core.graph.provenance import AggregateValue, ArrayValue, FrameValue, Provenance, SeriesValue
from sealroom.core.graph.registry import implements

MAX_MERGE_ROWS = 5_000_000


def require_columns(frame: pd.DataFrame, names: list, what: str = "column") -> None:
    """Refuse names the frame lacks (the column names of an asset are public)."""
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise InvalidInput(f"no {what} named {missing[0]!r}; the columns are: {', '.join(map(str, frame.columns))}")


@implements("source", "none")
def source(call: Call):
    key = (call.args["dataset"], call.args["asset"])
    data = call.source(key)
    prov = Provenance.of_source(key, data)
    if data.kind == "images":
        array = np.asarray(data.value)
        if array.dtype != np.uint8 or array.ndim != 4:
            raise InvalidInput("an images asset must decode to a uint8 array (N, H, W, 3); the images differ in size or type")
        return ArrayValue(array, prov)
    if not isinstance(data.value, pd.DataFrame):
        raise InvalidInput(f"the {data.kind} asset {key[1]!r} did not decode to a table")
    return FrameValue(data.value, prov)


@implements("column", "frame")
def column(call: Call) -> SeriesValue:
    value: FrameValue = call.inputs[0]
    name = call.args["name"]
    require_columns(value.frame, [name])
    return SeriesValue(value.frame[name], value.prov, value.origin(name))


@implements("columns", "frame")
def columns(call: Call) -> FrameValue:
    value: FrameValue = call.inputs[0]
    names = call.args["names"]
    require_columns(value.frame, names)
    return FrameValue(value.frame[names], value.prov, {n: value.origin(n) for n in names})


@implements("filter", "frame")
def filter_rows(call: Call) -> FrameValue:
    value, mask = call.inputs
    if not pd.api.types.is_bool_dtype(mask.series.dtype):
        raise InvalidInput(f"a filter needs a boolean mask (e.g. f['n'] > 3), not a series of {mask.series.dtype}")
    keep = mask.series.to_numpy(dtype=bool, na_value=False)
    return FrameValue(value.frame[keep], value.prov.mask(keep), dict(value.origins))


@implements("assign", "frame")
def assign(call: Call) -> FrameValue:
    value, *series = call.inputs
    names, literals = call.args["names"], call.args["literals"]
    new = {name: s.series for name, s in zip(names, series)}
    frame = value.frame.assign(**new, **literals)
    origins = dict(value.origins)
    origins.update({name: s.origin for name, s in zip(names, series)})
    origins.update({name: frozenset({value.prov.primary}) for name in literals})
    return FrameValue(frame, value.prov, origins)


@implements("head", "frame")
def head_rows(call: Call) -> FrameValue:
    value: FrameValue = call.inputs[0]
    frame = value.frame.head(call.args["n"])
    return FrameValue(frame, value.prov.take(np.arange(len(frame)), distinct=True), dict(value.origins))


@implements("dtypes", "frame")
def dtypes(call: Call) -> AggregateValue:
    return AggregateValue(call.inputs[0].frame.dtypes)


@implements("shape", "frame")
def shape(call: Call) -> CellPlan:
    value: FrameValue = call.inputs[0]
    prov = value.prov
    return CellPlan(aggregate="shape", value=value.frame.shape, layout=Layout("shape"), statistic=statistics(1, Statistic.COUNT),
                    prov=prov, blocks=lambda: [Block(cells=0, counted=(prov.primary,))])


@implements("merge", "frame")
def merge(call: Call) -> FrameValue:
    left, right = call.inputs
    on, how = call.args["on"], call.args["how"]
    left_on, right_on = (on, on) if on is not None else (call.args["left_on"], call.args["right_on"])
    require_columns(left.frame, left_on, "column (left side)")
    require_columns(right.frame, right_on, "column (right side)")
    rows = _merged_rows(left.frame[left_on], right.frame[right_on], how)
    if rows > MAX_MERGE_ROWS:
        raise InvalidInput(f"this merge would produce more than {MAX_MERGE_ROWS:,} rows; filter or aggregate before merging",
                           detail=f"{rows} rows")
    lpos, rpos = _temp_name(left.frame, right.frame, "left"), _temp_name(left.frame, right.frame, "right")
    keys = {"on": on} if on is not None else {"left_on": left_on, "right_on": right_on}
    try:
        merged = left.frame.assign(**{lpos: np.arange(len(left.frame))}).merge(
            right.frame.assign(**{rpos: np.arange(len(right.frame))}), how=how, **keys)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput("the merge keys do not match in type (e.g. text against numbers); convert one side", detail=str(exc)) from None
    left_rows = merged.pop(lpos).to_numpy(dtype=np.int64)
    right_rows = merged.pop(rpos).to_numpy(dtype=np.float64, na_value=np.nan)
    right_rows = np.where(np.isnan(right_rows), -1, right_rows).astype(np.int64)
    prov, renamed = Provenance.joined(left.prov, right.prov, left_rows, right_rows)
    origins = _merged_origins(left, right, renamed, on, merged.columns)
    return FrameValue(merged, prov, origins)


def _merged_rows(left_keys: pd.DataFrame, right_keys: pd.DataFrame, how: str) -> int:
    """Rows a merge would produce, counted from key frequencies before merging."""
    names = [f"k{i}" for i in range(left_keys.shape[1])]
    both = pd.concat([left_keys.set_axis(names, axis=1), right_keys.set_axis(names, axis=1)], ignore_index=True)
    grouping = group_keys([both[name] for name in names], names, sort=False, dropna=False)
    n_left = len(left_keys)
    on_left = np.bincount(grouping.codes[:n_left], minlength=grouping.n)
    on_right = np.bincount(grouping.codes[n_left:], minlength=grouping.n)
    rows = int((on_left * on_right).sum())
    if how == "left":
        rows += int(on_left[on_right == 0].sum())
    return rows


def _temp_name(left: pd.DataFrame, right: pd.DataFrame, side: str) -> str:
    name = f"__sealroom_{side}_row"
    while name in left.columns or name in right.columns:
        name += "_"
    return name


def _merged_origins(left: FrameValue, right: FrameValue, renamed: dict, on: list | None, columns: pd.Index) -> dict:
    overlap = (set(left.frame.columns) & set(right.frame.columns)) - set(on or [])
    origins = {}
    for name in left.frame.columns:
        origins[f"{name}_x" if name in overlap else name] = left.origin(name)
    for name in right.frame.columns:
        if on is not None and name in on:
            continue
        origins[f"{name}_y" if name in overlap else name] = frozenset(renamed[s] for s in right.origin(name))
    every = frozenset(s for o in origins.values() for s in o)
    return {name: origins.get(name, every) for name in columns}
