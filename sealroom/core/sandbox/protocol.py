"""Length-prefixed frames over pipes: a JSON header plus binary parts (never pickle).

Wire format of one frame (all integers big-endian)::

    u32 header_length | header (UTF-8 JSON object) | u32 part_count | (u64 length | bytes) * count

The same framing is used executor <-> zygote (both trusted) and child -> zygote (untrusted: the
job's code can write anything to its result pipe), so the decoders check every length against a
cap before allocating and refuse trailing garbage.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_HEADER_BYTES = 4 * 1024**2
MAX_PARTS = 4096

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")


class ProtocolError(Exception):
    """A frame was malformed, truncated or over a size cap."""


@dataclass(frozen=True)
class Frame:
    header: dict[str, Any]
    parts: list[bytes] = field(default_factory=list)


def encode_frame(header: dict[str, Any], parts: Sequence[bytes] = ()) -> bytes:
    """Serialise one frame; ``header`` must be JSON-able (str keys, finite numbers)."""
    head = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    chunks = [_U32.pack(len(head)), head, _U32.pack(len(parts))]
    for part in parts:
        chunks.append(_U64.pack(len(part)))
        chunks.append(bytes(part))
    return b"".join(chunks)


def read_frame(
    read_exact: Callable[[int], bytes],
    *,
    max_header_bytes: int = MAX_HEADER_BYTES,
    max_total_bytes: int | None = None,
) -> Frame:
    """Read one frame with ``read_exact(n)`` (returns exactly n bytes or raises ``EOFError``)."""
    (head_len,) = _U32.unpack(read_exact(_U32.size))
    if head_len > max_header_bytes:
        raise ProtocolError(f"frame header of {head_len} bytes is over the cap of {max_header_bytes}")
    header = _parse_header(read_exact(head_len))
    (count,) = _U32.unpack(read_exact(_U32.size))
    if count > MAX_PARTS:
        raise ProtocolError(f"frame has {count} parts, over the cap of {MAX_PARTS}")
    parts: list[bytes] = []
    total = 0
    for _ in range(count):
        (size,) = _U64.unpack(read_exact(_U64.size))
        total += size
        if max_total_bytes is not None and total > max_total_bytes:
            raise ProtocolError(f"frame parts exceed the cap of {max_total_bytes} bytes")
        parts.append(read_exact(size) if size else b"")
    return Frame(header, parts)


def decode_frames(data: bytes, *, max_header_bytes: int = MAX_HEADER_BYTES) -> list[Frame]:
    """Decode a buffer that must hold whole frames only (the caller already capped its size)."""
    frames, error = split_frames(data, max_header_bytes=max_header_bytes)
    if error is not None:
        raise error
    return frames


def split_frames(data: bytes, *, max_header_bytes: int = MAX_HEADER_BYTES) -> tuple[list[Frame], ProtocolError | None]:
    """The whole frames at the start of ``data``, and the error that stopped decoding (if any)."""
    view = memoryview(data)
    pos = 0

    def read_exact(n: int) -> bytes:
        nonlocal pos
        if pos + n > len(view):
            raise ProtocolError("truncated frame")
        chunk = view[pos : pos + n].tobytes()
        pos += n
        return chunk

    frames: list[Frame] = []
    while pos < len(view):
        try:
            frames.append(read_frame(read_exact, max_header_bytes=max_header_bytes))
        except ProtocolError as exc:
            return frames, exc
    return frames, None


def fd_reader(fd: int) -> Callable[[int], bytes]:
    """A blocking ``read_exact`` over a file descriptor."""

    def read_exact(n: int) -> bytes:
        chunks = []
        remaining = n
        while remaining:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                raise EOFError(f"pipe closed with {remaining} of {n} bytes unread")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    return read_exact


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (pipes may accept partial writes)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _parse_header(raw: bytes) -> dict[str, Any]:
    try:
        header = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"frame header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not a JSON object")
    return header


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")
