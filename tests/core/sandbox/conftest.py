"""Shared fixtures for the sandbox tests: one warm executor per module (real processes)."""

from __future__ import annotations

import pytest

from sealroom.core.sandbox import LocalExecutor


@pytest.fixture(scope="module")
def executor():
    with LocalExecutor() as ex:
        ex.start()
        yield ex
