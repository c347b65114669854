"""The ``Executor`` contract and ``LocalExecutor``: sandboxed jobs forked from a warm zygote.

``LocalExecutor`` owns one zygote process (``python -m sealroom.core.sandbox.zygote``) started
with a scrubbed environment in a private scratch root. ``run`` sends the job over the zygote's
stdin and reads one outcome frame back; jobs run one at a time (a lock), and a zygote that died
is restarted transparently. Which isolation layers were active is reported per job, and
``require_layers`` turns a missing layer into a failed job (fail closed).

Inputs with a ``cache_key`` are decoded once and kept in the zygote (see ``input_cache``): a
job whose keys the zygote holds sends no input bytes and never calls the inputs' loaders.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any, Protocol

import sealroom
from sealroom.core.errors import ConfigurationError, InvalidInput, SandboxError
from sealroom.core.results import EncodedResult
from sealroom.core.sandbox import input_cache, isolation
from sealroom.core.sandbox.job import INPUT_KINDS, LAYERS, Job, JobOutcome, Limits, SandboxConfig
from sealroom.core.sandbox.protocol import ProtocolError, encode_frame, read_frame, write_all

#: How long the zygote may take to import its preload modules (torch on a busy 2-core box).
ZYGOTE_START_SECONDS = 180.0
#: Extra time the executor waits for the zygote beyond a job's wall limit before giving up on it.
ZYGOTE_GRACE_SECONDS = 30.0
#: Extra time allowed after a cache miss for the zygote to decode the inputs it received.
ZYGOTE_DECODE_SECONDS = 120.0


class Executor(Protocol):
    """Runs jobs; ``run`` never raises for a job's own failure, it returns a failed outcome."""

    def run(self, job: Job) -> JobOutcome: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Executes jobs on this host, each in a fresh fork of a warm, pre-imported zygote."""

    def __init__(self, config: SandboxConfig = SandboxConfig()) -> None:
        unknown = [name for name in config.require_layers if name not in LAYERS]
        if unknown:
            raise ConfigurationError(f"unknown sandbox layers in require_layers: {unknown}; known: {list(LAYERS)}")
        if config.input_cache_bytes < 0 or config.input_cache_ttl_seconds <= 0:
            raise ConfigurationError("input_cache_bytes must be >= 0 and input_cache_ttl_seconds > 0")
        self._config = config
        self._owns_scratch = config.scratch_root is None
        root = Path(tempfile.mkdtemp(prefix="sealroom-sandbox-")) if self._owns_scratch else Path(config.scratch_root)
        self._scratch_root = root.resolve()
        try:
            self._scratch_root.mkdir(mode=0o700, parents=True, exist_ok=True)
            isolation.check_protected(isolation.readable_paths(self._scratch_root), config.protected_paths)
        except BaseException:
            self._remove_scratch()
            raise
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._log = None
        self.zygote_start_ms: float | None = None
        self.zygote_failed_imports: dict[str, str] = {}

    @property
    def zygote_pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        with self._lock:
            self._ensure_zygote()

    def probe(self) -> dict[str, object]:
        """The isolation layers a job child gets on this host (forks a child that runs no job)."""
        with self._lock:
            header, _ = self._request({"type": "probe", "limits": Limits().to_dict()}, [], Limits().wall_seconds)
        return header["isolation"]

    def run(self, job: Job) -> JobOutcome:
        _validate(job)
        queued = time.perf_counter()
        sent = [0]

        def supply(keys: list[str]) -> list[bytes]:  # called only for keys the zygote lacks
            payloads = input_cache.supply(job.inputs, keys)
            sent[0] += sum(map(len, payloads))
            return payloads

        with self._lock:
            started = time.perf_counter()
            try:
                specs, input_parts = _load(lambda: input_cache.wire_inputs(job.inputs))
                sent[0] = sum(map(len, input_parts))
                header = {"type": "job", "job_id": job.job_id, "source": job.source, "function_name": job.function_name,
                          "inputs": specs, "limits": job.limits.to_dict()}
                reply, parts = self._request(header, input_parts, job.limits.wall_seconds, supply)
            except SandboxError as exc:
                return JobOutcome(status="failed", result=None, public_error=exc.public_message, private_error=exc.detail,
                                  timings_ms=_timings(queued, started, None), input_cache={"bytes_sent": sent[0]})
        outcome = JobOutcome(
            status=reply["status"],
            result=EncodedResult(reply["kind"], parts[0]) if reply["status"] == "succeeded" else None,
            public_error=reply["public_error"], private_error=reply["private_error"],
            stdout=parts[1], stderr=parts[2], isolation=reply["isolation"],
            timings_ms=_timings(queued, started, reply.get("run_ms")),
            input_cache={**reply.get("input_cache", {}), "bytes_sent": sent[0]},
        )
        return self._fail_closed(outcome)

    def clear_cache(self) -> int:
        """Drop every decoded input the zygote holds (e.g. on a license change); the number dropped."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                return 0
            header, _ = self._request({"type": "clear_cache"}, [], 0.0)
        return int(header.get("entries", 0))

    def close(self) -> None:
        with self._lock:
            self._stop_zygote()
            self._remove_scratch()

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------

    def _fail_closed(self, outcome: JobOutcome) -> JobOutcome:
        missing = [name for name in self._config.require_layers if name in outcome.isolation.get("missing", [name])]
        if outcome.status != "succeeded" or not missing:
            return outcome
        return JobOutcome(status="failed", result=None, stdout=outcome.stdout, stderr=outcome.stderr,
                          public_error=f"the sandbox could not enable required isolation layers: {', '.join(missing)}",
                          private_error=str(outcome.isolation.get("layer_errors", "")),
                          isolation=outcome.isolation, timings_ms=outcome.timings_ms, input_cache=outcome.input_cache)

    def _request(self, header: dict[str, Any], parts: list[bytes], wall_seconds: float,
                 supply: Callable[[list[str]], list[bytes]] | None = None) -> tuple[dict, list[bytes]]:
        for attempt in (1, 2):
            process = self._ensure_zygote()
            try:
                write_all(process.stdin.fileno(), encode_frame(header, parts))
            except BrokenPipeError:  # died since the last job: restart once and resend
                self._stop_zygote()
                if attempt == 2:
                    raise SandboxError("the sandbox is unavailable (internal error)", "zygote stdin closed twice") from None
                continue
            try:
                frame = read_frame(_deadline_reader(process.stdout.fileno(), time.monotonic() + wall_seconds + ZYGOTE_GRACE_SECONDS))
                if frame.header.get("type") == "need" and supply is not None:
                    frame = self._answer_need(process, frame.header.get("keys", []), supply, wall_seconds)
            except (EOFError, TimeoutError, ProtocolError, BrokenPipeError) as exc:
                self._stop_zygote()
                raise SandboxError("the sandbox failed while running the job (internal error)",
                                   f"zygote lost: {type(exc).__name__}: {exc}; see {self._scratch_root}/zygote.log") from None
            return frame.header, frame.parts
        raise AssertionError("unreachable")

    def _answer_need(self, process: subprocess.Popen[bytes], keys: list[str],
                     supply: Callable[[list[str]], list[bytes]], wall_seconds: float):
        """Send the bytes of the keys the zygote lacks (or cancel the job if they cannot be loaded)."""
        try:
            payloads = _load(lambda: supply(keys))
        except SandboxError:
            write_all(process.stdin.fileno(), encode_frame({"type": "inputs", "cancel": True}))
            read_frame(_deadline_reader(process.stdout.fileno(), time.monotonic() + ZYGOTE_GRACE_SECONDS))  # cancelled
            raise
        write_all(process.stdin.fileno(), encode_frame({"type": "inputs"}, payloads))
        deadline = time.monotonic() + wall_seconds + ZYGOTE_GRACE_SECONDS + ZYGOTE_DECODE_SECONDS
        return read_frame(_deadline_reader(process.stdout.fileno(), deadline))

    def _ensure_zygote(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop_zygote()
        started = time.perf_counter()
        self._log = open(self._scratch_root / "zygote.log", "ab")
        package_root = str(Path(sealroom.__file__).resolve().parent.parent)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self._scratch_root), "TMPDIR": str(self._scratch_root),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONSAFEPATH": "1", "PYTHONPATH": package_root}
        process = subprocess.Popen([sys.executable, "-s", "-m", "sealroom.core.sandbox.zygote"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=self._log, env=env, cwd=self._scratch_root,
                                   close_fds=True, start_new_session=True)
        self._process = process
        init = {"type": "init", "preload_modules": list(self._config.preload_modules),
                "read_only": [str(p) for p in isolation.python_read_paths() + isolation.system_read_paths()],
                "read_write": [str(p) for p in isolation.system_write_paths()], "scratch_root": str(self._scratch_root),
                "require_layers": list(self._config.require_layers),
                "input_cache_bytes": self._config.input_cache_bytes,
                "input_cache_ttl_seconds": self._config.input_cache_ttl_seconds}
        try:
            write_all(process.stdin.fileno(), encode_frame(init))
            ready = read_frame(_deadline_reader(process.stdout.fileno(), time.monotonic() + ZYGOTE_START_SECONDS)).header
        except (BrokenPipeError, EOFError, TimeoutError, ProtocolError) as exc:
            self._stop_zygote()
            raise SandboxError("the sandbox could not start (internal error)",
                               f"zygote did not become ready: {type(exc).__name__}: {exc}") from None
        if ready.get("type") != "ready":
            self._stop_zygote()
            raise SandboxError("the sandbox could not start (internal error)", f"unexpected zygote reply {ready!r}")
        self.zygote_start_ms = (time.perf_counter() - started) * 1000
        self.zygote_failed_imports = ready.get("failed_imports", {})
        return process

    def _stop_zygote(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            try:
                if process.poll() is None:
                    write_all(process.stdin.fileno(), encode_frame({"type": "exit"}))
                process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
            for stream in (process.stdin, process.stdout):
                stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _remove_scratch(self) -> None:
        if self._owns_scratch:
            shutil.rmtree(self._scratch_root, ignore_errors=True)


def _validate(job: Job) -> None:
    if not job.function_name.isidentifier():
        raise InvalidInput("the function name must be a Python identifier")
    names = [i.name for i in job.inputs]
    if len(set(names)) != len(names) or not all(n.isidentifier() for n in names):
        raise InvalidInput("input names must be distinct Python identifiers")
    bad = [i.kind for i in job.inputs if i.kind not in INPUT_KINDS]
    if bad:
        raise InvalidInput(f"unknown input kinds {bad}; expected one of {list(INPUT_KINDS)}")
    limits = job.limits
    if min(limits.cpu_seconds, limits.memory_bytes, limits.wall_seconds, limits.output_bytes, limits.open_files) <= 0:
        raise InvalidInput("job limits must be positive")


def _load(load: Callable[[], Any]) -> Any:
    """Run an input loader; its failure is the vault's, reported as a failed job, never raised."""
    try:
        return load()
    except Exception as exc:
        raise SandboxError("the vault could not load the job's inputs (internal error)",
                           f"input loader failed: {type(exc).__name__}: {exc}") from None


def _timings(queued: float, started: float, run_ms: float | None) -> dict[str, float]:
    now = time.perf_counter()
    timings = {"queue": round((started - queued) * 1000, 2), "total": round((now - queued) * 1000, 2)}
    if run_ms is not None:
        timings["run"] = float(run_ms)
    return timings


def _deadline_reader(fd: int, deadline: float):
    def read_exact(n: int) -> bytes:
        chunks, remaining = [], n
        while remaining:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("the zygote did not answer in time")
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                raise EOFError("the zygote closed its output")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    return read_exact
