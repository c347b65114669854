"""The wire codec of a graph's answer: the same Python value on both sides, never a pickle.

``encode_value(value) -> (EncodedResult, hint)`` writes a table (Series or DataFrame) of up to
``JSON_TABLE_CELLS`` cells of numbers, booleans and text as JSON columns (an aggregate usually:
cheap to write, check and read), a larger or richer one as Arrow IPC (through
``sealroom.core.results``), and everything else as JSON; ``hint`` (a small JSON dict) says how
to rebuild the exact type: a Series with its name and index names, a DataFrame with its column
labels (a MultiIndex included), a scalar of the right type (NaN survives), ``(counts, edges)``
of a histogram, an ndarray of its dtype and shape, a shape tuple, a dtype string, dtypes.
``decode_value`` reads it back strictly and refuses a hint it does not know.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from sealroom.core.errors import InvalidInput
from sealroom.core.results import EncodedResult, arrow_to_frame, frame_to_arrow

JSON_TABLE_CELLS = 10_000  # tables up to this many cells, of numbers and text only, travel as JSON columns


def encode_value(value: Any) -> tuple[EncodedResult, dict]:
    """Encode a graph's value; ``InvalidInput`` for a type the codec does not carry."""
    import pandas as pd

    if isinstance(value, pd.Series) and value.dtype == object and len(value) and all(_is_dtype(v) for v in value):
        return _json({"labels": [_label(k) for k in value.index], "dtypes": [str(v) for v in value]}), {"type": "dtypes"}
    if isinstance(value, pd.Series):
        payload, hint = _series(value)
        return payload, {**hint, "type": "series", "name": _label(value.name)}
    if isinstance(value, pd.DataFrame):
        return _frame(value)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, np.ndarray) for v in value):
        counts, edges = value
        return _json({"counts": _list(counts), "edges": _list(edges)}), {"type": "histogram", "dtype": str(counts.dtype)}
    if isinstance(value, tuple):
        return _json([_scalar(v) for v in value]), {"type": "tuple"}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise InvalidInput(f"an array of {value.dtype} cannot be returned; only numeric arrays")
        return _json(_list(value.ravel())), {"type": "ndarray", "dtype": str(value.dtype), "shape": list(value.shape)}
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        kind = "bool" if isinstance(value, (bool, np.bool_)) else "int" if isinstance(value, (int, np.integer)) else \
            "float" if isinstance(value, (float, np.floating)) else "str" if isinstance(value, str) else "none"
        return _json(_scalar(value)), {"type": "scalar", "dtype": kind}
    raise InvalidInput(f"a graph value of type {type(value).__name__} cannot be sent back")


def decode_value(encoded: EncodedResult, hint: dict) -> Any:
    """The value ``encode_value`` encoded, of the same type."""
    kind = hint.get("type") if isinstance(hint, dict) else None
    if encoded.kind == "json":
        return decode_json_value(json.loads(encoded.payload.decode("utf-8")), hint)
    if kind not in ("frame", "series"):
        raise InvalidInput(f"a {kind} value must come as JSON")
    if encoded.kind != "table":
        raise InvalidInput("a table value must come as an Arrow table or JSON columns")
    return _labelled(arrow_to_frame(encoded.payload), hint)


def decode_json_value(data: Any, hint: dict) -> Any:
    """The value ``encode_value`` encoded as JSON, from that JSON already parsed (``data``)."""
    import pandas as pd

    kind = hint.get("type") if isinstance(hint, dict) else None
    if kind in ("frame", "series"):
        table = _from_table_json(data, hint)
        return table if isinstance(table, pd.Series) else _labelled(table, hint)
    if kind == "dtypes":
        return pd.Series([pd.api.types.pandas_dtype(d) for d in data["dtypes"]], index=data["labels"], dtype=object)
    if kind == "histogram":
        counts = np.array([np.nan if c is None else c for c in data["counts"]], dtype=np.float64)
        if not np.isnan(counts).any():
            counts = counts.astype(hint.get("dtype", "int64"))
        return counts, np.array(data["edges"], dtype=np.float64)
    if kind == "tuple":
        return tuple(data)
    if kind == "ndarray":
        flat = np.array([np.nan if v is None else v for v in data], dtype=np.float64)
        dtype = hint["dtype"] if not np.isnan(flat).any() else "float64"
        return flat.astype(dtype).reshape(hint["shape"])
    if kind == "scalar":
        dtype = hint.get("dtype")
        if dtype == "float":
            return math.nan if data is None else float(data)
        return {"int": int, "bool": bool, "str": str}.get(dtype, lambda v: v)(data) if data is not None else None
    raise InvalidInput(f"unknown value hint {kind!r}")


def _labelled(frame, hint: dict):
    """``frame`` (columns in order) with the index, column labels and, for a Series, the name its hint gives."""
    if hint.get("index") is not None:
        frame.index = _index(hint["index"], hint.get("index_names") or [None])
    columns = hint.get("columns")
    if not isinstance(columns, list) or len(columns) != frame.shape[1]:
        raise InvalidInput("the table value does not match its column labels")
    if hint["type"] == "series":
        if len(columns) != 1:
            raise InvalidInput("a series value has one column")
        return frame.iloc[:, 0].rename(hint.get("name"))
    frame.columns = _index(columns, hint.get("column_names") or [None])
    return frame


