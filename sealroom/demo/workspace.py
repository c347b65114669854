"""The demo workspace: the Northwind franchise registered by its rights holders, plus sign-ins.

``build_demo_workspace(root)`` creates a workspace, generates the franchise into a temporary
directory (the rights holders' "own files"), ingests it — so only sealed content remains — and
creates the users: an admin, one rights holder per franchise owner, and a data scientist. The
tokens are returned and, for the demo only, written to ``root/signins.json`` (mode 0600).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sealroom.core.catalog.ingest import IngestSpec, ingest_dataset
from sealroom.core.users import Role, create_user
from sealroom.core.workspace import Workspace
from sealroom.demo.franchise import generate_franchise

DATA_SCIENTIST = "dana"
SIGNINS_FILE = "signins.json"


@dataclass(frozen=True)
class SignIn:
    name: str
    role: str
    display_name: str
    token: str


@dataclass(frozen=True)
class DemoWorkspace:
    root: Path
    signins: tuple[SignIn, ...]

    def token(self, name: str) -> str:
        return next(s.token for s in self.signins if s.name == name)

    def holder_of(self, dataset: str) -> str:
        with open(self.root / SIGNINS_FILE) as handle:
            return json.load(handle)["datasets"][dataset]


def build_demo_workspace(root: Path, *, dialogue_lines: int = 2000, seed: int = 7) -> DemoWorkspace:
    """Create and fill the demo workspace at ``root`` (must be new or empty)."""
    ws = Workspace.create(root)
    try:
        signins: list[SignIn] = []
        owners: dict[str, str] = {}
        with tempfile.TemporaryDirectory(prefix="sealroom-demo-src-") as source_dir:
            franchise = generate_franchise(Path(source_dir), seed=seed, dialogue_lines=dialogue_lines)
            with ws.db.session() as session:
                _, token = create_user(session, name="admin", role=Role.ADMIN, display_name="Workspace admin")
                signins.append(SignIn("admin", Role.ADMIN.value, "Workspace admin", token))
                users = {}
                for holder in franchise.holders:
                    user, token = create_user(session, name=holder.handle, role=Role.RIGHTS_HOLDER, display_name=holder.display_name, org=holder.display_name)
                    users[holder.handle] = user
                    signins.append(SignIn(holder.handle, Role.RIGHTS_HOLDER.value, holder.display_name, token))
                _, token = create_user(session, name=DATA_SCIENTIST, role=Role.DATA_SCIENTIST, display_name="Dana (data scientist)", org="Aurora Lab")
                signins.append(SignIn(DATA_SCIENTIST, Role.DATA_SCIENTIST.value, "Dana (data scientist)", token))
            licenses = {h.handle: h.license for h in franchise.holders}
            for dataset in franchise.datasets:
                ingest_dataset(ws, users[dataset.holder], IngestSpec(
                    name=dataset.name, kind=dataset.kind, paths=dataset.paths, description=dataset.description,
                    license=licenses[dataset.holder], public_columns=dataset.public_columns, text_columns=dataset.text_columns,
                ))
                owners[dataset.name] = dataset.holder
    finally:
        ws.close()
    path = Path(root) / SIGNINS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"users": [s.__dict__ for s in signins], "datasets": owners}, handle, indent=2)
    return DemoWorkspace(Path(root).resolve(), tuple(signins))


def load_demo_workspace(root: Path) -> DemoWorkspace:
    with open(Path(root) / SIGNINS_FILE) as handle:
        data = json.load(handle)
    return DemoWorkspace(Path(root).resolve(), tuple(SignIn(**u) for u in data["users"]))
