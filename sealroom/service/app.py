"""The vault's HTTP API: a FastAPI app over one running ``Vault``.

``create_app(vault)`` mounts the routers under ``/api/v1`` and installs the error translator.
The OpenAPI document is served at ``/api/v1/openapi.json`` and kept in ``docs/openapi.json``
(a test fails when they differ). ``serve(vault, host, port)`` runs it with uvicorn.
"""

from __future__ import annotations

from fastapi import FastAPI

from sealroom import __version__
from sealroom.core.runtime import Vault
from sealroom.service import routes_audit, routes_catalog, routes_graphs, routes_policies, routes_requests
from sealroom.service.errors import install_error_handlers


def create_app(vault: Vault | None) -> FastAPI:
    """The API over ``vault`` (``None`` only to render the OpenAPI document)."""
    app = FastAPI(
        title="Sealroom vault API",
        version=__version__,
        description="Catalog, mock data, computation requests, review, released results and the audit log of a Sealroom workspace. Private content is never served.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.vault = vault
    install_error_handlers(app)
    for module in (routes_audit, routes_catalog, routes_graphs, routes_policies, routes_requests):
        app.include_router(module.router)
    return app


def serve(vault: Vault, *, host: str = "127.0.0.1", port: int = 8765, log_level: str = "warning") -> None:
    """Run the API until interrupted (the vault must be started)."""
    import uvicorn

    uvicorn.run(create_app(vault), host=host, port=port, log_level=log_level)


class ServerThread:
    """Run the API on a background thread (for ``demo --check`` and tests); a real HTTP server.

    ``with ServerThread(vault) as url: ...`` binds 127.0.0.1 on a free port, waits until it
    accepts requests, and shuts it down on exit.
    """

    def __init__(self, vault: Vault, *, host: str = "127.0.0.1", port: int = 0) -> None:
        import socket
        import threading

        import uvicorn

        if port == 0:
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        self.url = f"http://{host}:{port}"
        self._server = uvicorn.Server(uvicorn.Config(create_app(vault), host=host, port=port, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, name="sealroom-http", daemon=True)

    def __enter__(self) -> str:
        import time

        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the vault's HTTP server did not start")
            time.sleep(0.01)
        return self.url

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
