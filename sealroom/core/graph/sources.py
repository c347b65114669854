"""From an asset's Arrow IPC bytes (private or mock) to the evaluator's ``SourceData``.

The vault (``private_frames``) and the client's ``.mock()`` (``client/graphs.py``) decode with
this one function, so a pointer sees the same types on the mock as on the private content:
a ``table`` asset is its DataFrame, a ``texts`` asset a DataFrame of ``item_id`` and ``text``,
an ``images`` asset a uint8 array ``(N, H, W, 3)`` (refused when the images differ in size).
"""

from __future__ import annotations

from sealroom.core.graph.provenance import SourceData
from sealroom.core.results import arrow_to_frame, decode_input

__all__ = ["SourceData", "decode_source", "source_nbytes"]


def decode_source(kind: str, payload: bytes, *, item_offset: int = 0) -> SourceData:
    """Decode one asset; row ``r`` becomes content item ``item_offset + r`` of its dataset."""
    if kind in ("table", "texts"):
        return SourceData.from_input(kind, arrow_to_frame(payload), item_offset=item_offset)
    return SourceData.from_input(kind, decode_input(kind, payload), item_offset=item_offset)


def source_nbytes(source: SourceData) -> int:
    """Approximate memory held by a decoded asset (what the frame cache's byte bound counts)."""
    value = source.value
    if hasattr(value, "memory_usage"):
        return int(value.memory_usage(index=True, deep=True).sum())
    return int(getattr(value, "nbytes", 0))
