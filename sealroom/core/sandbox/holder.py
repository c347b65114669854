"""Holders: one warm process per set of cached inputs, the fork server for the jobs that use them.

On a cache miss the zygote forks a holder with the inputs' bytes; the holder decodes them once
(``results.decode_input``, pandas/pyarrow/Pillow only: never job code, never a torch op) and
then serves jobs on exactly that set of keys, forking each job's child from itself (the same
``zygote.serve``: isolation, limits and supervision are unchanged). The child inherits the
decoded objects copy-on-write, so what a job does to its input (``df.drop(..., inplace=True)``)
stays in that child and the next job sees the original.

Why a process per key set rather than a cache inside the zygote: a forked child inherits its
parent's whole memory, so a cache in the zygote would put every cached dataset in every job's
address space. A holder holds only the inputs its jobs are bound to.

Private content lives decoded in holder memory while cached, bounded by ``InputCache`` (bytes,
idle TTL); a dropped holder is killed (SIGKILL) and its memory returns at once. Holders die with
the zygote (``PR_SET_PDEATHSIG``). RLIMIT_AS is computed from the child's VmSize at fork, so the
inherited pages do not count against a job's memory limit.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable
from typing import Any

from sealroom.core.results import decode_input
from sealroom.core.sandbox.input_cache import InputCache, approx_size
from sealroom.core.sandbox.protocol import Frame, ProtocolError, encode_frame, fd_reader, read_frame, write_all

Serve = Callable[[Frame, dict[str, Any]], tuple[dict[str, Any], list[bytes]]]
Reply = tuple[dict[str, Any], list[bytes]]


class Holder:
    """The zygote's handle on one holder process: a pid and a request/reply pipe pair."""

    def __init__(self, pid: int, to_fd: int, from_fd: int) -> None:
        self.pid, self.to_fd, self.from_fd = pid, to_fd, from_fd

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def request(self, frame: Frame) -> Frame | None:
        """Forward one job and wait for its outcome; None if the holder died meanwhile."""
        try:
            write_all(self.to_fd, encode_frame(frame.header, frame.parts))
            return read_frame(fd_reader(self.from_fd))
        except (OSError, EOFError, ProtocolError):
            return None

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        for fd in (self.to_fd, self.from_fd):
            os.close(fd)


def route(request: Frame, pool: InputCache, fetch: Callable[[list[str]], list[bytes] | None], serve: Serve) -> Reply | None:
    """Run a job on a holder for its cached keys (starting one on a miss); None if cancelled.

    Jobs without cached keys, with the cache off, or whose inputs are too big or do not decode,
    are served by ``serve`` in the zygote with the bytes in the frame, exactly as without a cache.
    """
    specs = request.header.get("inputs", [])
    keys = list(dict.fromkeys(spec["cache_key"] for spec in specs if spec.get("cache_key")))
    if not keys:
        header, parts = serve(request, {})
        return {**header, "input_cache": {"hits": 0, "misses": 0}}, parts
    pool.expire()
    set_key = "\n".join(sorted(keys))
    holder = pool.get(set_key)
    if holder is not None and not holder.alive():
        pool.discard(set_key)
        holder = None
    if holder is not None:
        return _on_holder(pool, set_key, holder, request, {"hits": len(keys), "misses": 0})
    payloads = fetch(keys)
    if payloads is None or len(payloads) != len(keys):
        return None
    received = dict(zip(keys, payloads, strict=True))
    del payloads
    stats = {"hits": 0, "misses": len(keys)}
    if 0 < sum(map(len, received.values())) <= pool.max_bytes:
        kinds = {spec["cache_key"]: spec["kind"] for spec in specs if spec.get("cache_key")}
        holder, size = spawn(kinds, received, serve)
        if size is not None and pool.put(set_key, holder, size):
            return _on_holder(pool, set_key, holder, request, stats)
        holder.stop()
    parts = [received.get(spec.get("cache_key") or "", part) for spec, part in zip(specs, request.parts, strict=True)]
    header, reply_parts = serve(Frame(request.header, parts), {})
    return {**header, "input_cache": stats}, reply_parts


def spawn(kinds: dict[str, str], received: dict[str, bytes], serve: Serve) -> tuple[Holder, int | None]:
    """Fork a holder that decodes ``received``; the decoded size, or None if an input did not decode."""
    down_r, down_w = os.pipe()
    up_r, up_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the holder: never returns into the zygote's loop
        status = 1
        try:
            _holder_main(down_r, up_w, kinds, received, serve)
            status = 0
        finally:
            os._exit(status)
    os.close(down_r)
    os.close(up_w)
    holder = Holder(pid, down_w, up_r)
    try:
        held = read_frame(fd_reader(up_r)).header
    except (OSError, EOFError, ProtocolError):
        return holder, None
    size = held.get("bytes")
    return holder, size if isinstance(size, int) else None


def _on_holder(pool: InputCache, set_key: str, holder: Holder, request: Frame, stats: dict[str, int]) -> Reply:
    reply = holder.request(request)
    if reply is None:
        pool.discard(set_key)
        return ({"type": "outcome", "status": "failed", "kind": None, "isolation": {}, "run_ms": 0.0,
                 "public_error": "the sandbox failed while running the job (internal error)",
                 "private_error": "the input holder process died during the job", "input_cache": stats},
                [b"", b"", b""])
    return {**reply.header, "input_cache": stats}, reply.parts


def _holder_main(in_fd: int, out_fd: int, kinds: dict[str, str], received: dict[str, bytes], serve: Serve) -> None:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the zygote
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)  # never read the zygote's protocol pipe; fds 1 and 2 are the zygote's log
    keep = sorted({in_fd, out_fd})
    os.closerange(3, keep[0])
    os.closerange(keep[0] + 1, keep[1])
    os.closerange(keep[1] + 1, 1 << 16)
    objects: dict[str, Any] = {}
    for key, payload in received.items():
        try:
            objects[key] = decode_input(kinds[key], payload)
        except Exception:  # the zygote then serves the job itself; the child reports the bad input
            pass
    complete = len(objects) == len(received)
    received.clear()  # the zygote's stack above us still names this dict: free the raw bytes here
    size = sum(approx_size(value) for value in objects.values()) if complete else None
    write_all(out_fd, encode_frame({"type": "held", "bytes": size}))
    if not complete:
        return
    read_exact = fd_reader(in_fd)
    while True:
        try:
            request = read_frame(read_exact)
        except EOFError:
            return
        inherited = {spec["name"]: objects[spec["cache_key"]] for spec in request.header.get("inputs", [])
                     if spec.get("cache_key") in objects}
        header, parts = serve(request, inherited)
        write_all(out_fd, encode_frame(header, parts))
