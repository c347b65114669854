"""Round-trip benchmark: a request through the whole sealed room vs the same function run locally.

Measured in one run, on one machine:

- ``trivial@10k``: ``return 1`` on a 10k-line script table;
- ``groupby@1M``: lines per speaker and mean line number per speaker on 1M dialogue lines.

Each Sealroom round trip is real: the data scientist submits over HTTP, the policy engine allows
it (an aggregate for research; were it sent to review, the rights holder would approve over HTTP
by script), the vault runs the job in the sandbox, the release
gate checks it, and the client fetches the result. The baseline is the same function called
locally on the same pandas DataFrame. Reported: medians, the overhead (round trip - local) and
the ratio (round trip / local). Target (issue #2): overhead under 150 ms on the 2-core machine.

Usage: ``python benchmarks/bench_roundtrip.py [--repeat N] [--big-rows N] [--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path


def trivial(plays):
    return 1


def speaker_stats(plays):
    grouped = plays.groupby("speaker")
    return grouped.size().rename("lines").to_frame().join(grouped["line_no"].mean().rename("mean_line_no")).reset_index()


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def _local(fn, frame, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(frame)
        times.append(time.perf_counter() - started)
    return times


def _round_trips(ds_ws, rh_ws, dataset: str, fn, repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    totals, phases = [], {"submit": [], "approve": [], "run_check_release": [], "fetch": []}
    remote = ds_ws.remote(plays=ds_ws.datasets[dataset])(fn)
    for _ in range(repeat):
        t0 = time.perf_counter()
        request = remote.submit(purpose="research: benchmark")
        t1 = time.perf_counter()
        if request.view["state"] == "pending_review":  # the policy allows these aggregates at once
            rh_ws.requests[request.id].approve("benchmark")
        t2 = time.perf_counter()
        request.wait(600)
        t3 = time.perf_counter()
        request.result()
        t4 = time.perf_counter()
        assert request.view["state"] == "released", request.view
        totals.append(t4 - t0)
        for name, value in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            phases[name].append(value)
    return totals, phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "roundtrip.json")
    args = parser.parse_args()

    import pyarrow.parquet as pq

    import sealroom as sr
    from sealroom.core.catalog.ingest import IngestSpec, ingest_dataset
    from sealroom.core.runtime import Vault
    from sealroom.core.users import get_user
    from sealroom.core.workspace import Workspace
    from sealroom.demo.franchise import build_dialogue
    from sealroom.demo.workspace import DATA_SCIENTIST, build_demo_workspace
    from sealroom.service.app import ServerThread

    report: dict = {"machine": "see closing note", "repeat": args.repeat, "cases": {}}
    with tempfile.TemporaryDirectory(prefix="sealroom-bench-") as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        demo = build_demo_workspace(tmp_path / "ws", dialogue_lines=10_000)
        report["build_demo_10k_s"] = round(time.perf_counter() - started, 2)
        big = build_dialogue(args.big_rows, seed=11)
        pq.write_table(big, tmp_path / "dialogue.parquet")
        ws = Workspace.open(demo.root)
        with ws.db.session() as session:
            holder = get_user(session, "harbor-light")
        started = time.perf_counter()
        ingest_dataset(ws, holder, IngestSpec(name="scripts-big", kind="table", paths=[tmp_path / "dialogue.parquet"], text_columns=("line",), public_columns=("speaker", "episode_id")))
        report["ingest_big_s"] = round(time.perf_counter() - started, 2)
        (tmp_path / "dialogue.parquet").unlink()
        frames = {"northwind-scripts": build_dialogue(10_000, seed=7).to_pandas(), "scripts-big": big.to_pandas()}
        vault = Vault(ws).start()
        try:
            with ServerThread(vault) as url:
                ds_ws = sr.connect(url, demo.token(DATA_SCIENTIST))
                rh_ws = sr.connect(url, demo.token("harbor-light"))
                for name, dataset, fn, repeat in (
                    ("trivial@10k", "northwind-scripts", trivial, args.repeat),
                    (f"groupby@{args.big_rows // 1000}k", "scripts-big", speaker_stats, max(3, args.repeat // 3)),
                ):
                    _round_trips(ds_ws, rh_ws, dataset, fn, 1)  # warm: decrypt cache, zygote, imports
                    totals, phases = _round_trips(ds_ws, rh_ws, dataset, fn, repeat)
                    local = _local(fn, frames[dataset], repeat)
                    case = {
                        "round_trip_ms": _median_ms(totals),
                        "local_pandas_ms": _median_ms(local),
                        "overhead_ms": round(_median_ms(totals) - _median_ms(local), 2),
                        "ratio": round(statistics.median(totals) / max(statistics.median(local), 1e-9), 1),
                        "phases_ms": {k: _median_ms(v) for k, v in phases.items()},
                    }
                    report["cases"][name] = case
                    print(f"{name:>14}: round trip {case['round_trip_ms']:8.1f} ms | local {case['local_pandas_ms']:8.2f} ms | overhead {case['overhead_ms']:8.1f} ms | ratio {case['ratio']:8.1f}x | phases {case['phases_ms']}")
                ds_ws.close()
                rh_ws.close()
        finally:
            vault.stop()
            ws.close()
    print(f"build demo (10k lines) {report['build_demo_10k_s']} s; ingest {args.big_rows} lines {report['ingest_big_s']} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
