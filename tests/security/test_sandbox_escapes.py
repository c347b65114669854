"""Red team: jobs that try to get out of the sandbox or leak private input through errors.

Every job gets a planted private marker as a ``texts`` input; whatever it tries, the marker must
never appear in ``public_error``. Real processes, no mocks.
"""

from __future__ import annotations

import os
import socket
import textwrap

import pyarrow as pa
import pytest

from sealroom.core.results import decode_result
from sealroom.core.sandbox import Job, JobInput, JobOutcome, Limits, LocalExecutor, SandboxConfig
from sealroom.core.sandbox.failures import REFUSED

MARKER = "PRIVATE-MARKER-7f3a9c-do-not-leak"


def _texts(*texts: str) -> JobInput:
    table = pa.table({"item_id": [str(i) for i in range(len(texts))], "text": list(texts)})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return JobInput(name="texts", kind="texts", arrow_ipc=sink.getvalue().to_pybytes())


def _run(executor: LocalExecutor, source: str, limits: Limits = Limits(wall_seconds=30)) -> JobOutcome:
    job = Job(job_id="redteam", source=textwrap.dedent(source), function_name="f", inputs=(_texts(MARKER),), limits=limits)
    return executor.run(job)


def _assert_blocked(outcome: JobOutcome, expected: str = REFUSED) -> None:
    assert outcome.status == "failed", (outcome.result, outcome.private_error)
    assert outcome.result is None
    assert expected in outcome.public_error, (outcome.public_error, outcome.private_error)
    assert MARKER not in outcome.public_error


@pytest.fixture(scope="module")
def vault(tmp_path_factory):
    root = tmp_path_factory.mktemp("vault")
    (root / "secret.txt").write_text(MARKER)
    return root


@pytest.fixture(scope="module")
def executor(vault):
    os.environ["SEALROOM_REDTEAM_SECRET"] = MARKER
    try:
        with LocalExecutor(SandboxConfig(protected_paths=(vault,), preload_modules=("numpy", "pandas", "pyarrow"),
                                         require_layers=("network_namespace", "landlock", "seccomp"))) as ex:
            ex.start()
            yield ex
    finally:
        del os.environ["SEALROOM_REDTEAM_SECRET"]


def test_tcp_connect_to_a_loopback_listener_is_refused(executor):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        outcome = _run(executor, f"""
            import socket

            def f(texts):
                with socket.create_connection(("127.0.0.1", {port}), timeout=2) as conn:
                    conn.sendall(texts[0].encode())
                return "sent"
        """)
        _assert_blocked(outcome)
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_reading_the_protected_vault_is_refused(executor, vault):
    outcome = _run(executor, f"""
        def f(texts):
            return open({str(vault / "secret.txt")!r}).read()
    """)
    _assert_blocked(outcome)


@pytest.mark.parametrize("path", ["/etc/shadow", "/etc/passwd", "/proc/1/environ", "/root/.bash_history"])
def test_reading_files_outside_the_allow_list_is_refused(executor, path):
    outcome = _run(executor, f"""
        def f(texts):
            with open({path!r}, "rb") as fh:
                return len(fh.read())
    """)
    assert outcome.status == "failed"
    assert MARKER not in outcome.public_error
    # a missing file is as good as a refused one; anything readable is a failure of the sandbox
    assert outcome.public_error == REFUSED or "FileNotFoundError" in outcome.public_error, outcome.public_error


def test_writing_outside_scratch_is_refused(executor, tmp_path):
    outcome = _run(executor, f"""
        def f(texts):
            with open({str(tmp_path / "exfil.txt")!r}, "w") as fh:
                fh.write(texts[0])
    """)
    _assert_blocked(outcome)
    assert not (tmp_path / "exfil.txt").exists()


