"""A workspace directory: database, key file and encrypted content, opened as one object.

Layout (created by ``Workspace.create`` / ``sealroom init DIR``)::

    DIR/sealroom.db            SQLite metadata, queue and audit log (Alembic-managed schema)
    DIR/keys/workspace.key     master + signing keys (0600, directory 0700)
    DIR/content/<dataset>/     AES-256-GCM sealed content, indexes and item manifests

The directory is created 0700: only the vault's user may read it, and the sandbox is configured
to treat it as a protected path that no job may read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sealroom.core.errors import AlreadyExists, ConfigurationError
from sealroom.core.ledger import audit
from sealroom.core.store.database import Database, migrate, open_database, sqlite_url
from sealroom.core.vault.content_store import ContentStore
from sealroom.core.vault.keyring import KeyRing

DB_FILE = "sealroom.db"
KEY_FILE = Path("keys") / "workspace.key"
CONTENT_DIR = "content"


@dataclass(frozen=True)
class Workspace:
    """The trusted side's handle on one workspace."""

    root: Path
    db: Database
    keys: KeyRing
    content: ContentStore

    @classmethod
    def create(cls, root: Path) -> "Workspace":
        """Make a new workspace in ``root`` (which must be empty or absent)."""
        root = Path(root).resolve()
        if (root / DB_FILE).exists() or (root / KEY_FILE).exists():
            raise AlreadyExists(f"{root} already holds a Sealroom workspace; open it instead of creating it")
        if root.exists() and any(root.iterdir()):
            raise AlreadyExists(f"{root} is not empty; choose a new or empty directory for the workspace")
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(root, 0o700)
        (root / CONTENT_DIR).mkdir(mode=0o700)
        keys = KeyRing.generate()
        keys.write(root / KEY_FILE)
        migrate(sqlite_url(root / DB_FILE))
        ws = cls.open(root)
        with ws.db.session() as session:
            audit.append(session, actor="system", action="workspace.created", subject="workspace", payload={"signing_key": keys.public_key_b64()})
        return ws

    @classmethod
    def open(cls, root: Path) -> "Workspace":
        """Open an existing workspace, upgrading its schema if it is older than this code."""
        root = Path(root).resolve()
        if not (root / DB_FILE).exists():
            raise ConfigurationError(
                f"{root} is not a Sealroom workspace (no {DB_FILE}); create one with `sealroom init {root}`"
            )
        keys = KeyRing.read(root / KEY_FILE)
        url = sqlite_url(root / DB_FILE)
        migrate(url)
        return cls(root=root, db=open_database(url), keys=keys, content=ContentStore(root / CONTENT_DIR))

    def close(self) -> None:
        self.db.dispose()
