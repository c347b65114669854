"""A seccomp deny-list for the job child (pyseccomp over libseccomp2), returning EPERM.

Default action is ALLOW, so numpy/pandas/torch keep working; what is denied is what a job has no
business doing: starting programs or processes, opening non-UNIX sockets, touching other
processes, namespaces, mounts, kernel keyrings, modules, BPF, io_uring (which would bypass the
socket rule) and file handles (``open_by_handle_at`` ignores paths, hence Landlock).

Threads stay allowed: ``clone`` is refused only without ``CLONE_THREAD``; ``clone3`` answers
ENOSYS so that glibc falls back to ``clone``, whose flags a classic filter can inspect.
Import this module (and so libseccomp, via ``find_library``) before Landlock is applied: the
lookup needs files that Landlock then hides.
"""

from __future__ import annotations

import errno
import os
import socket

import pyseccomp as seccomp

CLONE_THREAD = 0x00010000

DENIED_SYSCALLS: tuple[str, ...] = (
    # programs and processes
    "execve", "execveat", "fork", "vfork",
    # other processes' memory and state
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
    "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    # namespaces and mounts
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "mount_setattr",
    "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick",
    # kernel facilities
    "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
    "swapoff", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "open_by_handle_at", "name_to_handle_at", "mknod", "mknodat", "acct", "quotactl", "syslog",
    "fanotify_init", "iopl", "ioperm", "uselib", "vhangup",
    # host-wide state (the job runs as root in the initial user namespace)
    "sethostname", "setdomainname", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
)

#: Signal-sending calls whose first argument is a pid/tgid that must be the child's own.
_SIGNAL_SYSCALLS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


def build_filter(own_pid: int | None = None) -> seccomp.SyscallFilter:
    """The filter for a child whose pid is ``own_pid`` (default: the caller's pid)."""
    pid = os.getpid() if own_pid is None else own_pid
    deny = seccomp.ERRNO(errno.EPERM)
    flt = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        _add(flt, deny, name)
    _add(flt, deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    _add(flt, seccomp.ERRNO(errno.ENOSYS), "clone3")
    _add(flt, deny, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    _add(flt, deny, "socketpair", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    for name in _SIGNAL_SYSCALLS:
        _add(flt, deny, name, seccomp.Arg(0, seccomp.NE, pid))
    return flt


def apply(own_pid: int | None = None) -> None:
    """Load the filter into the calling thread (single-threaded child; needs no_new_privs)."""
    build_filter(own_pid).load()


def _add(flt: seccomp.SyscallFilter, action: int, name: str, *args: seccomp.Arg) -> None:
    if seccomp.resolve_syscall(seccomp.system_arch(), name) == -1:  # __NR_SCMP_ERROR
        return  # no such syscall on this architecture (e.g. ``iopl`` on aarch64)
    flt.add_rule(action, name, *args)
