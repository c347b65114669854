"""Signed receipts for released results (Ed25519 over canonical JSON).

A receipt states what was computed (code hash), on what (dataset asset content roots), under
which decision and approvals, in which sandbox, what the release gate found (report hash),
what was released (result hash) and where it sits in the audit log. Anyone holding the
workspace's public key can verify it offline (``sealroom verify``).
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sealroom.core.errors import IntegrityError, InvalidInput
from sealroom.core.hashing import canonical_json

RECEIPT_VERSION = 1


def sign_receipt(body: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """Return ``{"receipt": body, "signature": b64, "algorithm": "Ed25519"}``."""
    body = {"version": RECEIPT_VERSION, **body}
    signature = key.sign(canonical_json(body))
    return {"receipt": body, "algorithm": "Ed25519", "signature": base64.b64encode(signature).decode()}


def verify_receipt(signed: dict[str, Any], public_key_b64: str) -> dict[str, Any]:
    """Check a signed receipt against a base64 raw Ed25519 public key; return its body."""
    try:
        body = signed["receipt"]
        signature = base64.b64decode(signed["signature"], validate=True)
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("this is not a Sealroom receipt (or the public key is malformed)", detail=str(exc)) from None
    if signed.get("algorithm") != "Ed25519":
        raise InvalidInput(f"unsupported receipt algorithm {signed.get('algorithm')!r}")
    try:
        public.verify(signature, canonical_json(body))
    except InvalidSignature:
        raise IntegrityError("the receipt's signature does not match its content or this workspace's key") from None
    return body
