"""Serialisation of a ``VerbatimTextIndex``: a numpy ``.npz`` archive, never pickle.

Layout (format ``sealroom.verbatim-index/1``): a ``meta`` member (UTF-8 JSON as ``uint8``: format,
name, anchor_words, anchor_stride) and seven arrays:

=================  =========  =================================================================
name               dtype      meaning
=================  =========  =================================================================
vocab_hashes       uint64     stable hash of each distinct word (by word id)
tokens             uint32     word ids of all indexed items, concatenated
item_offsets       int64      item i has tokens[item_offsets[i]:item_offsets[i+1]]
item_id_blob       uint8      UTF-8 item ids, concatenated
item_id_offsets    int64      item i's id is item_id_blob[item_id_offsets[i]:…[i+1]]
anchor_hashes      uint64     anchor gram hashes, sorted ascending
anchor_positions   uint32     global token position of each anchor (same order; int64 when the
                              index holds 2**32 words or more)
=================  =========  =================================================================

``index_from_bytes`` loads with ``allow_pickle=False`` and checks every invariant the query code
relies on (dtypes, shapes, offsets, bounds, sort order), raising ``IntegrityError`` otherwise, so
a corrupted or hostile file cannot make a query index out of bounds.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np

from sealroom.core.errors import IntegrityError

FORMAT = "sealroom.verbatim-index/1"
_DTYPES = {
    "vocab_hashes": np.uint64, "tokens": np.uint32, "item_offsets": np.int64, "item_id_blob": np.uint8,
    "item_id_offsets": np.int64, "anchor_hashes": np.uint64, "anchor_positions": np.int64,
}


def index_to_bytes(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> bytes:
    """Write ``meta`` and ``arrays`` (the names above) as one ``.npz`` archive."""
    header = json.dumps({"format": FORMAT, **meta}, sort_keys=True).encode("utf-8")
    buffer = io.BytesIO()
    typed = {name: np.ascontiguousarray(arrays[name], dtype=_dtype(name, arrays[name])) for name in _DTYPES}
    np.savez(buffer, meta=np.frombuffer(header, dtype=np.uint8), **typed)
    return buffer.getvalue()


def _dtype(name: str, array: np.ndarray) -> Any:
    """The stored dtype of ``name`` (anchor positions may be uint32 or int64)."""
    if name == "anchor_positions" and array.dtype in (np.uint32, np.int64):
        return array.dtype
    return _DTYPES[name]


def index_from_bytes(data: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read and validate an archive; returns (meta without ``format``, arrays)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            members = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise IntegrityError("the text index is unreadable", detail=repr(exc)) from None
    try:
        meta = json.loads(members.pop("meta").tobytes().decode("utf-8"))
    except (KeyError, ValueError) as exc:
        raise IntegrityError("the text index has no valid header", detail=repr(exc)) from None
    if not isinstance(meta, dict) or meta.pop("format", None) != FORMAT:
        raise IntegrityError("the text index has an unknown format", detail=repr(meta)[:200])
    arrays = {}
    for name in _DTYPES:
        array = members.get(name)
        if array is None or array.dtype != _dtype(name, array) or array.ndim != 1:
            raise IntegrityError("the text index is malformed", detail=f"array {name!r} missing or of wrong type")
        arrays[name] = array
    _check_invariants(meta, arrays)
    return meta, arrays


def _check_invariants(meta: dict[str, Any], a: dict[str, np.ndarray]) -> None:
    problems = []
    k, s = meta.get("anchor_words"), meta.get("anchor_stride")
    if set(meta) != {"name", "anchor_words", "anchor_stride"} or not isinstance(meta["name"], str):
        problems.append(f"header fields {sorted(meta)}")
    elif not (isinstance(k, int) and isinstance(s, int) and k >= 1 and 1 <= s <= k):
        problems.append(f"anchor_words={k!r}, anchor_stride={s!r}")
    n_tokens = len(a["tokens"])
    for offsets, total, what in (
        (a["item_offsets"], n_tokens, "item_offsets"),
        (a["item_id_offsets"], len(a["item_id_blob"]), "item_id_offsets"),
    ):
        if len(offsets) == 0 or offsets[0] != 0 or offsets[-1] != total or np.any(np.diff(offsets) < 0):
            problems.append(f"{what} inconsistent")
    if len(a["item_offsets"]) != len(a["item_id_offsets"]):
        problems.append("item count differs between offsets and ids")
    if n_tokens and int(a["tokens"].max()) >= len(a["vocab_hashes"]):
        problems.append("token id beyond the vocabulary")
    if len(a["anchor_hashes"]) != len(a["anchor_positions"]):
        problems.append("anchor arrays differ in length")
    elif len(a["anchor_hashes"]):
        if np.any(a["anchor_hashes"][1:] < a["anchor_hashes"][:-1]):
            problems.append("anchor hashes not sorted")
        positions = a["anchor_positions"]
        if not problems and isinstance(k, int):
            offsets = a["item_offsets"]
            owner_end = offsets[np.minimum(np.searchsorted(offsets, positions, side="right"), len(offsets) - 1)]
            if int(positions.min()) < 0 or np.any(positions.astype(np.int64) + k > owner_end):
                problems.append("an anchor lies outside its item")
    if problems:
        raise IntegrityError("the text index is malformed", detail="; ".join(problems))
