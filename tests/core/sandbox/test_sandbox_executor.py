"""LocalExecutor end to end: real zygote, real forked children, real isolation layers."""

from __future__ import annotations

import io
import os
import signal
import sys
import textwrap
import time

import pandas as pd
import pyarrow as pa
import pytest
from PIL import Image

from sealroom.core.errors import ConfigurationError, InvalidInput
from sealroom.core.results import decode_result, frame_to_arrow
from sealroom.core.sandbox import Job, JobInput, Limits, LocalExecutor, SandboxConfig


def make_job(source: str, *inputs: JobInput, limits: Limits = Limits(), name: str = "f") -> Job:
    return Job(job_id="t", source=textwrap.dedent(source), function_name=name, inputs=inputs, limits=limits)


def arrow(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def png(colour: tuple[int, int, int], size=(4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_trivial_job_returns_json_and_reports_isolation(executor):
    outcome = executor.run(make_job("def f():\n    return {'answer': 42}\n"))
    assert outcome.status == "succeeded", outcome.private_error
    assert decode_result(outcome.result) == {"answer": 42}
    assert outcome.public_error == ""
    assert outcome.isolation["process"] == "fork of warm zygote"
    assert {"queue", "run", "total"} <= set(outcome.timings_ms)


def test_inputs_of_each_kind_reach_the_function_as_python_objects(executor):
    table = JobInput(name="table", kind="table", arrow_ipc=frame_to_arrow(pd.DataFrame({"x": [1, 2, 3]})))
    texts = JobInput(name="texts", kind="texts",
                     arrow_ipc=arrow(pa.table({"item_id": ["a", "b"], "text": ["hello", "wörld"]})))
    images = JobInput(name="images", kind="images",
                      arrow_ipc=arrow(pa.table({"item_id": ["i"], "png": pa.array([png((10, 20, 30))], pa.binary())})))
    source = """
        import numpy as np
        import pandas as pd

        def f(table, texts, images):
            return {
                "table": [type(table) is pd.DataFrame, int(table["x"].sum())],
                "texts": [type(texts) is list, texts],
                "images": [type(images) is list, type(images[0]) is np.ndarray, str(images[0].dtype),
                           list(images[0].shape), images[0][0, 0].tolist()],
            }
    """
    outcome = executor.run(make_job(source, table, texts, images))
    assert outcome.status == "succeeded", outcome.private_error
    assert decode_result(outcome.result) == {
        "table": [True, 6],
        "texts": [True, ["hello", "wörld"]],
        "images": [True, True, "uint8", [3, 4, 3], [10, 20, 30]],
    }


def test_dataframe_result_comes_back_as_arrow(executor):
    frame = pd.DataFrame({"k": ["a", "b", "a"], "v": [1.0, 2.0, 3.0]})
    source = """
        def f(df):
            return df.groupby("k", as_index=False)["v"].sum()
    """
    outcome = executor.run(make_job(source, JobInput(name="df", kind="table", arrow_ipc=frame_to_arrow(frame))))
    assert outcome.status == "succeeded", outcome.private_error
    assert outcome.result.kind == "table"
    expected = frame.groupby("k", as_index=False)["v"].sum()
    pd.testing.assert_frame_equal(decode_result(outcome.result), expected, check_dtype=False)


def test_unsupported_return_type_fails_with_a_clear_message(executor):
    outcome = executor.run(make_job("def f():\n    return {1, 2}\n"))
    assert outcome.status == "failed"
    assert outcome.result is None
    assert "cannot leave the sandbox" in outcome.public_error
    assert "returned a set" in outcome.public_error
    assert "set" in outcome.private_error


def test_output_over_the_limit_fails(executor):
    outcome = executor.run(make_job("def f():\n    return 'x' * 5000\n", limits=Limits(output_bytes=1000)))
    assert outcome.status == "failed"
    assert "too large" in outcome.public_error and "1000 bytes" in outcome.public_error


def test_exception_type_is_public_and_user_class_names_are_not(executor):
    builtin = executor.run(make_job("def f():\n    raise KeyError('x')\n"))
    assert "raised KeyError" in builtin.public_error
    custom = executor.run(make_job("class Custom(Exception):\n    pass\n\ndef f():\n    raise Custom('x')\n"))
    assert "raised Exception" in custom.public_error and "Custom" not in custom.public_error
    assert "Custom" in custom.private_error


def test_source_errors_are_reported(executor):
    syntax = executor.run(make_job("def f(:\n    pass\n"))
    assert syntax.public_error == "the source could not be loaded: SyntaxError at line 1"
    missing = executor.run(make_job("def g():\n    return 1\n"))
    assert missing.public_error == "the source does not define a function named 'f'"


def test_zygote_is_restarted_after_it_is_killed():
    with LocalExecutor(SandboxConfig(preload_modules=("numpy",))) as ex:
        ex.start()
        first = ex.zygote_pid
        os.kill(first, signal.SIGKILL)
        time.sleep(0.1)
        outcome = ex.run(make_job("def f():\n    return 1\n"))
        assert outcome.status == "succeeded", outcome.private_error
        assert ex.zygote_pid != first


def test_torch_matmul_in_a_child_of_a_torch_preloaded_zygote_finishes():
    pytest.importorskip("torch")
    source = """
        import torch

        def f():
            a = torch.ones(256, 256)
            return float((a @ a).sum())
    """
    config = SandboxConfig(preload_modules=("numpy", "pandas", "pyarrow", "PIL.Image", "torch"))
    with LocalExecutor(config) as ex:
        for _ in range(2):  # the second fork comes from a zygote whose earlier child used torch
            outcome = ex.run(make_job(source, limits=Limits(wall_seconds=60)))
            assert outcome.status == "succeeded", (outcome.public_error, outcome.private_error)
            assert decode_result(outcome.result) == 256.0**3


def test_probe_reports_every_layer_active_on_this_host(executor):
    report = executor.probe()
    assert report["missing"] == [], report.get("layer_errors")
    assert report["network_namespace"] is True
    assert report["seccomp"] is True
    assert report["landlock"] is True and report["landlock_abi"] >= 4 and report["landlock_net"] is True
    assert report["rlimits"]["RLIMIT_CPU"] == Limits().cpu_seconds
    assert report["env_scrubbed"] is True


def test_required_layers_that_are_active_let_jobs_run():
    config = SandboxConfig(preload_modules=(), require_layers=("network_namespace", "landlock", "seccomp"))
    with LocalExecutor(config) as ex:
        assert ex.run(make_job("def f():\n    return 1\n")).status == "succeeded"


def test_protected_path_inside_a_readable_path_is_refused(tmp_path):
    with pytest.raises(ConfigurationError):
        LocalExecutor(SandboxConfig(protected_paths=(tmp_path / "scratch" / "vault",), scratch_root=tmp_path / "scratch"))
    with pytest.raises(ConfigurationError):
        LocalExecutor(SandboxConfig(protected_paths=(os.path.join(sys.prefix, "vault"),)))
    with pytest.raises(ConfigurationError):  # a protected path containing a readable tree
        LocalExecutor(SandboxConfig(protected_paths=(tmp_path,), scratch_root=tmp_path / "scratch"))


def test_unknown_required_layer_and_bad_jobs_are_refused(executor):
    with pytest.raises(ConfigurationError):
        LocalExecutor(SandboxConfig(require_layers=("magic",)))
    with pytest.raises(InvalidInput):
        executor.run(make_job("def f():\n    return 1\n", name="not an identifier"))
