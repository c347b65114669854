"""Red team: the decoded-input cache must not show a job any content it is not bound to.

Two assets are cached (each in its own holder process); a job bound to one searches every live
Python object and its whole call stack for the other's marker. Jobs forked from a holder keep
every sandbox layer (killing the holder is refused like killing the zygote).
"""

from __future__ import annotations

import gc
import os
import textwrap

import pandas as pd
import pytest

from sealroom.core.results import decode_result, frame_to_arrow
from sealroom.core.sandbox import Job, JobInput, JobOutcome, Limits, LocalExecutor, SandboxConfig
from sealroom.core.sandbox.failures import REFUSED

OTHER = "OTHER-DATASET-MARKER-51c0e2"

# The marker is built at run time (reversed in the source), so the job's own source and code
# constants do not contain it; the job's own frames are skipped for the same reason.
SEARCH = f"""
    import gc, sys

    def f(mine):
        marker = {OTHER[::-1]!r}[::-1]

        def holds(value):
            if isinstance(value, str):
                return marker in value
            if isinstance(value, (bytes, bytearray, memoryview)):
                return marker.encode() in bytes(value)
            return False

        found = []
        for obj in gc.get_objects():
            items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple, set)) else ()
            if any(holds(v) for v in items):
                found.append(type(obj).__name__)
            if type(obj).__name__ == "DataFrame" and any(holds(v) for v in obj.astype(str).to_numpy().ravel()):
                found.append("DataFrame")
        frame = sys._getframe().f_back
        while frame is not None:
            if any(holds(v) for v in frame.f_locals.values()):
                found.append(frame.f_code.co_name)
            frame = frame.f_back
        return found
"""


def _table(text: str) -> bytes:
    return frame_to_arrow(pd.DataFrame({"item_id": ["1", "2"], "text": [text, "filler"]}))


def _run(executor: LocalExecutor, source: str, *inputs: JobInput) -> JobOutcome:
    job = Job(job_id="redteam-cache", source=textwrap.dedent(source), function_name="f", inputs=inputs,
              limits=Limits(wall_seconds=60))
    return executor.run(job)


@pytest.fixture()
def executor():
    config = SandboxConfig(preload_modules=("numpy", "pandas", "pyarrow"), require_layers=("network_namespace", "landlock", "seccomp"))
    with LocalExecutor(config) as ex:
        ex.start()
        yield ex


@pytest.mark.parametrize("other_first", [True, False])
def test_a_job_cannot_find_another_cached_assets_content(executor, other_first):
    mine = JobInput(name="mine", kind="table", cache_key="table:mine", loader=lambda: _table("my own line"))
    other = JobInput(name="mine", kind="table", cache_key="table:other", loader=lambda: _table(OTHER))
    order = [other, mine] if other_first else [mine, other]
    for job_input in order:  # cache both
        assert _run(executor, "def f(mine):\n    return len(mine)\n", job_input).status == "succeeded"
    outcome = _run(executor, SEARCH, mine)
    assert outcome.status == "succeeded", outcome.private_error
    assert outcome.input_cache["hits"] == 1
    assert decode_result(outcome.result) == []
    control = _run(executor, SEARCH, other)  # the search does find the marker where it is bound
    assert control.input_cache["hits"] == 1
    assert "DataFrame" in decode_result(control.result)
    gc.collect()


def test_killing_the_holder_is_refused_and_the_cache_survives(executor):
    loader_calls = []

    def loader() -> bytes:
        loader_calls.append(1)
        return _table("line")

    job_input = JobInput(name="mine", kind="table", cache_key="table:mine", loader=loader)
    assert _run(executor, "def f(mine):\n    return 1\n", job_input).status == "succeeded"
    outcome = _run(executor, """
        import os, signal

        def f(mine):
            os.kill(os.getppid(), signal.SIGKILL)
    """, job_input)
    assert outcome.status == "failed" and REFUSED in outcome.public_error, outcome.private_error
    after = _run(executor, "def f(mine):\n    return os_free()\n\ndef os_free():\n    return 2\n", job_input)
    assert after.status == "succeeded" and after.input_cache["hits"] == 1
    assert len(loader_calls) == 1
    os.kill(executor.zygote_pid, 0)
