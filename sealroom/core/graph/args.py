"""Argument specs of graph operations and their checks.

Every argument of every op is a JSON literal of one of a few shapes (``Arg.kind``). The checks
here run before anything touches data, so a bad argument is refused with a message that names
the op, the argument and what is expected. Regular expressions are compiled by RE2 (through
pyarrow compute) to validate them: Python's ``re`` never sees a pattern meant for private data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sealroom.core.errors import InvalidInput

MAX_PATTERN = 200
MAX_BINS = 10_000


@dataclass(frozen=True)
class Arg:
    """``kind``: str, label, labels, names (may be empty), label_or_labels, bool, int, number, scalar, scalars, pattern, pair, bins, axis,
    literals. ``choices`` restricts a str; ``default`` fills an absent optional argument."""

    kind: str
    required: bool = False
    choices: tuple = ()
    default: Any = None


def check_arg(op: str, name: str, spec: Arg, value: Any) -> Any:
    """Return ``value`` (normalised) if it fits ``spec``, else raise ``InvalidInput``."""
    where = f"{op}({name}=...)"
    if value is None and not spec.required and spec.kind not in ("bool", "int"):
        return None
    checker = _CHECKS[spec.kind]
    value = checker(where, value)
    if spec.choices and value not in spec.choices:
        raise InvalidInput(f"{where}: {value!r} is not allowed; choose one of {', '.join(map(str, spec.choices))}")
    return value


def _str(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{where} must be a string")
    return value


def _label(where: str, value: Any) -> str | int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput(f"{where} must be a column name (a string or an integer)")
    return value


def _labels(where: str, value: Any) -> list:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [value]
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{where} must be a column name or a non-empty list of column names")
    return [_label(where, v) for v in value]


def _names(where: str, value: Any) -> list:
    """A list of column names, possibly empty."""
    return [] if value == [] else _labels(where, value)


def _label_or_labels(where: str, value: Any) -> str | int | list:
    """One name stays one name (pandas treats ``values="n"`` and ``values=["n"]`` differently)."""
    return _label(where, value) if isinstance(value, (str, int)) and not isinstance(value, bool) else _labels(where, value)


def _bool(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{where} must be true or false")
    return value


def _int(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{where} must be an integer")
    return value


def _number(where: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"{where} must be a finite number")
    return value


def _scalar(where: str, value: Any) -> Any:
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise InvalidInput(f"{where} must be a single value (a string, number, bool or null)")
    return value


def _scalars(where: str, value: Any) -> list:
    if not isinstance(value, list):
        raise InvalidInput(f"{where} must be a list of values")
    return [_scalar(where, v) for v in value]


def _pair(where: str, value: Any) -> list[float]:
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidInput(f"{where} must be a pair [low, high] of numbers")
    low, high = (_number(where, v) for v in value)
    if low > high:
        raise InvalidInput(f"{where}: low ({low}) must not exceed high ({high})")
    return [low, high]


def _bins(where: str, value: Any) -> int | list[float]:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_BINS:
            raise InvalidInput(f"{where} must be between 1 and {MAX_BINS} bins")
        return value
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_BINS + 1:
        raise InvalidInput(f"{where} must be a number of bins or a list of at least two increasing edges")
    edges = [_number(where, v) for v in value]
    if any(b <= a for a, b in zip(edges, edges[1:])):
        raise InvalidInput(f"{where}: bin edges must increase")
    return edges


def _axis(where: str, value: Any) -> int | list[int]:
    if isinstance(value, list):
        axes = [_int(where, v) for v in value]
        if len(set(axes)) != len(axes):
            raise InvalidInput(f"{where}: an axis is repeated")
        return axes
    return _int(where, value)


def _literals(where: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} must be an object of name: value")
    return {key: _scalar(where, v) for key, v in value.items()}


def _pattern(where: str, value: Any) -> str:
    """A regular expression RE2 accepts, at most ``MAX_PATTERN`` characters."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pattern = _str(where, value)
    if len(pattern) > MAX_PATTERN:
        raise InvalidInput(f"{where}: the pattern has {len(pattern)} characters; the limit is {MAX_PATTERN}")
    try:
        pc.count_substring_regex(pa.array([""], pa.string()), pattern=pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput(
            f"{where}: {pattern!r} is not a valid regular expression for RE2 "
            "(no backreferences or lookaround); fix the pattern",
            detail=str(exc),
        ) from None
    return pattern


_CHECKS = {
    "str": _str, "label": _label, "labels": _labels, "label_or_labels": _label_or_labels, "names": _names, "bool": _bool, "int": _int, "number": _number,
    "scalar": _scalar, "scalars": _scalars, "pair": _pair, "bins": _bins, "axis": _axis,
    "literals": _literals, "pattern": _pattern,
}
