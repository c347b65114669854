"""Loading the extension: entry points, configuration, the environment kernels get, the token."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sealroom.core.errors import ConfigurationError
from sealroom.jupyter_extension import _jupyter_labextension_paths, _jupyter_server_extension_points
from sealroom.jupyter_extension.app import SealroomExtension, kernel_environment, resolve_token
from sealroom.jupyter_extension.embedded_vault import EmbeddedVault, VaultStartFailed, signin_token
from sealroom.jupyter_extension.identity import initials


def test_entry_points():
    assert _jupyter_server_extension_points() == [{"module": "sealroom.jupyter_extension", "app": SealroomExtension}]
    assert _jupyter_labextension_paths() == [{"src": "labextension", "dest": "@sealroom/review-panel"}]
    assert SealroomExtension.name == "sealroom"


def test_importing_the_package_starts_nothing_and_sets_nothing():
    code = (
        "import os, sys, threading; before = (threading.active_count(), dict(os.environ)); import sealroom.jupyter_extension; "
        "assert (threading.active_count(), dict(os.environ)) == before; assert 'jupyter_server' not in sys.modules and 'httpx' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_setting_is_documented_with_help_and_in_the_docs():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "jupyter.md").read_text()
    traits = SealroomExtension.class_own_traits(config=True)
    assert {"vault_url", "vault_token", "workspace", "embedded_user", "embedded_port", "request_timeout"} <= set(traits)
    for name, trait in traits.items():
        assert trait.help.strip(), name
        assert f"`{name}`" in docs, name


def test_kernel_environment():
    assert kernel_environment("http://v", "sr_t") == {"SEALROOM_URL": "http://v", "SEALROOM_TOKEN": "sr_t"}
    assert kernel_environment("http://v", "sr_t", hide_paths=["/ws"])["SEALROOM_HIDE_PATHS"] == "/ws"


def test_token_comes_from_the_setting_then_the_environment_then_the_demo_signin(tmp_path):
    (tmp_path / "signins.json").write_text(json.dumps({"users": [{"name": "dana", "token": "sr_dana"}, {"name": "admin", "token": "sr_admin"}]}))
    assert resolve_token("sr_set", {"SEALROOM_TOKEN": "sr_env"}, tmp_path, "dana") == "sr_set"
    assert resolve_token("", {"SEALROOM_TOKEN": "sr_env"}, tmp_path, "dana") == "sr_env"
    assert resolve_token("", {}, tmp_path, "dana") == "sr_dana"
    assert signin_token(tmp_path, "admin") == "sr_admin"
    with pytest.raises(ConfigurationError, match="dana, admin"):
        resolve_token("", {}, tmp_path, "nobody")
    with pytest.raises(ConfigurationError, match="vault_token"):
        resolve_token("", {}, None, "dana")  # a configured vault URL needs a token
    with pytest.raises(ConfigurationError, match="signins.json"):
        resolve_token("", {}, tmp_path / "elsewhere", "dana")


def test_initials():
    assert initials("Harbor Light Studios", "x") == "HL"
    assert initials("Dana (data scientist)", "dana") == "D"
    assert initials("", "dana") == "D"


def test_an_embedded_vault_that_cannot_start_says_why_and_leaves_nothing(tmp_path):
    not_a_workspace = tmp_path / "not-a-workspace"
    not_a_workspace.mkdir()
    vault = EmbeddedVault(not_a_workspace)
    started = time.monotonic()
    with pytest.raises(VaultStartFailed) as failure:
        vault.start(timeout=60)
    assert time.monotonic() - started < 55  # it noticed the exit, not the timeout
    message = failure.value.public_message
    assert "exited with code" in message and str(not_a_workspace / "embedded-vault.log") in message
    assert failure.value.http_status == 502 and vault.process is None
    assert (not_a_workspace / "embedded-vault.log").stat().st_size > 0
