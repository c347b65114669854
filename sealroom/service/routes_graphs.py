"""Pointer queries: ``POST /api/v1/graphs`` runs an operation graph and answers in one round trip."""

from __future__ import annotations

import base64
import json

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sealroom.core.runtime import Vault
from sealroom.core.users import User
from sealroom.service.auth import current_user, get_vault

router = APIRouter(prefix="/api/v1", tags=["pointers"])


class GraphBody(BaseModel):
    graph: dict = Field(description="the operation graph (docs/pointers.md: version, nodes, output)")
    purpose: str = Field(description="what the query is for, starting with a licensed purpose: 'research: ...'")


@router.post("/graphs", status_code=201, summary="Run a pointer query (data scientists): the request, and its result when released at once",
             response_class=JSONResponse, responses={201: {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}}})
async def run_graph(body: GraphBody, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> JSONResponse:
    # async, with the query on the thread pool and the answer written here: one hand-off per query
    # (a sync endpoint would take a second one to serialise the answer)
    answer = await run_in_threadpool(vault.requests.submit_graph, user, body.graph, body.purpose)
    return JSONResponse({"request": answer.view, "result": _released(answer)}, status_code=201)


def _released(answer) -> dict | None:
    """The released value as JSON (a JSON value as is, other kinds base64), with its decoding hint."""
    released = answer.result
    if released is None:
        return None
    if released.kind == "json":
        return {"kind": "json", "value": json.loads(released.payload), "hint": answer.hint}
    return {"kind": released.kind, "base64": base64.b64encode(released.payload).decode("ascii"), "hint": answer.hint}
