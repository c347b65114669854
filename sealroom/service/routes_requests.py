"""Request endpoints: submit, list, inspect, wait, review, and fetch released results/receipts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from sealroom.core.requests import CodeRequest
from sealroom.core.runtime import Vault
from sealroom.core.users import User
from sealroom.service.auth import current_user, get_vault

router = APIRouter(prefix="/api/v1", tags=["requests"])

RESULT_MEDIA = {"json": "application/json", "table": "application/vnd.apache.arrow.stream", "image": "image/png"}


class InputSpec(BaseModel):
    dataset: str
    asset: str | None = None


class SubmitBody(BaseModel):
    kind: str = Field("code", description="'code' (a function); operation graphs arrive with issue #5")
    source: str
    function_name: str
    inputs: dict[str, InputSpec]
    purpose: str


class ReviewBody(BaseModel):
    note: str = ""


@router.post("/requests", status_code=201, summary="Submit a computation (data scientists)")
def submit(body: SubmitBody, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    code = CodeRequest(source=body.source, function_name=body.function_name, inputs={k: v.model_dump() for k, v in body.inputs.items()}, purpose=body.purpose)
    return vault.requests.submit(user, code)


@router.get("/requests", summary="Requests you may see: your own (data scientist), on your datasets (rights holder), all (admin)")
def list_requests(state: str | None = None, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> list[dict]:
    return vault.requests.list(user, state=state)


@router.get("/requests/{request_id}", summary="One request")
def get_request(request_id: str, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    return vault.requests.get(user, request_id)


@router.get("/requests/{request_id}/wait", summary="Long-poll until the request finishes or waits for review (timeout seconds, at most 300)")
def wait_request(request_id: str, timeout: float = 30.0, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    return vault.requests.wait(user, request_id, timeout=timeout)


@router.post("/requests/{request_id}/approve", summary="Approve (rights holder of a dataset the request reads)")
def approve(request_id: str, body: ReviewBody, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    return vault.requests.review(user, request_id, approve=True, note=body.note)


@router.post("/requests/{request_id}/deny", summary="Deny (rights holder of a dataset the request reads)")
def deny(request_id: str, body: ReviewBody, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    return vault.requests.review(user, request_id, approve=False, note=body.note)


@router.get("/requests/{request_id}/result", summary="The released result (the requesting data scientist only)", response_class=Response)
def result(request_id: str, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> Response:
    encoded, _receipt = vault.requests.result(user, request_id)
    return Response(encoded.payload, media_type=RESULT_MEDIA[encoded.kind], headers={"X-Sealroom-Result-Kind": encoded.kind})


@router.get("/requests/{request_id}/receipt", summary="The signed receipt of a released result")
def receipt(request_id: str, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    _encoded, signed = vault.requests.result(user, request_id)
    return signed
