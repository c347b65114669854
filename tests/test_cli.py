"""The ``sealroom`` command, run as a real process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest


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
