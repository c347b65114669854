"""``python -m sealroom.kernel.confine -f {connection_file}``: start the Sealroom kernel confined.

The ``sealroom`` kernelspec runs this launcher; it replaces itself (``execve``) with bubblewrap
(``bwrap``), which runs ``python -m sealroom.kernel`` inside a sandbox. Contract:

- The kernel reaches the network as before (the vault's HTTP API, Jupyter's TCP ports): the
  network namespace is shared. Everything else is new: user (where possible), pid, ipc, uts
  and cgroup namespaces, a fresh ``/proc`` (no host process is visible), a minimal ``/dev``, no
  capabilities, and it dies with the process that started it.
- The filesystem holds only what Python needs, read-only: ``/usr`` and the ``/bin``, ``/lib``
  ... links or folders, the ``/etc`` files named in ``ETC_ENTRIES``, ``sys.base_prefix``,
  ``sys.prefix``, the ``sealroom`` package folder (of the checkout around an editable install,
  only the package and its ``CHECKOUT_DATA``) and other folders ``.pth`` files put on
  ``sys.path``. ``/tmp`` is a private tmpfs holding ``HOME``, the working folder. Nothing else
  of the host is there: not the vault's workspace, not the notebook folder, not the
  repository, not the host's ``/tmp``.
- Jupyter's connection file is copied in (``/tmp/kernel.json``), never bound. With the ``ipc``
  transport the kernel's sockets live in a private relay folder, bound read-write, and the
  paths the client expects (``<ip>-<port>``, ``ip`` relative to the launcher's folder) are
  symlinks into it. A relay folder left by a kernel that has exited is removed by a later
  launch (each running kernel holds a lock on its own).
- The environment is rebuilt from ``kernel_environment``; the token travels there, never on
  the command line (which every local user can read in ``/proc``). The caller's ``JPY_PARENT_PID``
  is not passed (in a pid namespace ipykernel's parent poller would stop the kernel); it is 1,
  which ipykernel reads as "no parent to poll".
- ``SEALROOM_HIDE_PATHS`` (``os.pathsep``-separated, set by servers that know where the vault
  lives): the launcher refuses to start when a bound path is inside one of them or holds one.
- Fail closed: without bubblewrap, or when it cannot build the sandbox, the launcher prints one
  line naming the problem and the fix and exits 1; it never starts the kernel unconfined.
  ``SEALROOM_KERNEL_UNCONFINED=1`` is the development-only opt-out: it removes the protection.
- SIGINT is ignored by the launcher before it execs bubblewrap, so Jupyter's interrupt (SIGINT
  to the kernel's process group) reaches the kernel instead of ending the sandbox.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sealroom.core.errors import ConfigurationError, SealroomError

UNCONFINED_VARIABLE = "SEALROOM_KERNEL_UNCONFINED"
HIDE_VARIABLE = "SEALROOM_HIDE_PATHS"
INSTALL_HINT = "apt-get install -y bubblewrap"
NAMESPACES = ("--unshare-user-try", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try")
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64")
ETC_ENTRIES = (
    "ssl", "ca-certificates", "ca-certificates.conf", "pki", "resolv.conf", "hosts", "host.conf", "nsswitch.conf",
    "gai.conf", "passwd", "group", "localtime", "timezone", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
    "alternatives", "mime.types", "protocols", "services", "fonts",
)
PASSED_VARIABLES = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "PYDEVD_DISABLE_FILE_VALIDATION", "SEALROOM_URL", "SEALROOM_TOKEN")
IPC_PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
HOME = "/tmp/home"
CONNECTION_FILE = "/tmp/kernel.json"
IPC_DIR = "/tmp/ipc"
# What an editable install reads from its checkout instead of the wheel's sealroom/_policies
# (``core.policy.pack.policies_dir``): public data, bound read-only beside the package.
CHECKOUT_DATA = ("policies",)
RELAY_PREFIX = "sealroom-kernel-ipc-"
RELAY_GRACE_S = 60


@dataclass(frozen=True, kw_only=True)
class Host:
    """The launcher's Python, as the sandbox must reproduce it (all paths absolute and resolved)."""

    executable: str
    prefixes: tuple[str, ...]  # sys.base_prefix, sys.prefix
    package: str  # the sealroom package folder
    path_entries: tuple[str, ...]  # folders .pth files put on sys.path
    package_data: tuple[str, ...] = ()  # CHECKOUT_DATA folders beside an editable install's package

    @classmethod
    def current(cls) -> Host:
        prefixes = tuple(dict.fromkeys(os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)))
        package = Path(__file__).resolve().parents[1]
        editable = not any(inside(str(package), prefix) for prefix in prefixes)
        data = tuple(str(package.parent / name) for name in CHECKOUT_DATA if editable and (package.parent / name).is_dir())
        return cls(executable=sys.executable, prefixes=prefixes, package=str(package),
                   path_entries=tuple(pth_entries(site.getsitepackages())), package_data=data)


