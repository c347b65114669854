"""Decrypting private assets for a job, inside the vault only.

``PrivateContent`` unwraps a dataset's data key and opens an asset's sealed Arrow stream or its
verbatim-text index. Decrypted bytes are kept in a small in-memory LRU (bounded by total bytes)
so repeated jobs on the same asset do not pay decryption again; nothing decrypted is written to
disk. The cache is per process and cleared with ``clear()`` (e.g. on license changes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sealroom.core.leakage.text_index import VerbatimTextIndex
from sealroom.core.store.models import DatasetRow
from sealroom.core.vault.envelope import unwrap_key
from sealroom.core.workspace import Workspace


class PrivateContent:
    """Opens sealed asset blobs; ``max_cached_bytes`` bounds the decrypted-bytes cache."""

    def __init__(self, ws: Workspace, *, max_cached_bytes: int = 512 * 1024**2) -> None:
        self._ws = ws
        self._max = max_cached_bytes
        self._cache: OrderedDict[tuple[str, str], object] = OrderedDict()
        self._sizes: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def asset_ipc(self, dataset_id: str, asset: str) -> bytes:
        """The private asset as an Arrow IPC stream."""
        return self._cached((dataset_id, f"{asset}.arrow"), lambda data: (data, len(data)))

    def text_index(self, dataset_id: str, asset: str) -> VerbatimTextIndex:
        return self._cached((dataset_id, f"{asset}.vindex"), lambda data: (VerbatimTextIndex.from_bytes(data), len(data)))

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._sizes.clear()

    def _cached(self, key: tuple[str, str], build):
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value, size = build(self._open(*key))
        with self._lock:
            self._cache[key] = value
            self._sizes[key] = size
            while sum(self._sizes.values()) > self._max and len(self._cache) > 1:
                old, _ = self._cache.popitem(last=False)
                self._sizes.pop(old, None)
        return value

    def _open(self, dataset_id: str, blob: str) -> bytes:
        with self._ws.db.reading() as session:
            wrapped = session.get(DatasetRow, dataset_id).wrapped_key
        key = unwrap_key(self._ws.keys.master_key, wrapped, owner=dataset_id)
        return self._ws.content.get(dataset_id, blob, key=key)
