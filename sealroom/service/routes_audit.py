"""Audit and identity endpoints: who am I, the audit log, chain verification, the public key."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from sealroom.core.errors import Forbidden
from sealroom.core.runtime import Vault
from sealroom.core.users import Role, User
from sealroom.service.auth import current_user, get_vault

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/health", summary="Liveness (no sign-in)")
def health() -> dict:
    return {"status": "ok"}


@router.get("/whoami", summary="The signed-in user")
def whoami(user: User = Depends(current_user)) -> dict:
    return user.to_dict()


@router.get("/public-key", summary="The workspace's Ed25519 public key (base64), for verifying receipts offline")
def public_key(user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    return {"algorithm": "Ed25519", "public_key": vault.ws.keys.public_key_b64()}


@router.get("/audit", summary="Audit entries: all (admin) or about your datasets and requests on them (rights holder)")
def audit_log(limit: int = 1000, user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> list[dict]:
    return [e.to_dict() for e in vault.audit_entries(user, limit=min(max(limit, 1), 10_000))]


@router.get("/audit/verify", summary="Recompute the audit hash chain (admin)")
def audit_verify(user: User = Depends(current_user), vault: Vault = Depends(get_vault)) -> dict:
    if user.role is not Role.ADMIN:
        raise Forbidden("only admins verify the whole audit chain; use `sealroom audit verify` on the vault host")
    return vault.verify_audit().__dict__
