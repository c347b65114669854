"""The Sealroom jupyter-server extension: the review panel's REST API and the embedded vault.

Enable it with ``--ServerApp.jpserver_extensions='{"sealroom.jupyter_extension": true}'``;
configure it as ``c.SealroomExtension.*`` (docs/jupyter.md). Importing this package has no side
effects: the app, the handlers and the vault child are set up only when Jupyter loads it.

Modules: ``app`` (ExtensionApp and its traits), ``handlers`` (routes under ``/sealroom/``),
``identity`` (who a request acts as; the identity provider), ``vault_client`` (async calls to the
vault), ``cards`` (vault view -> review card), ``embedded_vault`` (the ``sealroom serve`` child).
"""

from __future__ import annotations


def _jupyter_server_extension_points() -> list[dict]:
    # imported here so that importing the package (e.g. for the labextension path) needs no jupyter_server
    from sealroom.jupyter_extension.app import SealroomExtension

    return [{"module": "sealroom.jupyter_extension", "app": SealroomExtension}]


def _jupyter_labextension_paths() -> list[dict]:
    return [{"src": "labextension", "dest": "@sealroom/review-panel"}]
