"""Shared fixtures: a demo workspace built once per session and copied per use, a running vault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sealroom.demo.workspace import DemoWorkspace, build_demo_workspace, load_demo_workspace


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> DemoWorkspace:
    """The demo workspace, built once (2000 dialogue lines); copy it before changing it."""
    return build_demo_workspace(tmp_path_factory.mktemp("template") / "ws")


@pytest.fixture
def demo_copy(demo_template: DemoWorkspace, tmp_path: Path) -> DemoWorkspace:
    """A private copy of the demo workspace for one test."""
    target = tmp_path / "ws"
    shutil.copytree(demo_template.root, target)
    return load_demo_workspace(target)


@pytest.fixture
def workspace(tmp_path: Path):
    """An empty new workspace (closed after the test)."""
    from sealroom.core.workspace import Workspace

    ws = Workspace.create(tmp_path / "empty-ws")
    yield ws
    ws.close()
