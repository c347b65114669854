"""Whole requests (submit → approve → sandbox) that try to escape end failed and leak nothing."""

from __future__ import annotations

import json

import pytest

from sealroom.core.requests import CodeRequest
from sealroom.core.runtime import Vault
from sealroom.core.users import get_user
from sealroom.core.workspace import Workspace

ATTACKS = {
    "read the vault key": ("def attack(plays):\n    return open({key!r}).read()\n", "refused"),
    "read the vault database": ("def attack(plays):\n    return len(open({db!r}, 'rb').read())\n", "refused"),
    "open a socket to the vault": (
        "def attack(plays):\n    import socket\n    socket.create_connection(('127.0.0.1', 8765), timeout=2)\n    return 1\n", "refused"),
    "run a shell": ("def attack(plays):\n    import subprocess\n    return subprocess.run(['cat', {key!r}], capture_output=True).stdout.decode()\n", "refused"),
    "raise with private text": ("def attack(plays):\n    raise RuntimeError(' '.join(plays['line'].head(20)))\n", "RuntimeError"),
}


@pytest.fixture(scope="module")
def vault(demo_template, tmp_path_factory):
    import shutil

    root = tmp_path_factory.mktemp("escape") / "ws"
    shutil.copytree(demo_template.root, root)
    vault = Vault(Workspace.open(root)).start()
    yield vault
    vault.stop()
    vault.ws.close()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_escape_attempt_fails_closed(vault, name):
    template, expected = ATTACKS[name]
    source = template.format(key=str(vault.ws.root / "keys" / "workspace.key"), db=str(vault.ws.root / "sealroom.db"))
    with vault.ws.db.session() as session:
        dana, studio = get_user(session, "dana"), get_user(session, "harbor-light")
    view = vault.requests.submit(dana, CodeRequest(source=source, function_name="attack", inputs={"plays": {"dataset": "northwind-scripts"}}, purpose="research"))
    vault.requests.review(studio, view["id"], approve=True, note="red team")
    final = vault.requests.wait(dana, view["id"], timeout=60)
    assert final["state"] == "failed", final
    assert expected in final["public_reason"]
    key_material = json.loads((vault.ws.root / "keys" / "workspace.key").read_text())["master_key"]
    public = json.dumps(final)
    assert key_material not in public
    private_lines = [line for line in vault.requests.get(studio, view["id"])["private"]["error"].splitlines() if "Harbor" in line]
    assert not any(line in public for line in private_lines if line)
