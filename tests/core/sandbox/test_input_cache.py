"""The decoded-input cache: bookkeeping (unit) and holders behind a real executor (end to end)."""

from __future__ import annotations

import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from sealroom.core.errors import ConfigurationError
from sealroom.core.results import decode_result, frame_to_arrow
from sealroom.core.sandbox import Job, JobInput, JobOutcome, Limits, LocalExecutor, SandboxConfig
from sealroom.core.sandbox.input_cache import InputCache, approx_size

PLAYS = pd.DataFrame({"speaker": ["ann", "bob", "ann", "cy"], "line_no": [1, 2, 3, 4], "line": ["a", "b", "c", "d"]})
PLAYS_IPC = frame_to_arrow(PLAYS)


class Loader:
    """Counts how often the executor asks for the bytes (a cache hit must not)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.payload


def cached(name: str, key: str, loader, kind: str = "table") -> JobInput:
    return JobInput(name=name, kind=kind, cache_key=key, loader=loader)


def run(executor: LocalExecutor, source: str, *inputs: JobInput) -> JobOutcome:
    job = Job(job_id="c", source=textwrap.dedent(source), function_name="f", inputs=inputs, limits=Limits(wall_seconds=60))
    return executor.run(job)


SUMMARY = """
    def f(plays):
        return {"rows": len(plays), "columns": list(plays.columns), "lines": "".join(plays["line"])}
