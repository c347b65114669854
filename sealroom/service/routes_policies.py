"""Policy endpoints: the workspace pack, a dataset's own Cedar policies, and its license terms.

Reading is open to every signed-in user (the terms a data scientist works under). Changing a
dataset's policies or license is for the rights holder who owns it; every change is audited and
applies to every decision made after it.
"""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Body, Depends, Response

from sealroom.core.runtime import Vault
from sealroom.core.users import User
from sealroom.service.auth import current_user, get_vault

router = APIRouter(prefix="/api/v1", tags=["policies"])


@router.get("/policies", summary="The workspace policy pack: schema, policies with their reasons, and its hash")
def workspace_policies(user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    pack = vault.policy.pack
    return {"sha256": pack.sha256, "schema": pack.schema_text, "text": pack.policies_text, "policies": [dataclasses.asdict(m) for m in pack.metas.values()]}


@router.get("/datasets/{name}/policies", summary="The Cedar policies the rights holder attached to a dataset")
def list_policies(name: str, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> list[dict]:
    return vault.dataset_policies(name)


@router.post("/datasets/{name}/policies", summary="Attach one annotated Cedar policy to your dataset (validated against the schema)", status_code=201)
def attach_policy(name: str, text: str = Body(..., embed=True, description="One Cedar policy with @id, @reason and (forbid) @effect"), user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    return vault.attach_policy(user, name, text)


@router.delete("/datasets/{name}/policies/{policy_id}", summary="Remove a policy from your dataset", status_code=204, response_class=Response)
def remove_policy(name: str, policy_id: str, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> Response:
    vault.remove_policy(user, name, policy_id)
    return Response(status_code=204)


@router.patch("/datasets/{name}/license", summary="Change your dataset's license terms (revoke, expire, opt out, limit)")
def update_license(name: str, changes: dict = Body(..., description='Terms to change, e.g. {"revoked": true}'), user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    return vault.update_license(user, name, changes)
