"""The Sealroom kernel runs confined: from inside a real kernel (the installed kernelspec, through
nbclient) the vault's files, the repository and the host's processes are out of reach, while the
vault's API still answers. Each attempt is first made from the test process, where it must work,
so a test that passes has shown the sandbox stopped it. The bubblewrap command is checked
directly, and the launcher's refusals through ``python -m sealroom.kernel.confine``.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from ast import literal_eval
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from traitlets.config import Config

from sealroom.core.errors import ConfigurationError
from sealroom.core.workspace import DB_FILE, KEY_FILE
from sealroom.demo.workspace import DATA_SCIENTIST
from sealroom.kernel.confine import CONNECTION_FILE, IPC_DIR, Host, kernel_environment, sandbox_argv
from sealroom.kernel.install import KERNEL_NAME

REPO = Path(__file__).resolve().parents[2]
ATTEMPT = '''
def attempt(action):
    """What happened when the kernel tried: "succeeded" or the OSError's name."""
    try:
        action()
    except OSError as exc:
        return type(exc).__name__
    return "succeeded"
'''
WORKS = {
    "pid": "import os; os.getpid()",
    "user": "ws.user['name']",
    "allowed": '%%remote plays=northwind-scripts --purpose "research: who speaks most"\nplays.groupby("speaker").size().to_dict()',
    "allowed_value": "sum(remote_result.values()), remote_request.view['state']",
    "environment": "sorted(os.environ)",
    "repo_listing": f"sorted(os.listdir({str(REPO)!r})) if os.path.isdir({str(REPO)!r}) else []",
}


def read(path: Path):
    return lambda: path.read_bytes()[:16]


def listing(path: Path):
    return lambda: os.listdir(path)


@pytest.fixture(scope="module")
def targets(live_vault, tmp_path_factory) -> dict[str, tuple[str, Path]]:
    """What the kernel must not reach: (how to try, path), by name."""
    secret = tmp_path_factory.mktemp("secret") / "secret.txt"
    secret.write_text("the test's secret")
    key = live_vault.root / KEY_FILE
    return {
        "database": ("read", live_vault.root / DB_FILE),
        "key_file": ("read", key),
        "workspace_folder": ("list", live_vault.root),
        "vault_environment": ("read", Path(f"/proc/{live_vault.pid}/environ")),
        "key_through_vault_root": ("read", Path(f"/proc/{live_vault.pid}/root{key}")),
        "secret_in_pytest_tmp": ("read", secret),
        "secret_folder": ("list", secret.parent),
    }


@pytest.fixture(scope="module")
def confined(live_vault, sealroom_kernel, targets) -> dict[str, object]:
    """One confined kernel session: what works, then every attempt; each cell's value by name."""
    cells = {"helper": ATTEMPT, **WORKS}
    for name, (how, path) in targets.items():
        action = f"open({str(path)!r}, 'rb').read(16)" if how == "read" else f"os.listdir({str(path)!r})"
        cells[name] = f"attempt(lambda: {action})"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells.values()])
    token = live_vault.tokens[DATA_SCIENTIST]
    sealroom_kernel.execute(nb, SEALROOM_URL=live_vault.url, SEALROOM_TOKEN=token)
    values = {}
    for name, cell in zip(cells, nb.cells):
        results = [o.data["text/plain"] for o in cell.outputs if o.output_type == "execute_result"]
        values[name] = literal_eval(results[0]) if results else None
    return values


@pytest.mark.parametrize("name", ["database", "key_file", "workspace_folder", "vault_environment",
                                  "key_through_vault_root", "secret_in_pytest_tmp", "secret_folder"])
def test_kernel_cannot_reach_what_the_test_process_can(confined, targets, name):
    how, path = targets[name]
    (read if how == "read" else listing)(path)()  # works here: raises if the target is wrong
    assert confined[name] in ("FileNotFoundError", "PermissionError", "NotADirectoryError")


def test_kernel_does_not_see_the_repository(confined):
    outside = set(os.listdir(REPO))
    assert {"tests", "sealroom", "pyproject.toml"} <= outside
    inside = set(confined["repo_listing"])
    assert inside <= {"sealroom", "policies", ".venv"}  # an editable install's package and data, maybe the venv
    assert ".demo-workspace" not in inside and "tests" not in inside


def test_kernel_still_reaches_the_vault_api(confined):
    assert confined["user"] == DATA_SCIENTIST
    assert confined["allowed_value"] == (2000, "released")


def test_kernel_runs_in_its_own_pid_namespace_with_a_clean_environment(confined):
    assert confined["pid"] < 10 and os.getpid() > 10
    environment = set(confined["environment"])
    assert "SEALROOM_TOKEN" not in environment and "SEALROOM_URL" in environment
    assert not environment & {"JUPYTER_PATH", "JUPYTER_RUNTIME_DIR", "VIRTUAL_ENV"}
    assert os.environ["JUPYTER_PATH"]  # set by the sealroom_kernel fixture, so it was there to leak


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_interrupt_reaches_the_confined_kernel(sealroom_kernel, transport):
    config = Config()
    config.KernelManager.transport = transport
    manager = KernelManager(kernel_name=KERNEL_NAME, config=config)
    manager.start_kernel(env={**os.environ, "IPYTHONDIR": str(sealroom_kernel.ipython)})
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        started = time.monotonic()
        msg_id = client.execute("import time; time.sleep(30)")
        message = client.get_iopub_msg(timeout=10)
        while not (message["msg_type"] == "execute_input" and message["parent_header"].get("msg_id") == msg_id):
            message = client.get_iopub_msg(timeout=10)  # until the cell runs
        time.sleep(0.5)
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=10)
        while reply["parent_header"].get("msg_id") != msg_id:  # earlier kernel_info replies
            reply = client.get_shell_msg(timeout=10)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - started < 10
        assert client.execute_interactive("1 + 1", timeout=10)["content"]["status"] == "ok"  # still alive
        assert manager.is_alive()
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    if transport == "ipc":  # the socket links went with the kernel
        assert not [port for port in manager.ports if os.path.lexists(f"{manager.ip}-{port}")]


# -- the bubblewrap command, without running it ----------------------------------------------------
HOST = Host(executable="/srv/repo/.venv/bin/python", prefixes=("/opt/python", "/srv/repo/.venv"),
            package="/srv/repo/sealroom", path_entries=("/srv/repo", "/srv/other/src"), package_data=("/srv/repo/policies",))


def pairs(argv: list[str], option: str) -> list[tuple[str, str]]:
    return [(argv[i + 1], argv[i + 2]) for i, arg in enumerate(argv) if arg == option]


def test_argv_binds_what_python_needs_read_only_and_never_the_checkout():
    argv = sandbox_argv(HOST, bwrap="/usr/bin/bwrap", connection_fd=7, kernel_args=["--debug"])
    read_only = dict(pairs(argv, "--ro-bind"))
    for path in ("/usr", "/opt/python", "/srv/repo/.venv", "/srv/repo/sealroom", "/srv/repo/policies", "/srv/other/src"):
        assert read_only.get(path) == path
    assert "/srv/repo" not in read_only and not pairs(argv, "--bind")  # TCP: nothing read-write
    assert all(src.startswith("/etc/") for src, _ in pairs(argv, "--ro-bind-try"))
    for option in ("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-user-try", "--die-with-parent", "--proc", "--dev"):
        assert option in argv
    assert "--unshare-net" not in argv and "--unshare-all" not in argv  # the kernel needs the vault's API
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert argv[argv.index("--file") + 1:argv.index("--file") + 3] == ["7", CONNECTION_FILE]
    assert argv[argv.index("--") + 1:] == [HOST.executable, "-m", "sealroom.kernel", "-f", CONNECTION_FILE, "--debug"]


def test_argv_mounts_the_private_tmp_before_anything_under_it():
    argv = sandbox_argv(HOST, bwrap="bwrap", connection_fd=7, ipc_dir="/tmp/sealroom-kernel-ipc-x")
    assert pairs(argv, "--bind") == [("/tmp/sealroom-kernel-ipc-x", IPC_DIR)]
    tmpfs = argv.index("--tmpfs")
    assert argv[tmpfs + 1] == "/tmp"
    under_tmp = [i for i, arg in enumerate(argv) if arg.startswith("/tmp/") and i != argv.index("--chdir") + 1]
    assert under_tmp and min(under_tmp) > tmpfs


def test_argv_binds_a_checkout_under_tmp_on_top_of_the_private_tmp():
    """A CI clone or a venv under /tmp must stay visible: its binds come after ``--tmpfs /tmp``."""
    host = Host(executable="/tmp/ci/.venv/bin/python", prefixes=("/opt/python", "/tmp/ci/.venv"),
                package="/tmp/ci/sealroom", path_entries=("/tmp/ci",), package_data=("/tmp/ci/policies",))
    argv = sandbox_argv(host, bwrap="bwrap", connection_fd=7)
    tmpfs = argv.index("--tmpfs")
    binds = [i for i, arg in enumerate(argv) if arg == "--ro-bind" and argv[i + 1].startswith("/tmp/ci")]
    assert len(binds) == 3 and min(binds) > tmpfs


@pytest.mark.parametrize("hidden", ["/srv/repo", "/srv/repo/sealroom/core", "/opt", "/tmp/sealroom-kernel-ipc-x"])
def test_argv_refuses_a_bind_that_overlaps_a_hidden_path(hidden):
    with pytest.raises(ConfigurationError, match="refusing to start the kernel"):
        sandbox_argv(HOST, bwrap="bwrap", connection_fd=7, ipc_dir="/tmp/sealroom-kernel-ipc-x", hidden=[hidden])
    sandbox_argv(HOST, bwrap="bwrap", connection_fd=7, ipc_dir="/tmp/sealroom-kernel-ipc-x", hidden=["/srv/repo/.demo-workspace"])


def test_kernel_environment_is_rebuilt_and_keeps_the_token_off_the_command_line():
    caller = {"SEALROOM_URL": "http://vault:1", "SEALROOM_TOKEN": "sr_secret", "LANG": "C.UTF-8", "JPY_PARENT_PID": "4242",
              "JUPYTER_PATH": "/srv/jupyter", "IPYTHONDIR": "/srv/ipython", "AWS_SECRET_ACCESS_KEY": "x", "PYTHONPATH": "/srv/repo"}
    env = kernel_environment(caller, HOST)
    assert env["SEALROOM_TOKEN"] == "sr_secret" and env["SEALROOM_URL"] == "http://vault:1" and env["LANG"] == "C.UTF-8"
    assert env["JPY_PARENT_PID"] == "1"  # no parent poller inside the pid namespace
    assert env["HOME"].startswith("/tmp/") and env["IPYTHONDIR"].startswith(env["HOME"])
    assert env["PATH"].startswith("/srv/repo/.venv/bin:") and env["PYTHONNOUSERSITE"] == "1"
    assert not {"JUPYTER_PATH", "AWS_SECRET_ACCESS_KEY", "PYTHONPATH"} & set(env)
    assert "sr_secret" not in json.dumps(sandbox_argv(HOST, bwrap="bwrap", connection_fd=7))


# -- the launcher's refusals: one line, exit 1, no kernel -------------------------------------------
def launch(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    connection = tmp_path / "kernel.json"
    connection.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1", "shell_port": 1, "iopub_port": 2,
                                      "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "k", "signature_scheme": "hmac-sha256"}))
    base = {k: v for k, v in os.environ.items() if not k.startswith("SEALROOM_")}
    return subprocess.run([sys.executable, "-m", "sealroom.kernel.confine", "-f", str(connection)], env={**base, **env},
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)


def test_launcher_refuses_without_bubblewrap(tmp_path):
    assert Path("/usr/bin/bwrap").exists()  # so it is the PATH below that hides it
    ran = launch(tmp_path, PATH=str(tmp_path))
    assert ran.returncode == 1 and ran.stdout == ""
    [line] = ran.stderr.splitlines()
    assert line.startswith("sealroom kernel: bubblewrap (bwrap) is not installed") and "apt-get install -y bubblewrap" in line


def test_launcher_refuses_when_bubblewrap_cannot_build_the_sandbox(tmp_path):
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    ran = launch(tmp_path, PATH=f"{fake.parent}:/usr/bin:/bin")
    assert ran.returncode == 1
    [line] = ran.stderr.splitlines()
    assert "cannot build the kernel's sandbox (bwrap: No permissions to create new namespace)" in line and "apt-get install -y bubblewrap" in line


def test_launcher_refuses_a_hidden_path_it_would_bind(tmp_path):
    ran = launch(tmp_path, SEALROOM_HIDE_PATHS=os.pathsep.join(["/nonexistent", sys.prefix]))
    assert ran.returncode == 1
    [line] = ran.stderr.splitlines()
    assert line.startswith("sealroom kernel: refusing to start the kernel") and "SEALROOM_HIDE_PATHS" in line