def pth_entries(site_dirs: Sequence[str]) -> list[str]:
    """The folders that ``site`` adds to ``sys.path`` from the ``.pth`` files of ``site_dirs``."""
    entries = []
    for folder in site_dirs:
        for pth in sorted(Path(folder).glob("*.pth")):
            for line in pth.read_text(errors="replace").splitlines():
                if line.strip() and not line.startswith(("#", "import ", "import\t")):
                    path = os.path.realpath(os.path.join(folder, line.strip()))
                    if os.path.isdir(path):
                        entries.append(path)
    return entries


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def read_only_binds(host: Host) -> list[str]:
    """Host folders the kernel sees read-only (besides ``/usr``, ``/etc``): prefixes, package, .pth folders."""
    binds = list(host.prefixes)
    for entry in host.path_entries:
        if inside(host.package, entry):
            entry = host.package  # an editable install: the package, never the checkout around it
        if not any(inside(entry, bound) for bound in binds):
            binds.append(entry)
    for path in (host.package, *host.package_data):
        if not any(inside(path, bound) for bound in binds):
            binds.append(path)
    return binds


def refuse_hidden(paths: Sequence[str], hidden: Sequence[str]) -> None:
    """Raise when a bound path is inside a hidden one or holds one."""
    for path in paths:
        real = os.path.realpath(path)
        for hide in hidden:
            hide = os.path.realpath(hide)
            if inside(real, hide) or inside(hide, real):
                raise ConfigurationError(f"refusing to start the kernel: {path} would be visible in its sandbox and it overlaps {hide}, which {HIDE_VARIABLE} hides")


def kernel_environment(environ: Mapping[str, str], host: Host) -> dict[str, str]:
    """The kernel's whole environment: a fixed base plus the ``PASSED_VARIABLES`` that are set."""
    env = {
        "PATH": f"{os.path.dirname(host.executable)}:/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME, "IPYTHONDIR": f"{HOME}/.ipython", "TMPDIR": "/tmp",
        "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
        # The kernel's parent in its pid namespace is bubblewrap's init, pid 1: for ipykernel that
        # means no parent poller (--die-with-parent does that job) and no stand-alone notice.
        "JPY_PARENT_PID": "1",
    }
    if os.path.dirname(host.package) not in host.path_entries and not any(inside(host.package, p) for p in host.prefixes):
        env["PYTHONPATH"] = os.path.dirname(host.package)  # the package reached sys.path some other way
    env.update({name: environ[name] for name in PASSED_VARIABLES if name in environ})
    return env


def sandbox_argv(host: Host, *, bwrap: str, connection_fd: int, ipc_dir: str | None = None,
                 kernel_args: Sequence[str] = (), hidden: Sequence[str] = ()) -> list[str]:
    """The bubblewrap command that runs the kernel confined. It writes and starts nothing (it only
    looks at which system folders and ``/etc`` entries exist); it raises ``ConfigurationError``
    when a bound path overlaps one in ``hidden``."""
    argv = [bwrap, *NAMESPACES, "--die-with-parent", "--cap-drop", "ALL"]
    bound: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
            bound.append(path)
    for name in ETC_ENTRIES:
        if os.path.lexists(f"/etc/{name}"):
            argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
            bound.append(f"/etc/{name}")
    # the private /tmp first: a prefix or checkout under /tmp (a CI clone, a pytest folder) is bound on top of it
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", HOME]
    for path in sorted(read_only_binds(host), key=len):
        argv += ["--ro-bind", path, path]
        bound.append(path)
    argv += ["--perms", "0600", "--file", str(connection_fd), CONNECTION_FILE]
    if ipc_dir is not None:
        argv += ["--bind", ipc_dir, IPC_DIR]
        bound.append(ipc_dir)
    refuse_hidden(bound, hidden)
    return [*argv, "--chdir", HOME, "--", host.executable, "-m", "sealroom.kernel", "-f", CONNECTION_FILE, *kernel_args]


def find_bwrap(environ: Mapping[str, str]) -> str:
    bwrap = shutil.which("bwrap", path=environ.get("PATH", os.defpath))
    if bwrap is None:
        raise ConfigurationError(f"bubblewrap (bwrap) is not installed, and the Sealroom kernel only runs confined: install it ({INSTALL_HINT})")
    return bwrap


