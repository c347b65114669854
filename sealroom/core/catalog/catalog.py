"""Reading the catalog: what datasets exist, their license terms, schemas and mocks.

Everything here is public to every signed-in user (the catalog and the mocks are what data
scientists explore). Private content is read only by ``private.PrivateContent`` in the vault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sealroom.core.errors import NotFound
from sealroom.core.store.models import AssetRow, DatasetRow, UserRow


@dataclass(frozen=True)
class AssetInfo:
    name: str
    kind: str
    n_items: int
    schema: dict
    public_columns: tuple[str, ...]
    text_columns: tuple[str, ...]
    items_root: str
    content_sha256: str = ""  # vault-side only (names the content version): not in ``to_dict``

    def to_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "n_items": self.n_items, "schema": self.schema,
            "public_columns": list(self.public_columns), "text_columns": list(self.text_columns), "items_root": self.items_root,
        }


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    name: str
    kind: str
    owner: str
    owner_display_name: str
    owner_id: str
    description: str
    license: dict
    created_at: datetime
    assets: tuple[AssetInfo, ...]
    owner_role: str = ""
    owner_org: str = ""

    def asset(self, name: str | None = None) -> AssetInfo:
        """The named asset, or the primary (first) one."""
        if name is None:
            return self.assets[0]
        for asset in self.assets:
            if asset.name == name:
                return asset
        raise NotFound(f"dataset {self.name!r} has no asset {name!r}; its assets are {[a.name for a in self.assets]}")

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "owner": self.owner, "owner_display_name": self.owner_display_name,
            "description": self.description, "license": self.license, "created_at": self.created_at.isoformat(),
            "assets": [a.to_dict() for a in self.assets],
        }


def list_datasets(session: Session) -> list[DatasetInfo]:
    rows = session.execute(select(DatasetRow, UserRow).join(UserRow, DatasetRow.owner_id == UserRow.id).order_by(DatasetRow.name)).all()
    assets = _assets_by_dataset(session, [d.id for d, _ in rows])
    return [_info(d, u, assets.get(d.id, ())) for d, u in rows]


_DATASET_BY_NAME = select(DatasetRow, UserRow).join(UserRow, DatasetRow.owner_id == UserRow.id).where(DatasetRow.name == bindparam("name"))
_ASSETS_OF = select(AssetRow).where(AssetRow.dataset_id == bindparam("dataset")).order_by(AssetRow.position)


def get_dataset(session: Session, name: str, *, assets: bool = True) -> DatasetInfo:
    """The dataset named ``name`` (``assets=False``: its terms and owner only, ``assets`` empty)."""
    row = session.execute(_DATASET_BY_NAME, {"name": name}).first()
    if row is None:
        raise NotFound(f"no dataset named {name!r}; list them with ws.datasets or GET /api/v1/datasets")
    dataset, owner = row
    found = tuple(_asset_info(r) for r in session.execute(_ASSETS_OF, {"dataset": dataset.id}).scalars()) if assets else ()
    return _info(dataset, owner, found)


def mock_ipc(session: Session, dataset: str, asset: str | None = None) -> tuple[AssetInfo, bytes]:
    """The mock of an asset as an Arrow IPC stream."""
    info = get_dataset(session, dataset)
    chosen = info.asset(asset)
    row = session.execute(select(AssetRow).where(AssetRow.dataset_id == info.id, AssetRow.name == chosen.name)).scalar_one()
    return chosen, row.mock


def _assets_by_dataset(session: Session, ids: list[str]) -> dict[str, tuple[AssetInfo, ...]]:
    out: dict[str, list[AssetInfo]] = {}
    for row in session.execute(select(AssetRow).where(AssetRow.dataset_id.in_(ids)).order_by(AssetRow.position)).scalars():
        out.setdefault(row.dataset_id, []).append(_asset_info(row))
    return {k: tuple(v) for k, v in out.items()}


def _asset_info(row: AssetRow) -> AssetInfo:
    return AssetInfo(row.name, row.kind, row.n_items, row.schema, tuple(row.public_columns), tuple(row.text_columns), row.items_root, row.content_sha256)


def _info(dataset: DatasetRow, owner: UserRow, assets: tuple[AssetInfo, ...]) -> DatasetInfo:
    return DatasetInfo(
        id=dataset.id, name=dataset.name, kind=dataset.kind, owner=owner.name, owner_display_name=owner.display_name, owner_id=owner.id,
        description=dataset.description, license=dataset.license, created_at=dataset.created_at, assets=assets,
        owner_role=owner.role, owner_org=owner.org,
    )
