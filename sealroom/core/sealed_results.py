"""How a request's result and private run record are sealed at rest — the one place for the scheme.

Both live in ``results`` rows as AES-GCM envelopes under the workspace master key. The AAD binds
each to its request and role (``result:<id>``, ``private:<id>``), so an envelope moved to another
request or swapped between the two columns fails to open.
"""

from __future__ import annotations

import json

from sealroom.core.store.models import ResultRow
from sealroom.core.vault.envelope import open_sealed, seal


def seal_payload(key: bytes, request_id: str, payload: bytes) -> bytes:
    return seal(key, payload, aad=f"result:{request_id}".encode())


def open_payload(key: bytes, stored: ResultRow) -> bytes:
    return open_sealed(key, stored.payload_sealed, aad=f"result:{stored.request_id}".encode())


def seal_private(key: bytes, request_id: str, record: dict) -> bytes:
    return seal(key, json.dumps(record).encode(), aad=f"private:{request_id}".encode())


def open_private(key: bytes, stored: ResultRow) -> dict:
    return json.loads(open_sealed(key, stored.private_sealed, aad=f"private:{stored.request_id}".encode()))
