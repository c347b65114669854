"""Isolation layers applied in the forked job child, and the report of which ones are active.

Order matters: the network namespace needs CAP_SYS_ADMIN (so it comes before seccomp forbids
``unshare``); rlimits and the environment come next; Landlock and then seccomp last (Landlock's
ruleset needs ``open`` on the allowed paths; seccomp would deny the ``unshare``).
Every layer is attempted; one that fails is recorded under ``missing`` (with the reason under
``layer_errors``) so that the caller can fail closed when ``require_layers`` names it.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sealroom.core.errors import ConfigurationError
from sealroom.core.sandbox import landlock, seccomp_filter

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
#: Largest file a job may write in its scratch directory (RLIMIT_FSIZE).
SCRATCH_FILE_BYTES = 1024**3
#: RLIMIT_NPROC for the child. It has no effect for root (seccomp stops process creation there).
MAX_PROCESSES = 512

_SYSTEM_READ_PATHS = ("/usr/lib", "/lib", "/lib64", "/usr/lib64", "/usr/share/zoneinfo",
                      "/etc/ld.so.cache", "/etc/localtime", "/dev/urandom")
_SYSTEM_WRITE_PATHS = ("/dev/null",)

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True, kw_only=True)
class IsolationPlan:
    """What the child may touch and how much it may use (sent by the executor to the zygote)."""

    read_only: tuple[str, ...]
    read_write: tuple[str, ...]
    cpu_seconds: int
    memory_bytes: int
    open_files: int


def python_read_paths() -> tuple[Path, ...]:
    """The interpreter's install trees: stdlib, site-packages, extension modules.

    Deliberately *not* every ``sys.path`` entry: an editable install puts the project checkout
    there, and the vault workspace may live inside it.
    """
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    return tuple(sorted(Path(p).resolve() for p in roots))


def system_read_paths() -> tuple[Path, ...]:
    """System libraries and files the interpreter needs (those that exist), resolved."""
    return tuple(dict.fromkeys(Path(p).resolve() for p in _SYSTEM_READ_PATHS if os.path.exists(p)))


def system_write_paths() -> tuple[Path, ...]:
    return tuple(Path(p) for p in _SYSTEM_WRITE_PATHS if os.path.exists(p))


def readable_paths(scratch_root: Path) -> tuple[Path, ...]:
    """Every tree a job may read: Python, system libraries, and its scratch (under the root)."""
    paths = python_read_paths() + system_read_paths() + system_write_paths() + (scratch_root.resolve(),)
    return tuple(dict.fromkeys(paths))


def check_protected(readable: Iterable[Path], protected: Iterable[Path]) -> None:
    """Raise ``ConfigurationError`` if a readable tree contains or lies inside a protected path."""
    for guarded in protected:
        guarded = Path(guarded).resolve()
        for path in readable:
            if path == guarded or path.is_relative_to(guarded) or guarded.is_relative_to(path):
                raise ConfigurationError(
                    "the sandbox would let jobs read a protected directory; move the workspace "
                    "outside the Python installation, system library and scratch directories",
                    detail=f"protected path {guarded} overlaps sandbox-readable path {path}",
                )


def scrub_environment(scratch: str) -> None:
    """Replace the environment with a fixed minimal one (no inherited secrets)."""
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": scratch, "TMPDIR": scratch,
                       "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})


def apply(plan: IsolationPlan, scratch: str) -> dict[str, object]:
    """Apply every layer to the calling (single-threaded, forked) process; report what is active."""
    report: dict[str, object] = {"process": "fork of warm zygote", "session": True, "fds_closed": True}
    errors: dict[str, str] = {}

    os.chdir(scratch)
    scrub_environment(scratch)
    report["env_scrubbed"] = True
    report["network_namespace"] = _attempt(errors, "network_namespace", _unshare_network)
    try:
        report["rlimits"] = _set_rlimits(plan)
    except (OSError, ValueError) as exc:
        errors["rlimits"] = f"{type(exc).__name__}: {exc}"
        report["rlimits"] = {}
    report["no_new_privs"] = _attempt(errors, "no_new_privs", _no_new_privs)
    try:
        ll = landlock.restrict(plan.read_only, (*plan.read_write, scratch))
        report.update(landlock_abi=ll.abi, landlock=ll.fs, landlock_net=ll.net, landlock_scoped=ll.scoped)
        if ll.abi == 0:
            errors["landlock"] = "the kernel does not support Landlock"
    except OSError as exc:
        errors["landlock"] = f"{type(exc).__name__}: {exc}"
        report.update(landlock_abi=landlock.abi_version(), landlock=False, landlock_net=False, landlock_scoped=False)
    report["seccomp"] = _attempt(errors, "seccomp", seccomp_filter.apply)

    layers = ("network_namespace", "landlock", "landlock_net", "seccomp", "no_new_privs")
    missing = [name for name in layers if not report.get(name)]
    if not report["rlimits"]:
        missing.append("rlimits")
    report["missing"] = missing
    if errors:
        report["layer_errors"] = errors
    return report


def _attempt(errors: dict[str, str], name: str, action) -> bool:
    try:
        action()
    except Exception as exc:  # any failure means the layer is not active; record why
        errors[name] = f"{type(exc).__name__}: {exc}"
        return False
    return True


def _unshare_network() -> None:
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    if _libc.unshare(ctypes.c_int(flags)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare: {os.strerror(err)}")


def _no_new_privs() -> None:
    if _libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(err)}")


def _vm_size_bytes() -> int:
    with open("/proc/self/statm", "rb") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


def _set_rlimits(plan: IsolationPlan) -> dict[str, int]:
    address_space = _vm_size_bytes() + plan.memory_bytes
    limits = {
        "RLIMIT_AS": (address_space, address_space),
        "RLIMIT_CPU": (plan.cpu_seconds, plan.cpu_seconds + 1),
        "RLIMIT_FSIZE": (SCRATCH_FILE_BYTES, SCRATCH_FILE_BYTES),
        "RLIMIT_NOFILE": (plan.open_files, plan.open_files),
        "RLIMIT_CORE": (0, 0),
        "RLIMIT_NPROC": (MAX_PROCESSES, MAX_PROCESSES),
        "RLIMIT_MEMLOCK": (0, 0),
        "RLIMIT_MSGQUEUE": (0, 0),
    }
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), value)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over-size writes fail with EFBIG instead
    return {name: soft for name, (soft, _) in limits.items()}
