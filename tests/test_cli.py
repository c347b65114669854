"""The ``sealroom`` command, run as a real process."""

from __future__ import annotations

import json
import re
import os
import sqlite3
import subprocess
import sys

from pathlib import Path

import pandas as pd
import pytest


POLICIES = Path(__file__).resolve().parents[1] / "policies"


def sealroom(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEALROOM_")}
    env["COLUMNS"] = "200"
    result = subprocess.run([sys.executable, "-m", "sealroom.cli", *args], capture_output=True, text=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"sealroom {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def test_init_user_ingest_and_audit_verify(tmp_path):
    ws = str(tmp_path / "ws")
    sealroom("init", ws)
    out = sealroom("user", "add", "studio", "--role", "rights_holder", "--workspace", ws).stdout
    assert "token: sr_" in out
    table = tmp_path / "lines.csv"
    pd.DataFrame({"speaker": ["a", "b"], "line": ["one two three four five", "six seven eight nine ten"]}).to_csv(table, index=False)
    license_file = tmp_path / "license.json"
    license_file.write_text(json.dumps({"allowed_purposes": ["research"], "min_aggregation_size": 5}))
    out = sealroom("ingest", "lines", str(table), "--kind", "table", "--owner", "studio", "--license", str(license_file), "--public-columns", "speaker", "--workspace", ws).stdout
    assert "registered lines/lines: 2 table items" in out
    assert "audit chain intact: 3 entries" in sealroom("audit", "verify", "--workspace", ws).stdout
    assert "dataset.registered" in sealroom("audit", "show", "--workspace", ws).stdout

    with sqlite3.connect(tmp_path / "ws" / "sealroom.db") as db:
        db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    broken = sealroom("audit", "verify", "--workspace", ws, check=False)
    assert broken.returncode == 1 and "broken at entry 2" in broken.stdout


def test_errors_are_one_clear_line(tmp_path):
    result = sealroom("user", "add", "x", "--role", "wizard", "--workspace", str(tmp_path / "missing"), check=False)
    assert result.returncode == 1
    assert "is not a Sealroom workspace" in result.stdout and "Traceback" not in result.stdout + result.stderr
    sealroom("init", str(tmp_path / "ws"))
    result = sealroom("user", "add", "x", "--role", "wizard", "--workspace", str(tmp_path / "ws"), check=False)
    assert result.returncode == 1 and "unknown role" in result.stdout


@pytest.mark.slow
def test_demo_check_completes_a_round_trip():
    out = sealroom("demo", "--check").stdout
    for expected in ("released request id:", "ALLOW", "REVIEW", "DENY", "opted this dataset out", "round trip OK", "gate withholds raw line", "signature", "log_index"):
        assert expected in out


def test_policy_test_runs_the_shipped_examples_and_check_explains_one():
    out = sealroom("policy", "test").stdout
    assert re.search(r"(\d+) of \1 examples decided as expected", out)
    assert "FAIL" not in out
    out = sealroom("policy", "check", str(POLICIES / "examples/05-deny-generative-opt-out.json")).stdout
    assert "DENY" in out and "deny-generative-opt-out" in out and "opted this dataset out" in out


def test_policy_test_fails_on_a_wrong_expectation(tmp_path):
    example = json.loads((POLICIES / "examples/01-allow-aggregate-research.json").read_text())
    example["expect"] = "deny"
    (tmp_path / "wrong.json").write_text(json.dumps(example))
    result = sealroom("policy", "test", str(tmp_path), check=False)
    assert result.returncode == 1 and "FAIL" in result.stdout


def test_policy_attach_validates_and_only_for_the_owner(tmp_path):
    ws = str(tmp_path / "ws")
    sealroom("init", ws)
    sealroom("user", "add", "studio", "--role", "rights_holder", "--org", "Studio", "--workspace", ws)
    sealroom("user", "add", "other", "--role", "rights_holder", "--workspace", ws)
    table = tmp_path / "lines.csv"
    pd.DataFrame({"speaker": ["a", "b"], "line": ["one two three four five", "six seven eight nine ten"]}).to_csv(table, index=False)
    sealroom("ingest", "lines", str(table), "--kind", "table", "--owner", "studio", "--license-template", "research-only", "--workspace", ws)
    refused = sealroom("policy", "attach", "lines", str(POLICIES / "dataset/no-line-export.cedar"), "--as", "other", "--workspace", ws, check=False)
    assert refused.returncode == 1 and "only the rights holder who owns" in refused.stdout
    bad = tmp_path / "bad.cedar"
    bad.write_text('@id("x") @effect("deny") @reason("r")\nforbid (principal, action, resource) when { resource.license.nope };\n')
    refused = sealroom("policy", "attach", "lines", str(bad), "--as", "studio", "--workspace", ws, check=False)
    assert refused.returncode == 1 and "does not validate" in refused.stdout and "nope" in refused.stdout
    assert "attached no-line-export" in sealroom("policy", "attach", "lines", str(POLICIES / "dataset/no-line-export.cedar"), "--as", "studio", "--workspace", ws).stdout
    assert "never lets lines of this dataset leave" in sealroom("policy", "list", "lines", "--workspace", ws).stdout
    assert "policy.attached" in sealroom("audit", "show", "--workspace", ws).stdout


def test_classroom_creates_students_and_prints_their_sign_ins(tmp_path):
    ws = str(tmp_path / "ws")
    sealroom("init", ws)
    out = sealroom("classroom", "--students", "3", "--workspace", ws).stdout
    tokens = re.findall(r"student-0(\d): SEALROOM_URL=http://127.0.0.1:8765 SEALROOM_TOKEN=(sr_\S+)", out)
    assert [n for n, _ in tokens] == ["1", "2", "3"] and len({t for _, t in tokens}) == 3
    assert "student-04" in sealroom("classroom", "--students", "1", "--workspace", ws).stdout
    listing = sealroom("user", "list", "--workspace", ws).stdout
    assert listing.count("data_scientist") == 4
    refused = sealroom("classroom", "--students", "0", "--workspace", ws, check=False)
    assert refused.returncode == 1 and "1 to 500 students" in refused.stdout
