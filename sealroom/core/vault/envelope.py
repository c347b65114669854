"""AES-256-GCM envelopes: the only way private bytes are written to disk.

An envelope is ``MAGIC || nonce(12) || ciphertext+tag``. The associated data (AAD) binds an
envelope to where it belongs (e.g. ``b"content:<dataset>/<asset>"``), so a ciphertext moved to
another place, or altered by one bit, fails to open with ``IntegrityError``.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealroom.core.errors import IntegrityError

MAGIC = b"SRV1"
KEY_BYTES = 32
NONCE_BYTES = 12


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` under ``key``, bound to ``aad``."""
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, envelope: bytes, *, aad: bytes) -> bytes:
    """Decrypt an envelope made by ``seal`` with the same key and AAD, or raise IntegrityError."""
    if not envelope.startswith(MAGIC) or len(envelope) < len(MAGIC) + NONCE_BYTES + 16:
        raise IntegrityError("stored data is damaged", detail="not a Sealroom envelope")
    nonce = envelope[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, envelope[len(MAGIC) + NONCE_BYTES :], aad)
    except InvalidTag:
        raise IntegrityError(
            "stored data failed its integrity check",
            detail=f"AES-GCM tag mismatch for {aad.decode(errors='replace')}",
        ) from None


def wrap_key(master: bytes, data_key: bytes, *, owner: str) -> bytes:
    """Wrap a per-dataset data key under the workspace master key."""
    return seal(master, data_key, aad=b"datakey:" + owner.encode())


def unwrap_key(master: bytes, wrapped: bytes, *, owner: str) -> bytes:
    return open_sealed(master, wrapped, aad=b"datakey:" + owner.encode())
