"""Whole requests that try to escape: the policy refuses what it recognises; the sandbox stops the rest.

The policy's static profile is not the security boundary, so the sandbox is tested as if the
policy had let every attack through (an engine that sends everything to review, then approved).
"""

from __future__ import annotations

import json

import pytest

from sealroom.core.hashing import sha256_json
from sealroom.core.policy.cedar_engine import CedarEngine
from sealroom.core.policy.decision import Decision, Outcome, PolicyReason
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


class ReviewEverything:
    """A test engine that lets every request reach a human (and so the sandbox); release as Cedar says."""

    def __init__(self) -> None:
        self.cedar = CedarEngine()

    def decide(self, action: str, context: dict) -> Decision:
        if action == "release":
            return self.cedar.decide(action, context)
        reason = PolicyReason("red-team", "every request goes to review in this test", "review")
        return Decision(Outcome.REVIEW, (reason,), "test", sha256_json(context), datasets=((context["datasets"][0]["name"], "review"),))


def _vault(demo_template, tmp_path_factory, policy=None):
    import shutil

    root = tmp_path_factory.mktemp("escape") / "ws"
    shutil.copytree(demo_template.root, root)
    return Vault(Workspace.open(root), policy=policy).start()


@pytest.fixture(scope="module")
def vault(demo_template, tmp_path_factory):
    vault = _vault(demo_template, tmp_path_factory, ReviewEverything())
    yield vault
    vault.stop()
    vault.ws.close()


@pytest.fixture(scope="module")
def cedar_vault(demo_template, tmp_path_factory):
    vault = _vault(demo_template, tmp_path_factory)
    yield vault
    vault.stop()
    vault.ws.close()


@pytest.mark.parametrize("name,outcome", [
    ("read the vault key", "review"), ("read the vault database", "review"),
    ("open a socket to the vault", "deny"), ("run a shell", "deny"), ("raise with private text", "review"),
])
def test_policy_recognises_what_it_can(cedar_vault, name, outcome):
    source = ATTACKS[name][0].format(key="/k", db="/d")
    with cedar_vault.ws.db.session() as session:
        dana = get_user(session, "dana")
    view = cedar_vault.requests.submit(dana, CodeRequest(source=source, function_name="attack", inputs={"plays": {"dataset": "northwind-scripts"}}, purpose="research"))
    assert view["decision"]["outcome"] == outcome, view["decision"]
    if outcome == "deny":
        assert view["state"] == "rejected" and "process, network" in view["public_reason"]


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
