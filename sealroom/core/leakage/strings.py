"""Every string a decoded result carries, and the sequences of them a reader would join up.

Contract
--------
``extract_strings(value)`` returns every string in ``value``, in a stable order:

- a ``str`` (free text): itself;
- a JSON value: every object key and every string value, at any depth, in document order;
- a pandas DataFrame: column labels (every level) and their names, index values (every level)
  and names, every cell of every non-numeric column (strings, bytes, categoricals — all
  categories, used or not — and strings nested in lists/dicts/arrays from Arrow list/struct/map
  columns), and strings in ``DataFrame.attrs``;
- a PIL image: every string or bytes value in its metadata (``info``, PNG text chunks).

Bytes are decoded as UTF-8 with replacement characters, so ASCII text in a binary value is seen.

``text_groups(value)`` returns ``TextGroup``s to scan. Each group's ``joined()`` text is its
strings joined by one space, so a passage split over consecutive strings is one run again:

- JSON: all strings in document order; the values found at the same path pattern (list indices
  wildcarded, e.g. ``$.rows[*].line``) in order; the keys of the objects at one path pattern;
- DataFrame: the column labels; each index level (in row order); each text column (cells in row
  order); all text cells row by row (row-major); each categorical column's categories; attrs.

Every string appears in at least one group (groups of one string are dropped when a larger group
already holds it), so scanning the groups scans every string. ``TextGroup.where`` says where the
strings came from; it can contain private text (a column label may be a copied line), so it
belongs in private details only. Traversal is iterative: deep nesting cannot overflow the stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np


@dataclass(frozen=True)
class TextGroup:
    """Strings that belong together, in order; ``where`` is PRIVATE (may quote labels)."""

    where: str
    texts: tuple[str, ...]

    def joined(self) -> str:
        return " ".join(self.texts)


def extract_strings(value: Any) -> list[str]:
    """Every string in ``value`` (see the module docstring)."""
    return [text for group in _all_groups(value) if group.where.startswith(_PRIMARY) for text in group.texts]


def text_groups(value: Any) -> list[TextGroup]:
    """The groups to scan (see the module docstring); empty groups are left out."""
    groups = _all_groups(value)
    return [g for g in groups if g.texts and (g.where.startswith(_PRIMARY) or len(g.texts) > 1)]


# Primary groups together hold every string exactly once; the others regroup the same strings.
_PRIMARY = "all "


def _all_groups(value: Any) -> list[TextGroup]:
    if isinstance(value, str):
        return [TextGroup("all text", (value,))]
    if _is_frame(value):
        return _frame_groups(value)
    if _is_image(value):
        return [TextGroup("all image metadata", tuple(_strings_in(_image_metadata(value))))]
    return _json_groups(value)


def _is_frame(value: Any) -> bool:
    import pandas as pd

    return isinstance(value, pd.DataFrame)


def _is_image(value: Any) -> bool:
    from PIL import Image

    return isinstance(value, Image.Image)


def _image_metadata(image: Any) -> list[Any]:
    return [image.info, dict(getattr(image, "text", None) or {})]


def _strings_in(value: Any) -> Iterator[str]:
    """Every string (and decoded bytes) nested anywhere in ``value``, depth-first, in order."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield str(node)
        elif isinstance(node, (bytes, bytearray, memoryview)):
            yield bytes(node).decode("utf-8", errors="replace")
        elif isinstance(node, dict):
            for key, item in reversed(list(node.items())):
                stack.append(item)
                stack.append(key)
        elif isinstance(node, np.ndarray):
            if node.dtype.kind in "OUSV":
                stack.extend(reversed(node.ravel().tolist()))
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(reversed(list(node)))


def _json_groups(value: Any) -> list[TextGroup]:
    """Document order, plus per path pattern (values and keys)."""
    document: list[str] = []
    values: dict[int, list[str]] = {}
    keys: dict[int, list[str]] = {}
    path_ids: dict[tuple[int, str | None], int] = {}
    parents: list[tuple[int, str | None]] = [(-1, None)]  # path id -> (parent id, key or None for [*])

    def child(parent: int, key: str | None) -> int:
        ident = path_ids.get((parent, key))
        if ident is None:
            ident = path_ids[(parent, key)] = len(parents)
            parents.append((parent, key))
        return ident

    stack: list[tuple[Any, int, bool]] = [(value, 0, False)]  # (node, path id, node is a key)
    while stack:
        node, path, is_key = stack.pop()
        if isinstance(node, str):
            document.append(node)
            (keys if is_key else values).setdefault(path, []).append(node)
        elif isinstance(node, dict):
            for key, item in reversed(list(node.items())):
                stack.append((item, child(path, str(key)), False))
                stack.append((str(key), path, True))
        elif isinstance(node, (list, tuple)):
            element = child(path, None)
            stack.extend((item, element, False) for item in reversed(node))
    groups = [TextGroup("all strings in document order", tuple(document))]
    groups += [TextGroup(f"values at {_label(parents, p)}", tuple(t)) for p, t in values.items()]
    groups += [TextGroup(f"keys at {_label(parents, p)}", tuple(t)) for p, t in keys.items()]
    return groups


def _label(parents: list[tuple[int, str | None]], path: int) -> str:
    parts = []
    while path > 0:
        path, key = parents[path]
        parts.append("[*]" if key is None else "." + (key if len(key) <= 40 else key[:37] + "..."))
    return "$" + "".join(reversed(parts))


def _frame_groups(frame: Any) -> list[TextGroup]:
    import pandas as pd

    labels = list(_strings_in([list(frame.columns), list(frame.columns.names)]))
    index_groups = []
    for level in range(frame.index.nlevels):
        level_values = frame.index.get_level_values(level)
        cells = _cell_texts(pd.Series(level_values, copy=False))
        names = list(_strings_in(frame.index.names[level]))
        if cells is not None or names:
            index_groups.append((f"index level {level}", tuple(names + [c for c in cells or [] if c])))
    columns = []
    categories = []
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        cells = _cell_texts(series)
        if cells is not None:
            columns.append((f"column {position} ({str(frame.columns[position])[:40]!r})", cells))
        if isinstance(series.dtype, pd.CategoricalDtype):
            names = tuple(_strings_in(list(series.cat.categories)))
            categories.append(TextGroup(f"categories of column {position}", names))
    rows = tuple(cell for row in zip(*(cells for _, cells in columns)) for cell in row if cell) if columns else ()
    attrs = tuple(_strings_in(dict(frame.attrs)))
    groups = [TextGroup("all column labels", tuple(labels))]
    groups += [TextGroup("all " + where, texts) for where, texts in index_groups]
    groups.append(TextGroup("all cells, row by row", rows))
    groups += [TextGroup(where, tuple(c for c in cells if c)) for where, cells in columns if len(columns) > 1]
    groups += [TextGroup("all " + g.where, g.texts) for g in categories]
    groups.append(TextGroup("all attrs", attrs))
    return groups


def _cell_texts(series: Any) -> list[str] | None:
    """Per row, the strings in the cell joined by a space; None for numeric/temporal columns."""
    import pandas as pd
    from pandas.api import types

    dtype = series.dtype
    if not isinstance(dtype, pd.CategoricalDtype) and (
        types.is_bool_dtype(dtype) or types.is_numeric_dtype(dtype)
        or types.is_datetime64_any_dtype(dtype) or types.is_timedelta64_dtype(dtype)
    ):
        return None
    out = []
    for cell in series.astype(object).tolist():
        if isinstance(cell, str):
            out.append(cell)
        else:
            out.append(" ".join(_strings_in(cell)))
    return out
