"""Row-wise series operations: comparisons, logic, arithmetic, membership, missing values, text.

Regular expressions (``str_count``, ``str_contains``) run through pyarrow compute, which uses
RE2 (linear time, no backreferences): Python's ``re`` never runs on private text. Binary
operations need both series to have the same rows (checked by the lineage before evaluation).
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from sealroom.core.errors import InvalidInput
from sealroom.core.graph.plan import Call
from sealroom.core.graph.provenance import SeriesValue
from sealroom.core.graph.registry import implements

_COMPARE = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}
_LOGICAL = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}
_ARITH = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
          "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow}


def _derived(value: SeriesValue, series: pd.Series, other: SeriesValue | None = None) -> SeriesValue:
    origin = value.origin | other.origin if other is not None else value.origin
    return SeriesValue(series, value.prov, origin)


def _binary(call: Call, table: dict, what: str) -> SeriesValue:
    value = call.inputs[0]
    other = call.inputs[1] if len(call.inputs) > 1 else None
    fn = table[call.args["op"]]
    right = other.series if other is not None else call.args.get("value")
    try:
        if call.args.get("reverse"):
            result = fn(right, value.series)
        else:
            result = fn(value.series, right)
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise InvalidInput(f"cannot {what} a series of {value.series.dtype} with that operand; check the types", detail=str(exc)) from None
    return _derived(value, result, other)


@implements("compare", "series")
def compare(call: Call) -> SeriesValue:
    return _binary(call, _COMPARE, "compare")


@implements("logical", "series")
def logical(call: Call) -> SeriesValue:
    for value in call.inputs:
        if not pd.api.types.is_bool_dtype(value.series.dtype):
            raise InvalidInput(f"& | ^ combine boolean masks; got a series of {value.series.dtype} (add parentheses: (a > 1) & (b < 2))")
    return _binary(call, _LOGICAL, "combine")


@implements("arith", "series")
def arith(call: Call) -> SeriesValue:
    return _binary(call, _ARITH, "do arithmetic on")


@implements("invert", "series")
def invert(call: Call) -> SeriesValue:
    value = call.inputs[0]
    if not (pd.api.types.is_bool_dtype(value.series.dtype) or pd.api.types.is_integer_dtype(value.series.dtype)):
        raise InvalidInput(f"~ inverts a boolean mask; got a series of {value.series.dtype}")
    return _derived(value, ~value.series)


@implements("isin", "series")
def isin(call: Call) -> SeriesValue:
    value = call.inputs[0]
    return _derived(value, value.series.isin(call.args["values"]))


@implements("isna", "series")
def isna(call: Call) -> SeriesValue:
    return _derived(call.inputs[0], call.inputs[0].series.isna())


@implements("notna", "series")
def notna(call: Call) -> SeriesValue:
    return _derived(call.inputs[0], call.inputs[0].series.notna())


def _text(value: SeriesValue, method: str) -> pd.Series:
    series = value.series
    if not pd.api.types.is_string_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise InvalidInput(f".str.{method}() needs a text column; this series holds {series.dtype}")
    return series


@implements("str_len", "series")
def str_len(call: Call) -> SeriesValue:
    value = call.inputs[0]
    return _derived(value, _text(value, "len").str.len())


@implements("str_lower", "series")
def str_lower(call: Call) -> SeriesValue:
    value = call.inputs[0]
    return _derived(value, _text(value, "lower").str.lower())


@implements("str_count", "series")
def str_count(call: Call) -> SeriesValue:
    import pyarrow.compute as pc

    value = call.inputs[0]
    series = _text(value, "count")
    counts = _regex(pc.count_substring_regex, series, pattern=call.args["pattern"])
    data = counts.to_numpy(zero_copy_only=False)
    if counts.null_count:
        out = pd.Series(np.where(counts.is_null().to_numpy(zero_copy_only=False), np.nan, data).astype(np.float64),
                        index=series.index, name=series.name)
    else:
        out = pd.Series(data.astype(np.int64), index=series.index, name=series.name)
    return _derived(value, out)


@implements("str_contains", "series")
def str_contains(call: Call) -> SeriesValue:
    import pyarrow.compute as pc

    value = call.inputs[0]
    series = _text(value, "contains")
    found = _regex(pc.match_substring_regex, series, pattern=call.args["pattern"], ignore_case=not call.args["case"])
    data = found.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    return _derived(value, pd.Series(data, index=series.index, name=series.name))


def _regex(function, series: pd.Series, **options):
    """Run an RE2 pyarrow kernel on the series' text (one contiguous array)."""
    import pyarrow as pa

    array = pa.array(series, type=pa.large_string(), from_pandas=True)
    try:
        return function(array, **options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput("the regular expression could not run (RE2); simplify it", detail=str(exc)) from None
