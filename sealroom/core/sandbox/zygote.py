"""The warm fork server: ``python -m sealroom.core.sandbox.zygote``.

Started by ``LocalExecutor`` with a scrubbed environment. It reads an ``init`` frame on stdin,
pre-imports the configured modules (it never runs a torch op: forked torch deadlocks in libgomp
if the parent used its thread pool), answers ``ready``, then serves one ``job`` or ``probe`` frame
at a time: fork a fresh child (``child.main`` locks it down and runs the job), supervise it (wall
time, output cap, log tails), and write back one ``outcome`` frame. The zygote runs no job code,
so it is trusted; it treats everything the child writes as hostile.

Jobs on cached inputs are forked from a *holder* for their keys instead (see ``holder``); the
zygote keeps the holders in an ``InputCache`` (byte bound, idle TTL checked even while no job
arrives) and kills them on ``clear_cache``, eviction or exit. The zygote never decodes an input.
"""

from __future__ import annotations

import importlib
import os
import select
import shutil
import signal
import tempfile
import time
from typing import Any

from sealroom.core.sandbox import child, failures, holder, input_cache, isolation
from sealroom.core.sandbox.job import Limits
from sealroom.core.sandbox.protocol import Frame, encode_frame, fd_reader, read_frame, split_frames, write_all

#: Bytes the child may write to its result pipe beyond ``output_bytes`` (headers, traceback).
RESULT_OVERHEAD_BYTES = 1024 * 1024
_KILL_GRACE_SECONDS = 5.0


class _Supervised:
    """What the zygote observed about one child."""

    def __init__(self) -> None:
        self.result = bytearray()
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.timed_out = False
        self.too_large = False
        self.status = 0
        self.cpu_seconds = 0.0
        self.run_ms = 0.0