"""
ORIGINAL = {"rows": 4, "columns": ["speaker", "line_no", "line"], "lines": "abcd"}


# -- bookkeeping -------------------------------------------------------------------------------


def test_lru_is_bounded_by_bytes_and_drops_the_least_recently_used():
    dropped = []
    cache = InputCache(100, 60, on_drop=dropped.append)
    assert cache.put("a", "A", 40) and cache.put("b", "B", 40)
    assert cache.get("a") == "A"  # b is now the least recently used
    assert cache.put("c", "C", 40)
    assert dropped == ["B"] and "b" not in cache and cache.total_bytes == 80
    assert not cache.put("huge", "H", 101) and "huge" not in cache
    assert cache.evictions == 1
    assert cache.clear() == 2 and sorted(dropped) == ["A", "B", "C"] and cache.total_bytes == 0


def test_idle_entries_expire_after_the_ttl():
    now = [0.0]
    cache = InputCache(100, 10, clock=lambda: now[0])
    assert cache.seconds_to_expiry() is None
    cache.put("a", "A", 1)
    now[0] = 6.0
    cache.put("b", "B", 1)
    assert cache.seconds_to_expiry() == 4.0
    now[0] = 10.0
    assert cache.expire() == 1 and "a" not in cache and "b" in cache
    cache.get("b")  # use resets the idle clock
    now[0] = 19.0
    assert cache.expire() == 0 and "b" in cache


def test_approx_size_counts_frames_texts_and_images():
    assert approx_size(pd.DataFrame({"x": np.zeros(1000)})) >= 8000
    assert approx_size(["x" * 1000, "y" * 1000]) >= 2000
    assert approx_size([np.zeros((10, 10, 3), np.uint8)]) >= 300


def test_bad_cache_settings_are_refused():
    with pytest.raises(ConfigurationError):
        LocalExecutor(SandboxConfig(input_cache_bytes=-1))
    with pytest.raises(ConfigurationError):
        LocalExecutor(SandboxConfig(input_cache_ttl_seconds=0))


# -- end to end --------------------------------------------------------------------------------


@pytest.fixture()
def cache_executor():
    with LocalExecutor(SandboxConfig(preload_modules=("numpy", "pandas", "pyarrow"))) as ex:
        ex.start()
        yield ex


def test_a_hit_sends_no_bytes_and_does_not_call_the_loader(cache_executor):
    loader = Loader(PLAYS_IPC)
    first = run(cache_executor, SUMMARY, cached("plays", "table:plays", loader))
    assert first.status == "succeeded", first.private_error
    assert first.input_cache == {"hits": 0, "misses": 1, "bytes_sent": len(PLAYS_IPC)}
    second = run(cache_executor, SUMMARY, cached("plays", "table:plays", loader))
    assert second.status == "succeeded", second.private_error
    assert second.input_cache == {"hits": 1, "misses": 0, "bytes_sent": 0}
    assert loader.calls == 1
    assert decode_result(first.result) == decode_result(second.result) == ORIGINAL


def test_a_job_that_mutates_its_input_does_not_change_the_next_jobs_view(cache_executor):
    loader = Loader(PLAYS_IPC)
    mutate = """
        import pyarrow as pa

        def f(plays):
            plays["line"] = "x"
            plays.drop(index=[0, 1], inplace=True)
            plays.drop(columns=["line_no"], inplace=True)
            plays.loc[2, "speaker"] = "zed"
            roundtrip = pa.Table.from_pandas(plays).to_pandas()  # pyarrow threads in a holder's child
            return {"rows": len(roundtrip), "speakers": sorted(plays["speaker"])}
    """
    for _ in range(2):
        outcome = run(cache_executor, mutate, cached("plays", "table:plays", loader))
        assert outcome.status == "succeeded", outcome.private_error
        assert decode_result(outcome.result) == {"rows": 2, "speakers": ["cy", "zed"]}
    after = run(cache_executor, SUMMARY, cached("plays", "table:plays", loader))
    assert after.input_cache["hits"] == 1 and loader.calls == 1
    assert decode_result(after.result) == ORIGINAL


def test_the_same_asset_bound_twice_gives_two_independent_objects(cache_executor):
    loader = Loader(PLAYS_IPC)
    source = """
        def f(a, b):
            a.drop(columns=["line"], inplace=True)
            return [list(a.columns), list(b.columns)]
    """
    for _ in range(2):
        outcome = run(cache_executor, source, cached("a", "table:plays", loader), cached("b", "table:plays", loader))
        assert outcome.status == "succeeded", outcome.private_error
        assert decode_result(outcome.result) == [["speaker", "line_no"], ["speaker", "line_no", "line"]]
    assert loader.calls == 1


def test_cached_and_uncached_inputs_mix(cache_executor):
    texts = JobInput(name="texts", kind="texts", arrow_ipc=frame_to_arrow(pd.DataFrame({"item_id": ["1"], "text": ["hi"]})))
    source = """
        def f(plays, texts):
            return [len(plays), texts]
    """
    for expected_hits in (0, 1):
        outcome = run(cache_executor, source, cached("plays", "table:plays", Loader(PLAYS_IPC)), texts)
        assert outcome.status == "succeeded", outcome.private_error
        assert decode_result(outcome.result) == [4, ["hi"]]
        assert outcome.input_cache["hits"] == expected_hits


def test_least_recently_used_input_is_evicted_past_the_bound():
    big = frame_to_arrow(pd.DataFrame({"x": np.arange(10_000, dtype=np.int64)}))
    config = SandboxConfig(preload_modules=("numpy", "pandas", "pyarrow"), input_cache_bytes=len(big) + 40_000)
    source = "def f(t):\n    return int(t['x'].sum())\n"
    with LocalExecutor(config) as ex:
        one, two = Loader(big), Loader(big)
        hits = [run(ex, source, cached("t", key, loader)).input_cache["hits"]
                for key, loader in (("k1", one), ("k1", one), ("k2", two), ("k1", one))]
        assert hits == [0, 1, 0, 0]  # k2 pushed k1 out
        assert (one.calls, two.calls) == (2, 1)


def test_clear_cache_and_idle_ttl_drop_entries():
    config = SandboxConfig(preload_modules=("numpy", "pandas", "pyarrow"), input_cache_ttl_seconds=0.5)
    with LocalExecutor(config) as ex:
        assert ex.clear_cache() == 0  # no zygote yet: nothing to drop, nothing started
        loader = Loader(PLAYS_IPC)
        assert run(ex, SUMMARY, cached("plays", "table:plays", loader)).input_cache["misses"] == 1
        assert ex.clear_cache() == 1
        assert run(ex, SUMMARY, cached("plays", "table:plays", loader)).input_cache["misses"] == 1
        time.sleep(1.0)  # idle past the TTL
        assert ex.clear_cache() == 0
        assert loader.calls == 2


def test_inputs_too_big_for_the_cache_are_decoded_by_the_child_every_time():
    config = SandboxConfig(preload_modules=("numpy", "pandas", "pyarrow"), input_cache_bytes=100)
    with LocalExecutor(config) as ex:
        loader = Loader(PLAYS_IPC)
        for _ in range(2):
            outcome = run(ex, SUMMARY, cached("plays", "table:plays", loader))
            assert decode_result(outcome.result) == ORIGINAL
            assert outcome.input_cache == {"hits": 0, "misses": 1, "bytes_sent": len(PLAYS_IPC)}
        assert loader.calls == 2


def test_a_failing_loader_fails_the_job_and_keeps_the_zygote_in_step(cache_executor):
    def broken() -> bytes:
        raise OSError("sealed blob missing")

    outcome = run(cache_executor, SUMMARY, cached("plays", "table:broken", broken))
    assert outcome.status == "failed"
    assert outcome.public_error == "the vault could not load the job's inputs (internal error)"
    assert "sealed blob missing" in outcome.private_error
    pid = cache_executor.zygote_pid
    again = run(cache_executor, SUMMARY, cached("plays", "table:plays", Loader(PLAYS_IPC)))
    assert again.status == "succeeded", again.private_error
    assert cache_executor.zygote_pid == pid


def test_undecodable_cached_bytes_fail_the_inputs_step_and_are_not_kept(cache_executor):
    loader = Loader(b"not an arrow stream")
    for _ in range(2):
        outcome = run(cache_executor, SUMMARY, cached("plays", "table:garbage", loader))
        assert outcome.status == "failed" and outcome.input_cache["misses"] == 1
        assert "input" in outcome.public_error
    assert loader.calls == 2
