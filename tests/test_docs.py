"""Docs move with code: every CLI command, endpoint, check, license term and rule is documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from sealroom.cli import app
from sealroom.core.catalog.license import LicenseTerms
from sealroom.core.leakage import registered_checks
from sealroom.core.policy.cedar_engine import NO_PERMIT, POLICY_ERROR
from sealroom.core.policy.engine import ENGINE_ERROR
from sealroom.core.policy.pack import PolicyPack
from sealroom.service.app import create_app
from sealroom.service.openapi import openapi_json

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _cli_commands():
    for command in app.registered_commands:
        yield command.name or command.callback.__name__
    for group in app.registered_groups:
        for command in group.typer_instance.registered_commands:
            yield f"{group.name} {command.name or command.callback.__name__}"


def test_every_cli_command_is_documented():
    text = (DOCS / "cli.md").read_text()
    missing = [c for c in _cli_commands() if f"## `sealroom {c}" not in text]
    assert missing == []


def test_every_route_is_documented_and_openapi_is_current():
    text = (DOCS / "api.md").read_text()
    for route in create_app(None).routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/v1/") and "openapi" not in path and "docs" not in path:
            assert f"`{path.removeprefix('/api/v1')}" in text, path
    assert (DOCS / "openapi.json").read_text() == openapi_json(), "regenerate docs/openapi.json"


def test_every_check_license_term_and_rule_is_documented():
    checks = (DOCS / "checks.md").read_text()
    assert all(f"## `{check.check_id}`" in checks for check in registered_checks())
    licenses = (DOCS / "licenses.md").read_text()
    assert all(f"`{f.name}`" in licenses for f in dataclasses.fields(LicenseTerms))
    policies = (DOCS / "policies.md").read_text()
    rules = [*PolicyPack.load().metas, NO_PERMIT.policy_id, POLICY_ERROR.policy_id, ENGINE_ERROR.policy_id]
    missing = [rule for rule in rules if f"`{rule}`" not in policies]
    assert len(rules) > 10 and missing == []


def test_readme_has_the_two_commands_and_links_resolve():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        assert (ROOT / link).exists(), link
