"""The values that cross the executor boundary: a job, its limits, its outcome, the config.

All are frozen, keyword-only dataclasses. ``Job`` holds private content (the inputs' Arrow bytes,
or loaders that return them) and must stay on the trusted side; ``JobOutcome.public_error`` is the only text in an outcome that
may be shown to a data scientist, everything else in it is private or operator information.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sealroom.core.results import EncodedResult

InputKind = Literal["table", "texts", "images"]
INPUT_KINDS: tuple[InputKind, ...] = ("table", "texts", "images")

#: Layer names accepted in ``SandboxConfig.require_layers`` (and used in ``isolation["missing"]``).
LAYERS: tuple[str, ...] = (
    "network_namespace",
    "landlock",
    "landlock_net",
    "seccomp",
    "rlimits",
    "env_scrubbed",
    "fds_closed",
    "no_new_privs",
)


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Resource limits for one job; every limit is enforced by the kernel or by the zygote."""

    cpu_seconds: int = 60
    memory_bytes: int = 2 * 1024**3  # address-space growth allowed for the job
    wall_seconds: float = 120.0
    output_bytes: int = 16 * 1024**2  # max encoded result size
    log_bytes: int = 64 * 1024  # stdout/stderr kept (tail), each
    open_files: int = 256

    def to_dict(self) -> dict[str, float]:
        return {
            "cpu_seconds": self.cpu_seconds,
            "memory_bytes": self.memory_bytes,
            "wall_seconds": self.wall_seconds,
            "output_bytes": self.output_bytes,
            "log_bytes": self.log_bytes,
            "open_files": self.open_files,
        }


@dataclass(frozen=True, kw_only=True)
class JobInput:
    """One argument of the function, as an Arrow IPC stream.

    table: the DataFrame; texts: columns ``item_id`` (str), ``text`` (str); images: ``item_id``
    (str), ``png`` (binary). Inside the sandbox they arrive as a DataFrame, a ``list[str]`` and a
    list of ``uint8`` arrays of shape (H, W, 3).

    ``cache_key`` (optional) names the content, e.g. ``"table:<sha256 of the Arrow bytes>"``: the
    executor may then keep the decoded object warm and skip sending the bytes next time (see
    ``input_cache``). The key is trusted: equal keys must mean equal bytes and equal ``kind``.
    ``loader`` (optional) returns the bytes instead of ``arrow_ipc``; with a ``cache_key`` it is
    called only on a cache miss, so a hit neither decrypts nor transfers anything.
    """

    name: str
    kind: InputKind
    arrow_ipc: bytes = b""
    cache_key: str = ""
    loader: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)

    def payload(self) -> bytes:
        """The Arrow IPC bytes (calls ``loader`` when there is one)."""
        return self.loader() if self.loader is not None else self.arrow_ipc


@dataclass(frozen=True, kw_only=True)
class Job:
    """Python source defining ``function_name``; the function is called as ``fn(**inputs)``."""

    job_id: str
    source: str
    function_name: str
    inputs: tuple[JobInput, ...]
    limits: Limits = Limits()


@dataclass(frozen=True, kw_only=True)
class JobOutcome:
    """What happened to a job.

    ``public_error`` is built on the trusted side from a fixed sentence per failure class (plus a
    builtin exception type name); it never contains private content. ``private_error``, ``stdout``
    and ``stderr`` may contain anything the job saw and stay with the rights holder.
    ``input_cache`` is operator information: ``hits``/``misses`` of the zygote's input cache for
    this job, and ``bytes_sent``, the input bytes that crossed the pipe.
    """

    status: Literal["succeeded", "failed"]
    result: EncodedResult | None
    public_error: str = ""
    private_error: str = ""
    stdout: bytes = b""
    stderr: bytes = b""
    isolation: dict[str, object] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    input_cache: dict[str, int] = field(default_factory=dict)
    findings: tuple = ()  # extra release-gate findings from the executor (graph queries: disclosure control)
    report: dict[str, object] = field(default_factory=dict)  # public facts added to the result's report

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True, kw_only=True)
class SandboxConfig:
    """How the local executor isolates jobs.

    ``protected_paths``: directories the job must never be able to read (the vault workspace).
    The executor refuses to start if any path a job may read contains or lies inside one.
    ``require_layers``: names from ``LAYERS`` that must be active, or every job fails closed.
    ``input_cache_bytes`` bounds (approximately) the decoded inputs the zygote keeps for inputs
    with a ``cache_key`` (0 turns the cache off); an entry unused for ``input_cache_ttl_seconds``
    is dropped. Cached entries are private content, decoded, in the zygote's memory.
    """

    scratch_root: Path | None = None
    protected_paths: tuple[Path, ...] = ()
    preload_modules: tuple[str, ...] = ("numpy", "pandas", "pyarrow", "PIL.Image")
    require_layers: tuple[str, ...] = ()
    input_cache_bytes: int = 1024**3
    input_cache_ttl_seconds: float = 600.0
