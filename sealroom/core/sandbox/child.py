"""What runs in the forked job child: lock down, decode inputs, call the function, encode the result.

Inputs arrive either as Arrow bytes in the job frame (decoded here with ``results.decode_input``)
or already decoded, inherited from the zygote's input cache through ``fork`` (copy-on-write: what
the job does to them stays in this process).

The child writes at most two frames to its result pipe: an ``isolation`` frame *before* any job
code runs (so the report cannot be forged by the job), then a ``result`` or ``error`` frame. Error
frames carry a failure class and a type name for the public side and the full traceback as
``private``; the zygote builds the public sentence itself (see ``failures``).
"""

from __future__ import annotations

import builtins
import ctypes
import errno
import io
import os
import signal
import sys
import time
import traceback
import types
from typing import Any, NoReturn

from sealroom.core.errors import InvalidInput
from sealroom.core.results import decode_input, encode_result
from sealroom.core.sandbox import isolation
from sealroom.core.sandbox.protocol import Frame, encode_frame, write_all

MAX_PRIVATE_ERROR_CHARS = 64 * 1024
_REFUSED_ERRNOS = {errno.EPERM, errno.EACCES, errno.ENETUNREACH, errno.ENOSYS}


class _Failure(Exception):
    def __init__(self, header: dict[str, Any]) -> None:
        super().__init__(header.get("class"))
        self.header = header


def main(job: Frame, plan: isolation.IsolationPlan, *, scratch: str, result_fd: int, out_fd: int,
         err_fd: int, require_layers: tuple[str, ...], inherited: dict[str, Any] | None = None) -> NoReturn:
    """Never returns: exits with ``os._exit`` so the zygote's state is never torn down here.

    ``inherited``: decoded inputs by name (zygote cache hits); the others are decoded from bytes.
    """
    started = time.perf_counter()
    try:
        _detach(result_fd, out_fd, err_fd)
        report = isolation.apply(plan, scratch)
        report["setup_ms"] = round((time.perf_counter() - started) * 1000, 2)
        write_all(result_fd, encode_frame({"type": "isolation", "isolation": report}))
        missing = [name for name in require_layers if name in report.get("missing", [])]
        if missing:
            raise _Failure({"class": "isolation", "layers": missing})
        if job.header.get("type") == "job":
            _run(job, result_fd, inherited or {})
    except _Failure as failure:
        _send_error(result_fd, failure.header, "")
    except BaseException as exc:  # setup itself failed: nothing of the job ran yet
        _send_error(result_fd, {"class": "setup", "exc_type": type(exc).__name__}, traceback.format_exc())
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # the job may have closed or replaced its streams
                pass
        os._exit(0)


def _detach(result_fd: int, out_fd: int, err_fd: int) -> None:
    """New session, die with the zygote, stdio onto the log pipes, every other fd closed."""
    os.setsid()
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    keep = sorted({0, 1, 2, result_fd})
    low = 3
    for fd in keep[3:]:
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", write_through=True)
    if "torch" in sys.modules:  # forked torch + thread pools deadlock in libgomp
        sys.modules["torch"].set_num_threads(1)
    allowed = tuple(str(p) for p in isolation.python_read_paths())
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p).startswith(allowed)]
    sys.dont_write_bytecode = True


def _run(job: Frame, result_fd: int, inherited: dict[str, Any]) -> None:
    header = job.header
    limits = header["limits"]
    try:
        kwargs = _inputs(job, inherited)
    except Exception:
        raise _Failure({"class": "inputs"}) from None
    module = types.ModuleType("sealroom_job")
    module.__dict__["__builtins__"] = builtins
    try:
        exec(compile(header["source"], "<job source>", "exec"), module.__dict__)
    except BaseException as exc:
        failure = _classify(exc)
        if failure["class"] == "exception":
            failure = {"class": "load", "exc_type": type(exc).__name__,
                       "lineno": exc.lineno if isinstance(exc, SyntaxError) else None}
        _send_error(result_fd, failure, traceback.format_exc())
        return
    function = module.__dict__.get(header["function_name"])
    if not callable(function):
        raise _Failure({"class": "missing_function"})
    try:
        value = function(**kwargs)
    except BaseException as exc:
        _send_error(result_fd, _classify(exc), traceback.format_exc())
        return
    try:
        encoded = encode_result(value)
    except InvalidInput as exc:
        _send_error(result_fd, {"class": "unsupported_result", "result_type": type(value).__name__},
                    f"{exc.public_message}\n{exc.detail}")
        return
    except MemoryError:
        _send_error(result_fd, {"class": "memory"}, traceback.format_exc())
        return
    if encoded.size > limits["output_bytes"]:
        raise _Failure({"class": "output_too_large", "size": encoded.size})
    write_all(result_fd, encode_frame({"type": "result", "kind": encoded.kind}, [encoded.payload]))


def _inputs(job: Frame, inherited: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    seen: set[int] = set()
    for spec, part in zip(job.header["inputs"], job.parts, strict=True):
        if spec["name"] in inherited:
            value = inherited[spec["name"]]
            kwargs[spec["name"]] = _copy(value) if id(value) in seen else value  # one asset bound twice
            seen.add(id(value))
        else:
            kwargs[spec["name"]] = decode_input(spec["kind"], part)
    return kwargs


def _copy(value: Any) -> Any:
    if hasattr(value, "copy") and not isinstance(value, list):
        return value.copy(deep=True)
    return [item.copy() if hasattr(item, "copy") else item for item in value]


def _classify(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, MemoryError):
        return {"class": "memory"}
    if isinstance(exc, OSError) and exc.errno in _REFUSED_ERRNOS:
        return {"class": "refused", "exc_type": type(exc).__name__}
    if isinstance(exc, SystemExit):
        return {"class": "exit"}
    return {"class": "exception", "exc_type": type(exc).__name__}


def _send_error(result_fd: int, header: dict[str, Any], private: str) -> None:
    frame = {"type": "error", **header, "private": private[-MAX_PRIVATE_ERROR_CHARS:]}
    try:
        write_all(result_fd, encode_frame(frame))
    except (OSError, ValueError, TypeError):
        write_all(result_fd, encode_frame({"type": "error", "class": header.get("class", "setup")}))
