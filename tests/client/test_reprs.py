"""Notebook reprs: datasets, requests and released results render as escaped HTML."""

from __future__ import annotations

import pytest

import sealroom as sr
from sealroom.core.runtime import Vault
from sealroom.core.workspace import Workspace
from sealroom.service.app import ServerThread


@pytest.fixture
def live(demo_copy):
    vault = Vault(Workspace.open(demo_copy.root)).start()
    try:
        with ServerThread(vault) as url:
            dana = sr.connect(url, demo_copy.token("dana"))
            studio = sr.connect(url, demo_copy.token("harbor-light"))
            yield dana, studio
            dana.close()
            studio.close()
    finally:
        vault.stop()
        vault.ws.close()


def test_reprs(live):
    dana, studio = live
    html = dana.datasets["northwind-scripts"]._repr_html_()
    assert "Harbor Light" in html and "dialogue" in html
    assert "northwind-art" in dana.datasets._repr_html_()
    assert dana.datasets["northwind-stories"].mock and isinstance(dana.datasets["northwind-stories"].mock[0], str)
    assert dana.datasets["northwind-art"].mock[0].ndim == 3

    def sneaky(plays):
        "<script>alert(1)</script>"
        return int(len(plays))

    request = dana.remote(plays=dana.datasets["northwind-scripts"])(sneaky).submit(purpose="research <b>bold</b>")
    html = request._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>bold</b>" not in html
    assert request.view["state"] in html and request.view["decision"]["outcome"] == "allow"
    request.wait(60)
    released = request.released
    assert released.value == 2000
    html = released._repr_html_()
    assert "Ed25519 signature verified" in html and "verbatim-text" in html
    assert "sneaky" in dana.requests.all()._repr_html_()
    assert "returns aggregate" in html_of(dana, request.id) and "permit-licensed-purpose" not in html_of(dana, request.id)
    reviewer_html = html_of(studio, request.id)
    assert "compute decision (allow)" in reviewer_html and "permit-licensed-purpose" in reviewer_html
    assert "release decision (allow)" in reviewer_html and "permit-release-after-gate" in reviewer_html


def html_of(ws, request_id):
    return ws.requests[request_id]._repr_html_()