def main() -> None:
    proto_in, proto_out = 0, os.dup(1)
    os.dup2(2, 1)  # stray prints from imported libraries go to the log, not the protocol pipe
    read_exact = fd_reader(proto_in)
    init = read_frame(read_exact).header
    started = time.perf_counter()
    failed: dict[str, str] = {}
    for name in init["preload_modules"]:
        try:
            importlib.import_module(name)
        except Exception as exc:  # report, do not die: the job may not need it
            failed[name] = f"{type(exc).__name__}: {exc}"
    plan = isolation.IsolationPlan(read_only=tuple(init["read_only"]), read_write=tuple(init["read_write"]),
                                   cpu_seconds=60, memory_bytes=2 * 1024**3, open_files=256)
    ready = {"type": "ready", "pid": os.getpid(), "import_ms": round((time.perf_counter() - started) * 1000, 1),
             "failed_imports": failed}
    write_all(proto_out, encode_frame(ready))
    cache = input_cache.InputCache(int(init.get("input_cache_bytes", 0)), float(init.get("input_cache_ttl_seconds", 1)),
                                   on_drop=holder.Holder.stop)

    def fetch(keys: list[str]) -> list[bytes] | None:
        write_all(proto_out, encode_frame({"type": "need", "keys": keys}))
        reply = read_frame(read_exact)
        return None if reply.header.get("type") != "inputs" or reply.header.get("cancel") else reply.parts

    def run(request: Frame, inherited: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        return serve(request, plan, init["scratch_root"], tuple(init["require_layers"]), inherited)

    try:
        while True:
            _wait_for_request(proto_in, cache)
            request = read_frame(read_exact)
            kind = request.header.get("type")
            if kind == "exit":
                return
            if kind == "clear_cache":
                write_all(proto_out, encode_frame({"type": "cache_cleared", "entries": cache.clear()}))
                continue
            reply = holder.route(request, cache, fetch, run) if kind == "job" else run(request, {})
            del request
            if reply is None:
                write_all(proto_out, encode_frame({"type": "cancelled"}))
            else:
                write_all(proto_out, encode_frame(reply[0], reply[1]))
            del reply
    except EOFError:
        return
    finally:
        cache.clear()


def _wait_for_request(fd: int, cache: input_cache.InputCache) -> None:
    """Block until a frame starts arriving, expiring idle cache entries meanwhile."""
    while True:
        timeout = cache.seconds_to_expiry()
        if select.select([fd], [], [], timeout)[0]:
            return
        cache.expire()


def serve(request: Frame, base_plan: isolation.IsolationPlan, scratch_root: str,
          require_layers: tuple[str, ...], inherited: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[bytes]]:
    """Fork a child for one request, supervise it, and build the outcome frame.

    ``inherited``: decoded inputs by name that the child receives through ``fork`` (cache hits).
    """
    limits = Limits(**request.header.get("limits", {}))
    plan = isolation.IsolationPlan(read_only=base_plan.read_only, read_write=base_plan.read_write,
                                   cpu_seconds=limits.cpu_seconds, memory_bytes=limits.memory_bytes,
                                   open_files=limits.open_files)
    scratch = tempfile.mkdtemp(prefix="job-", dir=scratch_root)
    try:
        seen = _fork_and_watch(request, plan, limits, scratch, require_layers, inherited or {})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _outcome(seen, limits, request.header.get("function_name", ""))


def _fork_and_watch(request: Frame, plan: isolation.IsolationPlan, limits: Limits, scratch: str,
                    require_layers: tuple[str, ...], inherited: dict[str, Any]) -> _Supervised:
    pipes = [os.pipe() for _ in range(3)]  # result, stdout, stderr
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        child.main(request, plan, scratch=scratch, result_fd=pipes[0][1], out_fd=pipes[1][1],
                   err_fd=pipes[2][1], require_layers=require_layers, inherited=inherited)
    for _, write_end in pipes:
        os.close(write_end)
    seen = _Supervised()
    readers = {pipes[0][0]: seen.result, pipes[1][0]: seen.stdout, pipes[2][0]: seen.stderr}
    caps = {pipes[0][0]: limits.output_bytes + RESULT_OVERHEAD_BYTES}
    pidfd = os.pidfd_open(pid)
    deadline = started + limits.wall_seconds
    try:
        open_fds = set(readers)
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                seen.timed_out = True
                break
            ready, _, _ = select.select([*open_fds, pidfd], [], [], remaining)
            for fd in ready:
                if fd == pidfd:
                    continue
                chunk = os.read(fd, 1024 * 1024)
                if not chunk:
                    open_fds.discard(fd)
                    continue
                _append(readers[fd], chunk, caps.get(fd), limits.log_bytes)
                if fd in caps and len(readers[fd]) > caps[fd]:
                    seen.too_large = True
            if seen.too_large or (pidfd in ready and not open_fds):
                break
            if pidfd in ready:  # exited but pipes still open: drain what is buffered, then stop
                _drain(open_fds, readers, caps, limits.log_bytes)
                break
        if seen.timed_out or seen.too_large:
            _kill(pid)
        _, seen.status, usage = os.wait4(pid, 0)
        seen.cpu_seconds = usage.ru_utime + usage.ru_stime
        seen.run_ms = (time.perf_counter() - started) * 1000
    finally:
        os.close(pidfd)
        for read_end, _ in pipes:
            os.close(read_end)
    return seen


def _append(buffer: bytearray, chunk: bytes, cap: int | None, log_bytes: int) -> None:
    buffer += chunk
    if cap is None and len(buffer) > log_bytes:
        del buffer[: len(buffer) - log_bytes]  # keep the tail of the logs


def _drain(fds: set[int], readers: dict[int, bytearray], caps: dict[int, int], log_bytes: int) -> None:
    for fd in list(fds):
        os.set_blocking(fd, False)
        try:
            while chunk := os.read(fd, 1024 * 1024):
                _append(readers[fd], chunk, caps.get(fd), log_bytes)
                if fd in caps and len(readers[fd]) > caps[fd]:
                    break
        except BlockingIOError:
            pass


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
            return
        except ProcessLookupError:
            continue


def _outcome(seen: _Supervised, limits: Limits, function_name: str) -> tuple[dict[str, Any], list[bytes]]:
    out: dict[str, Any] = {"type": "outcome", "status": "failed", "kind": None, "public_error": "",
                           "private_error": "", "isolation": {}, "run_ms": round(seen.run_ms, 2)}
    parts = [b"", bytes(seen.stdout), bytes(seen.stderr)]
    frames: list[Frame] = []
    garbage = None
    if not seen.too_large:  # the isolation frame predates job code; what follows may be scribbled
        frames, garbage = split_frames(bytes(seen.result))
    if frames and frames[0].header.get("type") == "isolation" and isinstance(frames[0].header.get("isolation"), dict):
        out["isolation"] = frames[0].header["isolation"]
        frames = frames[1:]
    final = frames[0] if len(frames) == 1 and garbage is None else None
    signum = os.WTERMSIG(seen.status) if os.WIFSIGNALED(seen.status) else 0
    if seen.timed_out:
        out["public_error"] = failures.timeout(limits)
    elif seen.too_large:
        out["public_error"] = failures.output_too_large(limits)
    elif signum:
        out["public_error"] = failures.from_signal(signum, limits, seen.cpu_seconds)
        out["private_error"] = f"child killed by signal {signum} after {seen.cpu_seconds:.2f} s CPU"
    elif final is not None and final.header.get("type") == "result" and len(final.parts) == 1 \
            and final.header.get("kind") in ("json", "table", "image"):
        if len(final.parts[0]) > limits.output_bytes:
            out["public_error"] = failures.output_too_large(limits, len(final.parts[0]))
        else:
            out.update(status="succeeded", kind=final.header["kind"])
            parts[0] = final.parts[0]
    elif final is not None and final.header.get("type") == "error":
        out["public_error"] = failures.from_error_frame(final.header, limits, function_name)
        private = final.header.get("private")
        out["private_error"] = private if isinstance(private, str) else ""
    else:
        out["public_error"] = "the job ended without a result (internal error or the job wrote to its result pipe)"
        out["private_error"] = f"exit status {seen.status}, {len(frames)} frames after isolation, garbage: {garbage}"
    return out, parts


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    main()
