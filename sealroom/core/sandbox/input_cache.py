"""The decoded-input cache: which inputs the zygote keeps warm, and how a job asks for them.

An input with a ``cache_key`` is sent without its bytes. The zygote answers a job whose keys it
does not hold with a ``need`` frame; the executor replies with one ``inputs`` frame carrying the
bytes of exactly those keys (or ``cancel`` if it could not load them). The decoded objects are
then held by a *holder* process for that set of keys (see ``holder``), from which the job's child
is forked: on a hit no bytes cross the pipe and nothing is decoded again.

``InputCache`` is the bookkeeping: an LRU bounded by approximate bytes (``SandboxConfig.
input_cache_bytes``) and an idle TTL (``input_cache_ttl_seconds``), calling ``on_drop`` for every
entry it lets go (the zygote kills that holder, so its memory is returned at once).
"""

from __future__ import annotations

import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from sealroom.core.sandbox.job import JobInput


class InputCache:
    """An LRU of decoded inputs bounded by ``max_bytes`` (approximate) and an idle ``ttl_seconds``."""

    def __init__(self, max_bytes: int, ttl_seconds: float, *, on_drop: Callable[[Any], None] = lambda value: None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_bytes = max_bytes
        self.ttl_seconds = ttl_seconds
        self._on_drop = on_drop
        self._clock = clock
        self._entries: OrderedDict[str, tuple[Any, int, float]] = OrderedDict()  # key -> (value, size, last used)
        self.total_bytes = 0
        self.evictions = 0

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries[key] = (entry[0], entry[1], self._clock())
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: str, value: Any, size: int) -> bool:
        """Keep ``value`` (evicting the least recently used); False if it alone exceeds the bound."""
        if size > self.max_bytes:
            return False
        self._drop(key)
        self._entries[key] = (value, size, self._clock())
        self.total_bytes += size
        while self.total_bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))
            self.evictions += 1
        return True

    def expire(self) -> int:
        """Drop every entry unused for ``ttl_seconds``; the number dropped."""
        cutoff = self._clock() - self.ttl_seconds
        stale = [key for key, (_, _, used) in self._entries.items() if used <= cutoff]
        for key in stale:
            self._drop(key)
        self.evictions += len(stale)
        return len(stale)

    def seconds_to_expiry(self) -> float | None:
        """How long until the least recently used entry expires (None when empty)."""
        if not self._entries:
            return None
        oldest = next(iter(self._entries.values()))[2]
        return max(0.0, oldest + self.ttl_seconds - self._clock())

    def clear(self) -> int:
        dropped = len(self._entries)
        for key in list(self._entries):
            self._drop(key)
        return dropped

    def discard(self, key: str) -> None:
        self._drop(key)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.total_bytes -= entry[1]
            self._on_drop(entry[0])


def approx_size(value: Any) -> int:
    """Approximate bytes held by a decoded input (a DataFrame, ``list[str]`` or list of arrays)."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=True).sum())
    total = sys.getsizeof(value)
    for item in value:
        total += int(item.nbytes) if hasattr(item, "nbytes") else sys.getsizeof(item)
    return total


# -- executor side ------------------------------------------------------------------------------


def wire_inputs(inputs: Sequence[JobInput]) -> tuple[list[dict[str, str]], list[bytes]]:
    """The job frame's input specs and parts: cached-key inputs travel without bytes."""
    specs = [{"name": i.name, "kind": i.kind, "cache_key": i.cache_key} for i in inputs]
    return specs, [b"" if i.cache_key else i.payload() for i in inputs]


def supply(inputs: Sequence[JobInput], keys: Sequence[str]) -> list[bytes]:
    """The bytes the zygote asked for in a ``need`` frame, in the order of ``keys``."""
    by_key = {i.cache_key: i for i in inputs if i.cache_key}
    return [by_key[key].payload() for key in keys]
