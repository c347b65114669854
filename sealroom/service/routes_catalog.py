"""Catalog endpoints: datasets, license terms, mocks, and registering a dataset (rights holders)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile

from sealroom.core.catalog.ingest import IngestSpec
from sealroom.core.errors import InvalidInput
from sealroom.core.runtime import Vault
from sealroom.core.users import User
from sealroom.service.auth import current_user, get_vault

router = APIRouter(prefix="/api/v1", tags=["catalog"])
ARROW_STREAM = "application/vnd.apache.arrow.stream"


@router.get("/datasets", summary="List every dataset with its owner, license terms and assets")
def list_datasets(user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> list[dict]:
    return [d.to_dict() for d in vault.datasets()]


@router.get("/datasets/{name}", summary="One dataset's catalog entry")
def get_dataset(name: str, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    return vault.dataset(name).to_dict()


@router.get("/datasets/{name}/mock", summary="An asset's mock (no real content) as an Arrow IPC stream", response_class=Response)
def get_mock(name: str, asset: str | None = None, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> Response:
    info, payload = vault.mock(name, asset)
    return Response(payload, media_type=ARROW_STREAM, headers={"X-Sealroom-Asset": info.name, "X-Sealroom-Asset-Kind": info.kind})


@router.post("/datasets", summary="Register a dataset (rights holders): metadata JSON + files", status_code=201)
async def register_dataset(
    metadata: str = Form(..., description='JSON: {"name", "kind", "description", "license", "public_columns", "text_columns"}'),
    files: list[UploadFile] = File(...),
    user: User = Depends(current_user),
    vault: Vault = Depends(get_vault),
) -> dict:
    try:
        meta = json.loads(metadata)
        if not isinstance(meta, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise InvalidInput("metadata must be a JSON object", detail=str(exc)) from None
    uploads = [(f.filename or "", await f.read()) for f in files]
    spec = IngestSpec(
        name=str(meta.get("name", "")), kind=str(meta.get("kind", "")), uploads=uploads, description=str(meta.get("description", "")),
        license=meta.get("license"), public_columns=tuple(meta.get("public_columns", ())), text_columns=tuple(meta.get("text_columns", ())),
    )
    return vault.ingest(user, spec).to_dict()
