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
    view = vault.requests.submit_graph(user, body.graph, body.purpose)
    answer = {"request": view, "result": None}
    if view["state"] == "released":
        encoded, _receipt = vault.requests.result(user, view["id"])
        hint = (view["result"] or {}).get("report", {}).get("value")
        if encoded.kind == "json":
            answer["result"] = {"kind": "json", "value": json.loads(encoded.payload), "hint": hint}
        else:
            answer["result"] = {"kind": encoded.kind, "base64": base64.b64encode(encoded.payload).decode("ascii"), "hint": hint}
    return answer
