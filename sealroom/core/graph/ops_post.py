"""Post-aggregate operations: reorder, limit, round or select the cells of an aggregate.

They run on the aggregate's value *after* disclosure control, so they only ever see cells that
were released (a suppressed cell is gone or NaN, and cannot be ranked).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sealroom.core.errors import InvalidInput
from sealroom.core.graph.plan import Call
from sealroom.core.graph.provenance import AggregateValue
from sealroom.core.graph.registry import implements


def _table(call: Call, what: str):
    value = call.inputs[0].value
    if not isinstance(value, (pd.Series, pd.DataFrame)):
        raise InvalidInput(f"{what} applies to an aggregate Series or DataFrame, not to a {type(value).__name__}")
    return value


@implements("sort_values", "aggregate")
def sort_values(call: Call) -> AggregateValue:
    value = _table(call, "sort_values")
    by, ascending = call.args["by"], call.args["ascending"]
    if isinstance(value, pd.DataFrame):
        if by is None:
            raise InvalidInput("sort_values on a table needs by=<column>")
        if by not in value.columns:
            raise InvalidInput(f"no column {by!r} to sort by; the columns are: {', '.join(map(str, value.columns))}")
        return AggregateValue(value.sort_values(by, ascending=ascending))
    if by is not None:
        raise InvalidInput("sort_values on a Series takes no by=")
    return AggregateValue(value.sort_values(ascending=ascending))


@implements("head", "aggregate")
def head(call: Call) -> AggregateValue:
    return AggregateValue(_table(call, "head").head(call.args["n"]))


@implements("round", "aggregate")
def round_cells(call: Call) -> AggregateValue:
    value = call.inputs[0].value
    decimals = call.args["decimals"]
    if isinstance(value, (pd.Series, pd.DataFrame)):
        return AggregateValue(value.round(decimals))
    if isinstance(value, tuple):
        raise InvalidInput("round applies to a number, Series or DataFrame; round the counts of a histogram yourself")
    return AggregateValue(np.round(value, decimals))


@implements("column", "aggregate")
def column(call: Call) -> AggregateValue:
    value = call.inputs[0].value
    name = call.args["name"]
    if not isinstance(value, pd.DataFrame):
        raise InvalidInput("[...] selects a column of an aggregate table; this aggregate is not a table")
    if name not in value.columns:
        raise InvalidInput(f"no column {name!r} in this aggregate (it may have been suppressed); the columns are: "
                           f"{', '.join(map(str, value.columns))}")
    return AggregateValue(value[name])
