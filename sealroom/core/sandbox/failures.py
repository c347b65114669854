"""Public error sentences, built on the trusted side from a failure class (never from job text).

The child is untrusted: once the function runs it can write anything to its result pipe. So the
zygote never forwards text from the child into ``public_error``; it looks up a fixed sentence by
failure class and fills in only values it checks itself: numbers, layer names from ``LAYERS``,
the job's own function name, and exception type names that are builtin exception classes
(a user-defined class name could spell out private content).
"""

from __future__ import annotations

import builtins
import signal

from sealroom.core.sandbox.job import LAYERS, Limits

REFUSED = "the sandbox refused an operation (file access outside scratch, network, or process creation)"
SUPPORTED_RESULTS = (
    "results must be JSON-able values (numbers, strings, lists, dicts with string keys; no NaN), "
    "a pandas DataFrame or Series, or a PIL image"
)


def safe_type_name(name: object) -> str:
    """``name`` if it is a builtin exception class name, else ``"Exception"``."""
    if isinstance(name, str) and name in dir(builtins):
        candidate = getattr(builtins, name)
        if isinstance(candidate, type) and issubclass(candidate, BaseException):
            return name
    return "Exception"


def safe_builtin_name(name: object) -> str | None:
    """``name`` if it names any builtin type (``set``, ``bytes``...), else ``None``."""
    if isinstance(name, str) and name in dir(builtins) and isinstance(getattr(builtins, name), type):
        return name
    return None


def timeout(limits: Limits) -> str:
    return f"time limit exceeded ({limits.wall_seconds:g} s)"


def cpu(limits: Limits) -> str:
    return f"CPU time limit exceeded ({limits.cpu_seconds} s)"


def memory(limits: Limits) -> str:
    return f"memory limit exceeded ({limits.memory_bytes} bytes)"


def output_too_large(limits: Limits, size: object = None) -> str:
    got = f"{size} bytes; " if isinstance(size, int) and not isinstance(size, bool) else ""
    return f"the result is too large ({got}the limit is {limits.output_bytes} bytes)"


def from_error_frame(header: dict, limits: Limits, function_name: str) -> str:
    """The public sentence for an ``error`` frame sent by the child."""
    cls = header.get("class")
    if cls == "memory":
        return memory(limits)
    if cls == "refused":
        return REFUSED
    if cls == "output_too_large":
        return output_too_large(limits, header.get("size"))
    if cls == "unsupported_result":
        type_name = safe_builtin_name(header.get("result_type"))
        got = f" (the function returned a {type_name})" if type_name else ""
        return f"the result cannot leave the sandbox: {SUPPORTED_RESULTS}{got}"
    if cls == "missing_function":
        return f"the source does not define a function named {function_name!r}"
    if cls == "load":
        line = header.get("lineno")
        where = f" at line {line}" if isinstance(line, int) and not isinstance(line, bool) else ""
        return f"the source could not be loaded: {safe_type_name(header.get('exc_type'))}{where}"
    if cls == "exit":
        return "the function called exit(); return a value instead"
    if cls == "exception":
        return (f"the function raised {safe_type_name(header.get('exc_type'))} "
                "(message and traceback withheld: they may contain private data)")
    if cls == "isolation":
        layers = [name for name in header.get("layers", []) if name in LAYERS]
        return f"the sandbox could not enable required isolation layers: {', '.join(layers) or 'unknown'}"
    if cls == "inputs":
        return "the job's inputs could not be decoded inside the sandbox (internal error)"
    return "the sandbox failed to run the job (internal error)"


def from_signal(signum: int, limits: Limits, cpu_used: float) -> str:
    """The public sentence for a child killed by ``signum`` (not by the zygote's wall timer)."""
    if signum == signal.SIGXCPU or (signum == signal.SIGKILL and cpu_used >= limits.cpu_seconds - 0.5):
        return cpu(limits)
    if signum in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
        name = signal.Signals(signum).name
        return f"memory limit exceeded or crash in native code ({name}); the limit is {limits.memory_bytes} bytes"
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = str(signum)
    return f"the job was killed by signal {name}"
