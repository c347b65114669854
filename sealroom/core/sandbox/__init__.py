"""Sandboxed execution of data scientists' functions next to private content.

``LocalExecutor`` forks each job from a warm zygote and locks the child down with a network
namespace, Landlock, seccomp, rlimits and a scrubbed environment; see ``isolation``.
"""

from sealroom.core.sandbox.executor import Executor, LocalExecutor
from sealroom.core.sandbox.job import INPUT_KINDS, LAYERS, Job, JobInput, JobOutcome, Limits, SandboxConfig

__all__ = [
    "INPUT_KINDS",
    "LAYERS",
    "Executor",
    "Job",
    "JobInput",
    "JobOutcome",
    "Limits",
    "LocalExecutor",
    "SandboxConfig",
]
