"""The workspace key file: the AES master key and the Ed25519 signing key.

Stored as JSON at ``<workspace>/keys/workspace.key`` with mode 0600 inside a 0700 directory.
The master key wraps every per-dataset data key and seals results and private logs; the signing
key signs receipts and audit checkpoints. Production deployments would keep these in a KMS;
the ``KeyRing`` contract is what the rest of the vault sees.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sealroom.core.errors import ConfigurationError
from sealroom.core.vault.envelope import KEY_BYTES, new_key

KEY_FILE_VERSION = 1


@dataclass(frozen=True)
class KeyRing:
    """The workspace's secrets, loaded in the vault process only."""

    master_key: bytes
    signing_key: Ed25519PrivateKey

    @property
    def verify_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def public_key_b64(self) -> str:
        raw = self.verify_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    @classmethod
    def generate(cls) -> "KeyRing":
        return cls(master_key=new_key(), signing_key=Ed25519PrivateKey.generate())

    def write(self, path: Path) -> None:
        """Write the key file (refuses to overwrite an existing one)."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        signing_raw = self.signing_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        body = json.dumps(
            {
                "version": KEY_FILE_VERSION,
                "master_key": base64.b64encode(self.master_key).decode(),
                "signing_key": base64.b64encode(signing_raw).decode(),
            }
        ).encode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)

    @classmethod
    def read(cls, path: Path) -> "KeyRing":
        try:
            body = json.loads(path.read_bytes())
            master = base64.b64decode(body["master_key"])
            signing = Ed25519PrivateKey.from_private_bytes(base64.b64decode(body["signing_key"]))
        except FileNotFoundError:
            raise ConfigurationError(
                "the workspace key file is missing; was this directory made by `sealroom init`?",
                detail=str(path),
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError("the workspace key file is damaged", detail=f"{path}: {exc}") from None
        if len(master) != KEY_BYTES:
            raise ConfigurationError("the workspace key file is damaged", detail="master key has the wrong length")
        return cls(master_key=master, signing_key=signing)
