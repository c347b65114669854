"""A Jupyter server without a vault URL builds the demo workspace, starts the vault as its child,
acts as dana, gives its kernels the vault's address and dana's token, and leaves no vault behind."""

from __future__ import annotations

import json
import shutil
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest
from jupyter_support import jupyter_server_for, start_jupyter_server

pytestmark = pytest.mark.slow

ENV_DUMP = """\
import json, os, sys, time
with open(sys.argv[1], "w") as out:
    json.dump({k: v for k, v in os.environ.items() if k.startswith("SEALROOM_")}, out)
time.sleep(120)
"""


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its command line (read from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                try:
                    found[child] = (Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
                except OSError:
                    found[child] = ""
                frontier.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pids, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.2)
    return [p for p in pids if alive(p)]


def vault_processes(server_pid: int, workspace: Path) -> dict[int, str]:
    below = descendants(server_pid)
    return {pid: cmd for pid, cmd in below.items() if "serve" in cmd and str(workspace) in cmd}


def install_env_dump_kernel(data_dir: Path, out: Path) -> None:
    spec = data_dir / "kernels" / "envdump"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-c", ENV_DUMP, str(out), "{connection_file}"], "display_name": "env dump", "language": "python"}))


def test_embedded_vault_serves_dana_feeds_kernels_and_stops_with_the_server(tmp_path):
    workspace = (tmp_path / "new-workspace").resolve()
    dumped = tmp_path / "kernel-env.json"
    install_env_dump_kernel(tmp_path / "jupyter" / "data", dumped)
    with jupyter_server_for(None, None, root=tmp_path / "jupyter", workspace=workspace, extra_args=("--KernelManager.shutdown_wait_time=0.5",)) as server:
        with server.client() as client:
            me = client.get("/sealroom/me").json()
            assert client.get("/api/me").json()["identity"]["username"] == "dana"
            kernel = client.post("/api/kernels", json={"name": "envdump"})
            assert kernel.status_code == 201, kernel.text
        assert (me["name"], me["role"], me["embedded"]) == ("dana", "data_scientist", True)
        assert me["vault_url"].startswith("http://127.0.0.1:")
        assert httpx.get(f"{me['vault_url']}/api/v1/health").status_code == 200
        vaults = vault_processes(server.pid, workspace)
        assert len(vaults) == 1, descendants(server.pid)
        everything_below = set(descendants(next(iter(vaults))))  # the vault's sandbox workers
        deadline = time.monotonic() + 60
        while not dumped.exists() or not dumped.read_text():
            assert time.monotonic() < deadline, server.log()[-3000:]
            time.sleep(0.1)
        signins = {u["name"]: u["token"] for u in json.loads((workspace / "signins.json").read_text())["users"]}
        assert json.loads(dumped.read_text()) == {"SEALROOM_URL": me["vault_url"], "SEALROOM_TOKEN": signins["dana"], "SEALROOM_HIDE_PATHS": str(workspace)}
        assert signins["dana"] not in server.log()
    assert wait_gone([*vaults, *everything_below]) == []
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{me['vault_url']}/api/v1/health", timeout=2)


def test_a_killed_server_leaves_no_vault_behind(tmp_path, demo_template):
    workspace = (tmp_path / "workspace").resolve()
    shutil.copytree(demo_template.root, workspace)  # an existing workspace: nothing to build
    server = start_jupyter_server(None, None, root=tmp_path / "jupyter", workspace=workspace)
    try:
        server.wait_ready()
        vaults = vault_processes(server.pid, workspace)
        assert len(vaults) == 1, descendants(server.pid)
        below = set(vaults) | set(descendants(next(iter(vaults))))
    finally:
        server.stop(sig=signal.SIGKILL)
    assert wait_gone(below) == []
