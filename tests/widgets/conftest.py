"""Clients of the module's real vault (``live_vault``): the data scientist and two rights holders."""

from __future__ import annotations

import pytest

import sealroom as sr
from sealroom.demo.workspace import DATA_SCIENTIST


def _connect(live_vault, who: str):
    ws = sr.connect(live_vault.url, live_vault.tokens[who])
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def dana(live_vault):
    yield from _connect(live_vault, DATA_SCIENTIST)


@pytest.fixture(scope="module")
def studio(live_vault):
    """Harbor Light Studios, rights holder of the scripts."""
    yield from _connect(live_vault, "harbor-light")


@pytest.fixture(scope="module")
def press(live_vault):
    """Tidewater Press, rights holder of the stories (not of the scripts)."""
    yield from _connect(live_vault, "tidewater-press")
