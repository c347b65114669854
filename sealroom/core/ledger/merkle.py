"""RFC 6962-style Merkle tree root over leaf hashes (leaf prefix 0x00, node prefix 0x01).

Used for a dataset asset's content-item root (each item's SHA-256 is a leaf), which receipts
cite so a rights holder can prove exactly which content a released result was computed from.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def merkle_root(leaf_digests: Sequence[bytes]) -> str:
    """Hex root of the tree whose leaves are the given 32-byte digests, in order."""
    if not leaf_digests:
        return EMPTY_ROOT
    level = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaf_digests]
    while len(level) > 1:
        paired = []
        for i in range(0, len(level) - 1, 2):
            paired.append(hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest())
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()
