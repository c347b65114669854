"""Pointers to image assets: ``RemoteArray`` (numpy answers) and ``RemoteTensor`` (torch answers).

A reduction over axis 0 (the items) is an aggregate, protected per cell on ``.get()``; one that
keeps axis 0 is row-shaped and goes to review.
"""

from __future__ import annotations

from typing import Any

from sealroom.client.pointer_base import Pointer, RemoteTensorValue, RemoteValue, _to_torch


def _reduction(func: str):
    """``array.func(axis=None)``; on a ``RemoteTensor`` also ``dim=`` (an alias of ``axis``)."""
    def method(self, axis: Any = None, dim: Any = None):
        return self._reduce(func, dim if dim is not None else axis)
    method.__name__ = method.__qualname__ = func
    return method


class RemoteArray(Pointer):
    """An images asset as a uint8 array ``(N, H, W, 3)``: reductions, shape and dtype."""

    _value_class: type = RemoteValue

    def _reduce(self, func: str, axis: Any) -> Any:
        axis = axis if axis is None or isinstance(axis, int) else [int(a) for a in axis]
        keeps_items = axis is not None and 0 not in ([axis] if isinstance(axis, int) else axis)
        return self._then(type(self) if keeps_items else self._value_class, "reduce", {"func": func, "axis": axis})

    sum, mean, std, min, max = (_reduction(f) for f in ("sum", "mean", "std", "min", "max"))

    @property
    def shape(self) -> RemoteValue:
        """``(N, H, W, 3)`` as a pointer: N is a count, protected like one."""
        return self._then(RemoteValue, "shape", {})

    @property
    def dtype(self) -> str:
        """The element type, answered here from the mock (public metadata)."""
        return self._then(RemoteValue, "dtype", {}).mock()

    def as_tensor(self) -> RemoteTensor:
        """The same pointer, answering with ``torch.Tensor``s."""
        return RemoteTensor(self._graph, self._session)


class RemoteTensor(RemoteArray):
    """``RemoteArray`` whose answers are ``torch.Tensor``s; reductions also take ``dim=``."""

    _value_class = RemoteTensorValue

    def _convert(self, value: Any) -> Any:
        return _to_torch(value)
