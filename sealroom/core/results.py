"""Result wire format: how a computation's return value crosses the trust boundary.

A result is an ``EncodedResult``: a ``kind`` and the bytes of one of three pickle-free formats.

==========  ==============================================  ==================================
kind        the function returned                            payload
==========  ==============================================  ==================================
``json``    None, bool, int, float, str, list/tuple, dict    UTF-8 JSON (no NaN/Infinity)
            with str keys; numpy scalars and small arrays
``table``   a pandas DataFrame or Series                     Arrow IPC stream
``image``   a PIL image                                      PNG
==========  ==============================================  ==================================

``encode_result`` runs inside the sandbox (and in ``f.test()`` on the mock, so a data scientist
learns early that a value cannot leave); ``decode_result`` runs in the vault and the client and
parses strictly, so a hostile payload is refused rather than interpreted.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from sealroom.core.errors import InvalidInput

ResultKind = Literal["json", "table", "image"]
RESULT_KINDS: tuple[ResultKind, ...] = ("json", "table", "image")

#: Largest numpy array (in elements) that is converted to a JSON list.
MAX_JSON_ARRAY_ELEMENTS = 1_000_000
#: PIL decompression-bomb guard for decoded PNGs (pixels).
MAX_IMAGE_PIXELS = 40_000_000

_UNSUPPORTED = (
    "results must be JSON-able values (numbers, strings, lists, dicts with string keys), "
    "a pandas DataFrame or Series, or a PIL image"
)


@dataclass(frozen=True)
class EncodedResult:
    """A result in its wire form: ``kind`` names the format of ``payload``."""

    kind: ResultKind
    payload: bytes

    @property
    def size(self) -> int:
        return len(self.payload)


def encode_result(value: Any) -> EncodedResult:
    """Encode a function's return value, or raise ``InvalidInput`` naming what is wrong."""
    import pandas as pd

    if isinstance(value, pd.Series):
        value = value.to_frame(name=value.name if value.name is not None else "value")
    if isinstance(value, pd.DataFrame):
        return EncodedResult("table", frame_to_arrow(value))
    if _is_pil_image(value):
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        return EncodedResult("image", buffer.getvalue())
    plain = _to_json_value(value, path="result")
    text = json.dumps(plain, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    return EncodedResult("json", text.encode("utf-8"))


def decode_result(result: EncodedResult) -> Any:
    """Parse a payload strictly: JSON value, pandas DataFrame, or PIL image."""
    if result.kind == "json":
        try:
            return json.loads(result.payload.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidInput("the result is not valid JSON", detail=str(exc)) from None
    if result.kind == "table":
        return arrow_to_frame(result.payload)
    if result.kind == "image":
        return decode_png(result.payload)
    raise InvalidInput(f"unknown result kind {result.kind!r}; expected one of {RESULT_KINDS}")


def canonicalize(result: EncodedResult) -> EncodedResult:
    """Decode and re-encode, so the bytes released are exactly what the release gate inspected.

    Drops anything a hand-made payload could carry beside the value itself: Arrow schema or
    field metadata, PNG text chunks and other ancillary data, non-canonical JSON.
    """
    value = decode_result(result)
    if result.kind == "image":
        value = value.convert("RGBA" if "A" in value.getbands() else "RGB")
    return encode_result(value)


def arrow_to_frame(payload: bytes):
    """Read an Arrow IPC stream into a pandas DataFrame (refusing anything else)."""
    import pyarrow as pa

    try:
        with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
            table = reader.read_all()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InvalidInput("the table result is not a valid Arrow IPC stream", detail=str(exc)) from None
    return table.to_pandas()


def decode_png(payload: bytes):
    """Decode PNG bytes into a PIL image, refusing other formats and decompression bombs."""
    from PIL import Image

    if not payload.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput("the image result is not a PNG")
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(payload), formats=["PNG"])
        image.load()
    except Exception as exc:  # PIL raises many types for corrupt data
        raise InvalidInput("the image result could not be decoded as PNG", detail=str(exc)) from None
    return image


def frame_to_arrow(frame) -> bytes:
    """Write a DataFrame as an Arrow IPC stream (object columns must be strings/bytes)."""
    import pyarrow as pa

    frame = frame.copy(deep=False)
    frame.columns = [str(c) for c in frame.columns]
    try:
        table = pa.Table.from_pandas(frame, preserve_index=not _has_default_index(frame))
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise InvalidInput(
            "the DataFrame result has a column Arrow cannot encode (mixed or custom objects); "
            "convert it to numbers or strings",
            detail=str(exc),
        ) from None
    return table_to_ipc(table)


def table_to_ipc(table) -> bytes:
    """Serialise a ``pyarrow.Table`` as an Arrow IPC stream."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _has_default_index(frame) -> bool:
    import pandas as pd

    index = frame.index
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None


def _is_pil_image(value: Any) -> bool:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow is a dependency
        return False
    return isinstance(value, Image.Image)


def _to_json_value(value: Any, *, path: str) -> Any:
    import numpy as np

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _finite(value, path)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return _finite(float(value), path)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise InvalidInput(f"{path} is a numpy array of {value.dtype}; only numeric arrays can be returned")
        if value.size > MAX_JSON_ARRAY_ELEMENTS:
            raise InvalidInput(f"{path} is a numpy array of {value.size} elements; the limit is {MAX_JSON_ARRAY_ELEMENTS}")
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise InvalidInput(f"{path} contains NaN or infinity, which cannot be encoded as JSON")
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_to_json_value(item, path=f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput(f"{path} has a key of type {type(key).__name__}; dict keys must be strings")
            out[key] = _to_json_value(item, path=f"{path}[{key!r}]")
        return out
    raise InvalidInput(f"{path} is of type {type(value).__name__}; {_UNSUPPORTED}")


def _finite(number: float, path: str) -> float:
    if not math.isfinite(number):
        raise InvalidInput(f"{path} is {number}; NaN and infinity cannot be encoded as JSON, use None")
    return number


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def decode_input(kind: str, payload: bytes) -> Any:
    """An asset (private or mock) as the function receives it.

    ``table`` -> pandas DataFrame; ``texts`` -> ``list[str]``; ``images`` -> list of ``uint8``
    numpy arrays of shape (H, W, 3). The sandbox and ``f.test()`` both use this, so a function
    sees the same types on the mock as on the private content.
    """
    if kind == "table":
        return arrow_to_frame(payload)
    import pyarrow as pa

    with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
        table = reader.read_all()
    if kind == "texts":
        return [str(text) for text in table.column("text").to_pylist()]
    if kind == "images":
        import numpy as np

        return [np.asarray(decode_png(png).convert("RGB"), dtype=np.uint8) for png in table.column("png").to_pylist()]
    raise InvalidInput(f"unknown input kind {kind!r}; expected table, texts or images")