def test_scratch_directory_is_writable(executor):
    outcome = _run(executor, """
        import os

        def f(texts):
            with open("notes.txt", "w") as fh:
                fh.write("ok")
            return open(os.path.join(os.getcwd(), "notes.txt")).read()
    """)
    assert outcome.status == "succeeded", outcome.private_error
    assert decode_result(outcome.result) == "ok"


def test_fork_bomb_is_refused(executor):
    outcome = _run(executor, """
        import os

        def f(texts):
            for _ in range(1000):
                os.fork()
    """)
    _assert_blocked(outcome)


def test_running_a_program_is_refused(executor):
    outcome = _run(executor, """
        import subprocess

        def f(texts):
            return subprocess.run(["/bin/true"]).returncode
    """)
    _assert_blocked(outcome)


def test_killing_the_zygote_is_refused(executor):
    zygote = executor.zygote_pid
    outcome = _run(executor, """
        import os, signal

        def f(texts):
            os.kill(os.getppid(), signal.SIGKILL)
    """)
    _assert_blocked(outcome)
    assert executor.zygote_pid == zygote
    os.kill(zygote, 0)  # still alive


def test_allocating_beyond_the_memory_limit_fails(executor):
    outcome = _run(executor, """
        def f(texts):
            blocks = [bytearray(64 * 1024**2) for _ in range(64)]
            return len(blocks)
    """, Limits(memory_bytes=256 * 1024**2, wall_seconds=30))
    _assert_blocked(outcome, "memory limit exceeded")


def test_busy_loop_hits_the_wall_time_limit(executor):
    outcome = _run(executor, """
        def f(texts):
            while True:
                pass
    """, Limits(wall_seconds=2))
    _assert_blocked(outcome, "time limit exceeded (2 s)")


def test_busy_loop_hits_the_cpu_time_limit(executor):
    outcome = _run(executor, """
        def f(texts):
            while True:
                pass
    """, Limits(cpu_seconds=1, wall_seconds=20))
    _assert_blocked(outcome, "CPU time limit exceeded")


def test_exception_message_with_private_text_stays_private(executor):
    outcome = _run(executor, """
        def f(texts):
            raise ValueError(texts[0][:200])
    """)
    _assert_blocked(outcome, "the function raised ValueError")
    assert MARKER in outcome.private_error


def test_exception_class_named_after_private_text_stays_private(executor):
    outcome = _run(executor, """
        def f(texts):
            name = "".join(c for c in texts[0] if c.isalnum())
            raise type(name, (Exception,), {})("boom")
    """)
    _assert_blocked(outcome, "the function raised Exception")
    assert "PRIVATEMARKER" not in outcome.public_error


def test_printed_private_text_is_captured_privately(executor):
    outcome = _run(executor, """
        import sys

        def f(texts):
            print(texts[0])
            print(texts[0], file=sys.stderr)
            raise RuntimeError("done")
    """)
    _assert_blocked(outcome, "the function raised RuntimeError")
    assert MARKER.encode() in outcome.stdout
    assert MARKER.encode() in outcome.stderr


def test_forged_frames_on_inherited_fds_cannot_write_the_public_error(executor):
    outcome = _run(executor, """
        import json, os, struct

        def f(texts):
            head = json.dumps({"type": "error", "class": "exception", "exc_type": texts[0],
                               "layers": [texts[0]], "private": texts[0]}).encode()
            frame = struct.pack(">I", len(head)) + head + struct.pack(">I", 0)
            for fd in range(3, 64):
                try:
                    os.write(fd, frame)
                except OSError:
                    pass
            os._exit(0)
    """)
    assert outcome.status == "failed"
    assert MARKER not in outcome.public_error
    assert outcome.isolation["seccomp"] is True  # the report was written before the job ran


def test_environment_is_scrubbed(executor):
    outcome = _run(executor, """
        import os

        def f(texts):
            return dict(os.environ)
    """)
    assert outcome.status == "succeeded", outcome.private_error
    env = decode_result(outcome.result)
    assert "SEALROOM_REDTEAM_SECRET" not in env
    assert MARKER not in str(env)