def check_sandbox(bwrap: str) -> None:
    """Build an empty sandbox with the kernel's namespaces; raise with bubblewrap's reason if it cannot."""
    probe = subprocess.run([bwrap, *NAMESPACES, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "true"],
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[0]
        raise ConfigurationError(f"bubblewrap cannot build the kernel's sandbox ({reason}): allow unprivileged user namespaces "
                                 f"(sysctl kernel.unprivileged_userns_clone=1) or install a setuid bwrap ({INSTALL_HINT})")


def sweep_relays(tmp: str) -> None:
    """Remove the ipc relay folders of kernels that have exited (their lock is free)."""
    for folder in Path(tmp).glob(f"{RELAY_PREFIX}*"):
        try:
            if folder.is_symlink() or folder.lstat().st_uid != os.getuid() or time.time() - folder.lstat().st_mtime < RELAY_GRACE_S:
                continue
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder)
            finally:
                os.close(fd)
        except OSError:
            continue  # held by a running kernel, or gone already


def make_relay() -> tuple[str, int]:
    """A private folder for the kernel's ipc sockets and a lock on it, inherited by bubblewrap."""
    tmp = tempfile.gettempdir()
    sweep_relays(tmp)
    folder = tempfile.mkdtemp(prefix=RELAY_PREFIX, dir=tmp)
    lock = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.set_inheritable(lock, True)  # held by bubblewrap after the exec: for as long as the kernel runs
    return folder, lock


def link_relay(folder: str, host_prefix: str, ports: Sequence[int]) -> None:
    """Symlink each ``<host_prefix>-<port>`` the client connects to onto the socket in ``folder``.

    An empty file stands in for each socket until the kernel binds it (zmq replaces it), so the
    path exists at once and another kernel manager does not pick the same port meanwhile."""
    links = [f"{host_prefix}-{port}" for port in ports]
    for link in links:
        if os.path.lexists(link) and not (os.path.islink(link) or Path(link).is_socket()):
            raise ConfigurationError(f"cannot place the kernel's socket at {link}: something else is there; remove it")
    for port, link in zip(ports, links):
        if os.path.lexists(link):
            os.unlink(link)  # a stale socket or link of an earlier kernel, as zmq itself would replace it
        Path(folder, f"kernel-{port}").touch(mode=0o600)
        os.symlink(f"{folder}/kernel-{port}", link)


def connection_fd(info: dict) -> int:
    fd = os.memfd_create("sealroom-kernel-connection", 0)
    os.write(fd, json.dumps(info).encode())
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


def main(argv: Sequence[str] | None = None) -> None:
    """Exec the confined kernel; on any problem print one line and exit 1."""
    parser = argparse.ArgumentParser(prog="python -m sealroom.kernel.confine", description="Start the Sealroom kernel confined by bubblewrap.")
    parser.add_argument("-f", dest="connection_file", required=True, help="Jupyter's connection file")
    args, kernel_args = parser.parse_known_args(argv)
    environ = os.environ
    if environ.get(UNCONFINED_VARIABLE) == "1":
        print(f"sealroom kernel: {UNCONFINED_VARIABLE}=1, starting UNCONFINED: the kernel can read every file you can, the vault's included (development only)", file=sys.stderr)
        os.execv(sys.executable, [sys.executable, "-m", "sealroom.kernel", "-f", args.connection_file, *kernel_args])
    relay = None
    try:
        bwrap = find_bwrap(environ)
        check_sandbox(bwrap)
        host = Host.current()
        hidden = [p for p in environ.get(HIDE_VARIABLE, "").split(os.pathsep) if p]
        try:
            info = json.loads(Path(args.connection_file).read_text())
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"cannot read the connection file {args.connection_file}: {exc}") from None
        host_prefix = os.path.abspath(info["ip"]) if info.get("transport") == "ipc" else None
        if host_prefix is not None:
            relay, _lock = make_relay()
            info = {**info, "ip": f"{IPC_DIR}/kernel"}
        command = sandbox_argv(host, bwrap=bwrap, connection_fd=connection_fd(info), ipc_dir=relay, kernel_args=kernel_args, hidden=hidden)
        if host_prefix is not None:
            link_relay(relay, host_prefix, [int(info[port]) for port in IPC_PORTS])
    except (SealroomError, OSError, KeyError, ValueError) as exc:
        if relay is not None:
            shutil.rmtree(relay, ignore_errors=True)
        if isinstance(exc, KeyError):
            message = f"the connection file {args.connection_file} has no {exc.args[0]!r}"
        else:
            message = exc.public_message if isinstance(exc, SealroomError) else f"cannot prepare the kernel's sandbox: {exc}"
        print(f"sealroom kernel: {message}", file=sys.stderr)
        sys.exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Jupyter's interrupt is for the kernel, not for bwrap
    os.execve(bwrap, command, kernel_environment(environ, host))


if __name__ == "__main__":
    main()
