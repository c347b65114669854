"""Encrypted content files: one AES-GCM envelope per (dataset, blob name).

Files live under ``<workspace>/content/<dataset_id>/<name>.sealed``, written atomically (temp file
+ rename). The envelope's AAD is the dataset id and blob name, so blobs cannot be swapped.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from sealroom.core.errors import IntegrityError
from sealroom.core.vault.envelope import open_sealed, seal

_SAFE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,80}$")


class ContentStore:
    """Reads and writes sealed blobs below one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, dataset_id: str, name: str, plaintext: bytes, *, key: bytes) -> Path:
        path = self._path(dataset_id, name)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(seal(key, plaintext, aad=self._aad(dataset_id, name)))
        os.replace(tmp, path)
        return path

    def get(self, dataset_id: str, name: str, *, key: bytes) -> bytes:
        path = self._path(dataset_id, name)
        try:
            envelope = path.read_bytes()
        except FileNotFoundError:
            raise IntegrityError("stored content is missing", detail=str(path)) from None
        return open_sealed(key, envelope, aad=self._aad(dataset_id, name))

    def remove_dataset(self, dataset_id: str) -> None:
        shutil.rmtree(self.root / self._checked(dataset_id), ignore_errors=True)

    def _path(self, dataset_id: str, name: str) -> Path:
        return self.root / self._checked(dataset_id) / f"{self._checked(name)}.sealed"

    @staticmethod
    def _aad(dataset_id: str, name: str) -> bytes:
        return f"content:{dataset_id}/{name}".encode()

    @staticmethod
    def _checked(part: str) -> str:
        if not _SAFE.match(part):
            raise IntegrityError("invalid content name", detail=repr(part))
        return part
