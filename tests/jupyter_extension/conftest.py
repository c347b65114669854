"""Fixtures: real Jupyter servers with the Sealroom extension against the module's ``live_vault``.

``jupyter_servers`` starts four servers at once (module scope): one for the rights holder who
owns northwind-scripts, one for the data scientist ``dana``, one whose vault URL answers
nothing, and one configured without a token. Reuse the servers outside this folder through ``jupyter_support.jupyter_server_for``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from jupyter_support import JupyterServer, free_port, start_jupyter_server

import sealroom as sr
from sealroom.demo.holders import STUDIO
from sealroom.demo.roundtrip import SCRIPTS

HOLDER = STUDIO.handle  # harbor-light: owns northwind-scripts in the demo workspace
_LINE = itertools.count(1)  # each request reads another line, so each is a distinct request


@dataclass
class Servers:
    holder: JupyterServer
    scientist: JupyterServer
    down: JupyterServer  # configured with a vault URL where nothing listens
    tokenless: JupyterServer  # configured with the vault's URL but no token
    down_url: str


@pytest.fixture(scope="module")
def jupyter_servers(live_vault, tmp_path_factory) -> Servers:
    root = tmp_path_factory.mktemp("jupyter-servers")
    down_url = f"http://127.0.0.1:{free_port()}"
    started = [
        start_jupyter_server(live_vault.url, live_vault.tokens[HOLDER], root=root / "holder"),
        start_jupyter_server(live_vault.url, live_vault.tokens["dana"], root=root / "scientist"),
        start_jupyter_server(down_url, "sr_a-token-for-a-vault-that-is-not-there", root=root / "down"),
        start_jupyter_server(live_vault.url, None, root=root / "tokenless"),
    ]
    try:
        for server in started:
            server.wait_ready()
        yield Servers(*started, down_url=down_url)
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="module")
def dana(live_vault):
    """The data scientist's client session (submits the requests the holder reviews)."""
    ws = sr.connect(live_vault.url, live_vault.tokens["dana"])
    yield ws
    ws.close()


@pytest.fixture
def review_request(dana):
    """A fresh request that waits for the holder's review: it returns one raw script line."""
    source = f"def one_line(plays):\n    return plays['line'].iloc[{next(_LINE)}]\n"
    request = dana.submit_source(source, function_name="one_line", inputs={"plays": dana.datasets[SCRIPTS]}, purpose="research: look at one line")
    assert request.view["state"] == "pending_review", request.view
    return request
