"""Decoded private assets for pointer queries, kept in vault memory under a cache policy.

Operation graphs are evaluated by the vault itself (no job code runs, see ``graph_runner``), so
the private asset they read must be decoded in the vault's memory. ``PrivateFrames`` decrypts an
asset (``PrivateContent``), decodes it once into the evaluator's ``SourceData`` and keeps it for
the next question - that is what makes a pointer query take milliseconds rather than seconds.

Cache policy (``FrameCachePolicy``): an entry is dropped when it has not been used for
``idle_seconds``, when it is older than ``max_age_seconds``, or when the decoded bytes would
exceed ``max_bytes`` (least recently used first). ``clear()`` drops everything (the vault calls
it on license changes); a new content version is a new key, so stale content is never served.
Nothing decoded is written to disk.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from sealroom.core.catalog.catalog import DatasetInfo
from sealroom.core.catalog.private import PrivateContent
from sealroom.core.errors import ConfigurationError
from sealroom.core.graph.sources import SourceData, decode_source, source_nbytes


@dataclass(frozen=True, kw_only=True)
class FrameCachePolicy:
    """How long and how much decrypted content stays in vault memory."""

    max_bytes: int = 2 * 1024**3
    idle_seconds: float = 600.0
    max_age_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_bytes < 0 or self.idle_seconds <= 0 or self.max_age_seconds <= 0:
            raise ConfigurationError("frame cache: max_bytes must be >= 0, idle_seconds and max_age_seconds > 0")


@dataclass(frozen=True)
class FrameRef:
    """One content version of one asset: what a query's source reads (``item_offset``: the items
    of the dataset's earlier assets, so item numbers are unique across its assets)."""

    dataset_id: str
    asset: str
    content_sha256: str
    kind: str
    item_offset: int

    @classmethod
    def of(cls, dataset: DatasetInfo, asset: str) -> FrameRef:
        """The ref of ``dataset``'s asset as read (with its assets, in order) by ``get_dataset``."""
        chosen = dataset.asset(asset)
        earlier = dataset.assets[: dataset.assets.index(chosen)]
        return cls(dataset.id, chosen.name, chosen.content_sha256, chosen.kind, sum(a.n_items for a in earlier))


@dataclass
class _Entry:
    source: SourceData
    size: int
    loaded: float
    used: float


class PrivateFrames:
    """Decoded private assets by (dataset id, asset, content hash); thread-safe."""

    def __init__(self, private: PrivateContent, policy: FrameCachePolicy = FrameCachePolicy(), *, clock=time.monotonic) -> None:
        self._private = private
        self.policy = policy
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def load(self, ref: FrameRef) -> SourceData:
        """The decoded asset ``ref`` names: from memory, or decrypted and decoded now (and kept)."""
        key = (ref.dataset_id, ref.asset, ref.content_sha256)
        now = self._clock()
        with self._lock:
            self._expire(now)
            entry = self._entries.get(key)
            if entry is not None:
                entry.used = now
                self._entries.move_to_end(key)
                self.hits += 1
                return entry.source
        payload = self._private.asset_ipc(ref.dataset_id, ref.asset)
        source = decode_source(ref.kind, payload, item_offset=ref.item_offset)
        size = source_nbytes(source)
        with self._lock:
            self.misses += 1
            if size <= self.policy.max_bytes:
                self._entries[key] = _Entry(source, size, now, now)
                self._shrink()
        return source

    def clear(self) -> int:
        """Drop every decoded asset; returns how many were held."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count

    @property
    def held_bytes(self) -> int:
        with self._lock:
            return sum(e.size for e in self._entries.values())

    def _expire(self, now: float) -> None:
        stale = [k for k, e in self._entries.items() if now - e.used > self.policy.idle_seconds or now - e.loaded > self.policy.max_age_seconds]
        for key in stale:
            del self._entries[key]

    def _shrink(self) -> None:
        while sum(e.size for e in self._entries.values()) > self.policy.max_bytes and self._entries:
            self._entries.popitem(last=False)
