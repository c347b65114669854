"""Pointer queries: ``POST /api/v1/graphs`` runs an operation graph and answers in one round trip."""

from __future__ import annotations

import base64
import json

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from sealroom.core.runtime import Vault
from sealroom.core.users import User
from sealroom.service.auth import current_user, get_vault

router = APIRouter(prefix="/api/v1", tags=["pointers"])


class GraphBody(BaseModel):
    graph: dict = Field(description="the operation graph (docs/pointers.md: version, nodes, output)")
    purpose: str = Field(description="what the query is for, starting with a licensed purpose: 'research: ...'")


@router.post("/graphs", status_code=201, summary="Run a pointer query (data scientists): the request, and its result when released at once")
def run_graph(body: GraphBody, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    answer = vault.requests.submit_graph(user, body.graph, body.purpose)
    released = answer.result
    if released is None:
        return {"request": answer.view, "result": None}
    if released.kind == "json":
        result = {"kind": "json", "value": json.loads(released.payload), "hint": answer.hint}
    else:
        result = {"kind": released.kind, "base64": base64.b64encode(released.payload).decode("ascii"), "hint": answer.hint}
    return {"request": answer.view, "result": result}