def _frame(frame) -> tuple[EncodedResult, dict]:
    hint = {"type": "frame", "columns": [_label(c) for c in frame.columns], "column_names": [_label(n) for n in frame.columns.names]}
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    if frame.size <= JSON_TABLE_CELLS and _plain(frame.index, columns):
        return _json(_table_json(frame.index, columns)), {**hint, **_table_hint(frame.index, columns)}
    plain = frame.copy(deep=False)
    plain.columns = [f"c{i}" for i in range(frame.shape[1])]
    if _mixed(frame.index):  # Arrow cannot hold an index of mixed types (e.g. numbers and "All")
        hint.update(index=[_label(v) for v in frame.index], index_names=[_label(n) for n in frame.index.names])
        plain = plain.reset_index(drop=True)
    return EncodedResult("table", frame_to_arrow(plain)), hint


def _series(series) -> tuple[EncodedResult, dict]:
    """A Series as the one-column table ``c0`` (written directly when it travels as JSON)."""
    if len(series) <= JSON_TABLE_CELLS and _plain(series.index, [series]):
        hint = {"type": "frame", "columns": ["c0"], "column_names": [None], **_table_hint(series.index, [series])}
        return _json(_table_json(series.index, [series])), hint
    return _frame(series.to_frame(name="c0"))


def _levels(index) -> list:
    """The index's levels as arrays (none for a RangeIndex, which travels as its range)."""
    import pandas as pd

    return [] if isinstance(index, pd.RangeIndex) else [index.get_level_values(i) for i in range(index.nlevels)]


def _plain(index, columns: list) -> bool:
    """Every column and index level holds numbers, booleans or text (what JSON carries exactly)."""
    return all(_plain_dtype(array.dtype) for array in [*columns, *_levels(index)])


def _plain_dtype(dtype) -> bool:
    import pandas as pd

    if isinstance(dtype, pd.StringDtype):
        return dtype.na_value is not pd.NA  # pandas' "str" (missing is NaN); "string" keeps <NA>, which JSON does not
    return isinstance(dtype, np.dtype) and dtype.kind in "biufO"


def _table_json(index, columns: list) -> dict:
    """Columns as lists (NaN as null); the index as its range, or its levels as lists."""
    import pandas as pd

    rows = {"range": [index.start, index.stop, index.step]} if isinstance(index, pd.RangeIndex) else {"levels": [_list(level) for level in _levels(index)]}
    return {**rows, "columns": [_list(column) for column in columns]}


def _table_hint(index, columns: list) -> dict:
    import pandas as pd

    levels = None if isinstance(index, pd.RangeIndex) else [str(level.dtype) for level in _levels(index)]
    return {"dtypes": [str(column.dtype) for column in columns], "index_dtypes": levels, "index_names": [_label(n) for n in index.names]}


def _from_table_json(data: dict, hint: dict):
    """The frame ``_table_json`` wrote, with the dtypes its hint names (a one-column Series hint
    with no index of its own: the Series itself, labelled)."""
    import pandas as pd

    dtypes, columns = hint.get("dtypes"), data.get("columns") if isinstance(data, dict) else None
    if not isinstance(dtypes, list) or not isinstance(columns, list) or len(dtypes) != len(columns):
        raise InvalidInput("the table value does not match its column types")
    names = hint.get("index_names") or [None]
    if "range" in data:
        index = pd.RangeIndex(*data["range"], name=names[0])
    else:
        levels = [_typed(values, dtype) for values, dtype in zip(data["levels"], hint["index_dtypes"], strict=True)]
        index = pd.MultiIndex.from_arrays(levels, names=names) if len(levels) > 1 else pd.Index(levels[0], name=names[0])
    arrays = [_typed(values, dtype) for values, dtype in zip(columns, dtypes)]
    if hint.get("type") == "series" and len(arrays) == 1 and hint.get("index") is None:  # built directly: no frame to take it from
        return pd.Series(arrays[0], index=index, name=hint.get("name"))
    return pd.DataFrame(dict(enumerate(arrays)), index=index)


def _typed(values: list, dtype: str):
    """A column of ``dtype`` from its JSON values (null: NaN in float and text columns)."""
    import pandas as pd

    if dtype in ("str", "string"):
        return pd.array(values, dtype=dtype)
    if dtype == "object":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    if np.dtype(dtype).kind == "f":
        return np.array([np.nan if v is None else v for v in values], dtype=dtype)
    return np.array(values, dtype=dtype)


def _mixed(index) -> bool:
    levels = index.levels if hasattr(index, "levels") else [index]
    return any(level.dtype == object and len({type(v) for v in level}) > 1 for level in levels)


def _index(labels: list, names: list):
    import pandas as pd

    if labels and all(isinstance(label, list) for label in labels):
        return pd.MultiIndex.from_tuples([tuple(label) for label in labels], names=names)
    return pd.Index(labels, name=names[0] if names else None, dtype=object if _kinds(labels) > 1 else None)


def _kinds(labels: list) -> int:
    return len({type(label) for label in labels if label is not None})


def _label(label: Any) -> Any:
    if isinstance(label, tuple):
        return [_label(part) for part in label]
    return _scalar(label)


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _list(array: np.ndarray) -> list:
    return [_scalar(v) for v in np.asarray(array).tolist()]


def _json(data: Any) -> EncodedResult:
    return EncodedResult("json", json.dumps(data, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _is_dtype(value: Any) -> bool:
    import pandas as pd

    return isinstance(value, (np.dtype, pd.api.extensions.ExtensionDtype))
