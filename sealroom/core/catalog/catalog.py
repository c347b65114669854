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
from sealroom.core.store.database import flushed_connection
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


# Built once, read with Core on the session's connection (no ORM objects: every pointer query reads
# a dataset twice).
_DATASETS = select(
    DatasetRow.id, DatasetRow.name, DatasetRow.kind, DatasetRow.description, DatasetRow.license, DatasetRow.created_at,
    UserRow.id.label("owner_id"), UserRow.name.label("owner"), UserRow.display_name.label("owner_display_name"),
    UserRow.role.label("owner_role"), UserRow.org.label("owner_org"),
).join(UserRow, DatasetRow.owner_id == UserRow.id)
_DATASET_BY_NAME = _DATASETS.where(DatasetRow.name == bindparam("name"))
_ASSETS = select(AssetRow.dataset_id, AssetRow.name, AssetRow.kind, AssetRow.n_items, AssetRow.schema, AssetRow.public_columns,
                 AssetRow.text_columns, AssetRow.items_root, AssetRow.content_sha256).order_by(AssetRow.position)
_ASSETS_OF = _ASSETS.where(AssetRow.dataset_id == bindparam("dataset"))


def list_datasets(session: Session) -> list[DatasetInfo]:
    connection = flushed_connection(session)
    rows = connection.execute(_DATASETS.order_by(DatasetRow.name)).all()
    assets: dict[str, list[AssetInfo]] = {}
    for asset in connection.execute(_ASSETS.where(AssetRow.dataset_id.in_([row.id for row in rows]))):
        assets.setdefault(asset.dataset_id, []).append(_asset_info(asset))
    return [_info(row, tuple(assets.get(row.id, ()))) for row in rows]


def get_dataset(session: Session, name: str, *, assets: bool = True) -> DatasetInfo:
    """The dataset named ``name`` (``assets=False``: its terms and owner only, ``assets`` empty)."""
    connection = flushed_connection(session)
    row = connection.execute(_DATASET_BY_NAME, {"name": name}).first()
    if row is None:
        raise NotFound(f"no dataset named {name!r}; list them with ws.datasets or GET /api/v1/datasets")
    found = tuple(_asset_info(asset) for asset in connection.execute(_ASSETS_OF, {"dataset": row.id})) if assets else ()
    return _info(row, found)


def mock_ipc(session: Session, dataset: str, asset: str | None = None) -> tuple[AssetInfo, bytes]:
    """The mock of an asset as an Arrow IPC stream."""
    info = get_dataset(session, dataset)
    chosen = info.asset(asset)
    row = session.execute(select(AssetRow).where(AssetRow.dataset_id == info.id, AssetRow.name == chosen.name)).scalar_one()
    return chosen, row.mock


def _asset_info(row) -> AssetInfo:
    return AssetInfo(row.name, row.kind, row.n_items, row.schema, tuple(row.public_columns), tuple(row.text_columns), row.items_root, row.content_sha256)


def _info(row, assets: tuple[AssetInfo, ...]) -> DatasetInfo:
    """``row``: a ``_DATASETS`` row (the dataset's columns and its owner's)."""
    return DatasetInfo(
        id=row.id, name=row.name, kind=row.kind, owner=row.owner, owner_display_name=row.owner_display_name, owner_id=row.owner_id,
        description=row.description, license=row.license, created_at=row.created_at, assets=assets,
        owner_role=row.owner_role, owner_org=row.owner_org,
    )
