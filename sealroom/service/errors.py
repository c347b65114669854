"""The one place HTTP turns errors into JSON.

``SealroomError`` -> its status and ``{"error": code, "message": public_message}``; its private
``detail`` goes to the vault's log only. Any other exception -> 500 with a fixed message, so no
traceback or private value ever reaches a client.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from sealroom.core.errors import SealroomError

log = logging.getLogger("sealroom.service")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SealroomError)
    async def _sealroom(request: Request, exc: SealroomError) -> JSONResponse:
        if exc.detail:
            log.info("%s %s -> %s: %s", request.method, request.url.path, exc.code, exc.detail)
        return JSONResponse(exc.to_public_dict(), status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"error": "invalid_input", "message": f"the request body is not valid: {problems}"}, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal", "message": "the vault hit an internal error; the operator has the details"}, status_code=500)
