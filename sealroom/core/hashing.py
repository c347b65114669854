"""Canonical JSON and SHA-256: the one definition every hash in Sealroom is computed with."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, no whitespace, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_json(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value``."""
    return sha256_hex(canonical_json(value))


def binding_hash(source: str, function_name: str, inputs: dict) -> str:
    """The SHA-256 an approval is bound to: code (or operation graph), entry point, and the exact content versions read."""
    return sha256_json({"kind": "code", "source": source, "function": function_name, "inputs": inputs})
