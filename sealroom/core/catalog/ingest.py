"""Registering a dataset: read, fingerprint, index, mock, encrypt, record — all or nothing.

``ingest_dataset`` is what ``sealroom ingest`` and ``POST /api/v1/datasets`` call. For each source
path it builds one asset:

1. read it into the canonical Arrow form (``formats``), refusing bad input;
2. hash every content item (a table row, a text file, an image) with SHA-256, attributed to the
   rights holder, and compute the asset's Merkle root (cited by receipts);
3. build the verbatim-text index over the licensed text (the release gate's reference);
4. make the mock (``mock``);
5. seal the private table, the index and the item manifest under a fresh per-dataset data key.

Blobs are written first, then the catalog rows and the audit entry commit in one transaction; a
failure at any step removes the blobs, so a refused ingest changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pyarrow as pa
from sqlalchemy import select

from sealroom.core.catalog.formats import check_upload_name, items_from_files, read_source, table_from_bytes
from sealroom.core.catalog.license import LicenseTerms
from sealroom.core.catalog.mock import make_mock
from sealroom.core.errors import AlreadyExists, Forbidden, IngestError
from sealroom.core.ledger import audit
from sealroom.core.ledger.merkle import merkle_root
from sealroom.core.leakage.text_index import VerbatimTextIndex
from sealroom.core.results import table_to_ipc
from sealroom.core.store.models import AssetRow, DatasetRow
from sealroom.core.users import Role, User
from sealroom.core.vault.envelope import new_key, wrap_key
from sealroom.core.workspace import Workspace

DATASET_NAME = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


@dataclass(frozen=True, kw_only=True)
class IngestSpec:
    name: str
    kind: str
    paths: Sequence[Path] = ()
    uploads: Sequence[tuple[str, bytes]] = ()  # (plain file name, bytes), read in memory (API)
    description: str = ""
    license: dict | None = None
    public_columns: Sequence[str] = ()
    text_columns: Sequence[str] = ()


def ingest_dataset(ws: Workspace, owner: User, spec: IngestSpec) -> str:
    """Register ``spec`` as a dataset owned by ``owner``; return the dataset id."""
    if owner.role is not Role.RIGHTS_HOLDER:
        raise Forbidden("only rights holders can register datasets")
    if not DATASET_NAME.match(spec.name):
        raise IngestError(f"dataset name {spec.name!r} is not valid: use 2-63 lower-case letters, digits or '-', starting with a letter")
    if not spec.paths and not spec.uploads:
        raise IngestError("no source files given; an empty dataset cannot be registered")
    terms = LicenseTerms.from_dict(spec.license)
    with ws.db.session() as session:
        if session.execute(select(DatasetRow.id).where(DatasetRow.name == spec.name)).first():
            raise AlreadyExists(f"a dataset named {spec.name!r} already exists; choose another name")
    sources = _read_all(spec)
    dataset_id = uuid.uuid4().hex
    data_key = new_key()
    try:
        asset_rows = [_store_asset(ws, dataset_id, data_key, owner, spec, i, name, table) for i, (name, table) in enumerate(sources)]
        with ws.db.session() as session:
            session.add(DatasetRow(id=dataset_id, name=spec.name, owner_id=owner.id, kind=spec.kind, description=spec.description, license=terms.to_dict(), wrapped_key=wrap_key(ws.keys.master_key, data_key, owner=dataset_id)))
            session.flush()
            session.add_all(asset_rows)
            audit.append(session, actor=owner.name, action="dataset.registered", subject=dataset_id, payload={"name": spec.name, "kind": spec.kind, "assets": {a.name: {"items": a.n_items, "items_root": a.items_root} for a in asset_rows}, "license": terms.to_dict()})
    except Exception:
        ws.content.remove_dataset(dataset_id)
        raise
    return dataset_id


def _read_all(spec: IngestSpec) -> list[tuple[str, pa.Table]]:
    sources: list[tuple[str, pa.Table]] = []
    for filename, _ in spec.uploads:
        check_upload_name(filename)
    if spec.kind == "table":
        pending = [(Path(p).stem, lambda p=p: read_source(Path(p), "table")) for p in spec.paths]
        pending += [(Path(n).stem, lambda n=n, d=d: table_from_bytes(n, d)) for n, d in spec.uploads]
    else:
        pending = [(Path(p).stem, lambda p=p: read_source(Path(p), spec.kind)) for p in spec.paths]
        if spec.uploads:
            pending.append((spec.kind, lambda: items_from_files(spec.kind, list(spec.uploads))))
    for stem, read in pending:
        name = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-") or "asset"
        if any(name == existing for existing, _ in sources):
            raise IngestError(f"two sources are both named {name!r}; give each asset a distinct file name")
        table = read()
        for column in list(spec.public_columns) + list(spec.text_columns):
            if spec.kind == "table" and len(pending) == 1 and column not in table.column_names:
                raise IngestError(f"column {column!r} is not in {stem}; its columns are {table.column_names}")
        sources.append((name, table))
    return sources


def _store_asset(ws: Workspace, dataset_id: str, key: bytes, owner: User, spec: IngestSpec, position: int, name: str, table: pa.Table) -> AssetRow:
    public = tuple(c for c in spec.public_columns if c in table.column_names)
    texts = _text_columns(spec, table)
    digests = _item_digests(spec.kind, table)
    manifest = pa.table({"item_id": _item_ids(spec.kind, table), "sha256": pa.array(digests, pa.binary(32)), "rights_holder": [owner.name] * len(digests)})
    private = table_to_ipc(table)
    index = VerbatimTextIndex.build(_text_items(spec.kind, table, texts), name=f"{spec.name}/{name}")
    ws.content.put(dataset_id, f"{name}.arrow", private, key=key)
    ws.content.put(dataset_id, f"{name}.items", table_to_ipc(manifest), key=key)
    ws.content.put(dataset_id, f"{name}.vindex", index.to_bytes(), key=key)
    mock = make_mock(spec.kind, table, public_columns=public, text_columns=texts)
    return AssetRow(
        id=uuid.uuid4().hex, dataset_id=dataset_id, name=name, position=position, kind=spec.kind, n_items=table.num_rows,
        schema={"columns": [{"name": f.name, "type": str(f.type)} for f in table.schema], "rows": table.num_rows},
        public_columns=list(public), text_columns=list(texts), content_sha256=hashlib.sha256(private).hexdigest(),
        items_root=merkle_root(digests), mock=table_to_ipc(mock),
    )


def _text_columns(spec: IngestSpec, table: pa.Table) -> tuple[str, ...]:
    if spec.kind == "texts":
        return ("text",)
    if spec.kind != "table":
        return ()
    declared = tuple(c for c in spec.text_columns if c in table.column_names)
    if declared:
        return declared
    return tuple(f.name for f in table.schema if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)) and f.name not in spec.public_columns)


def _item_ids(kind: str, table: pa.Table) -> list[str]:
    if kind == "table":
        return [f"row-{i}" for i in range(table.num_rows)]
    return table.column("item_id").to_pylist()


def _item_digests(kind: str, table: pa.Table) -> list[bytes]:
    if kind == "texts":
        return [hashlib.sha256(t.encode()).digest() for t in table.column("text").to_pylist()]
    if kind == "images":
        return [hashlib.sha256(p).digest() for p in table.column("png").to_pylist()]
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [hashlib.sha256("\x1f".join(map(str, row)).encode()).digest() for row in zip(*columns)]


def _text_items(kind: str, table: pa.Table, text_columns: tuple[str, ...]):
    if kind == "texts":
        yield from zip(table.column("item_id").to_pylist(), table.column("text").to_pylist())
        return
    for column in text_columns:
        for i, value in enumerate(table.column(column).to_pylist()):
            if value:
                yield f"row-{i}:{column}", value
