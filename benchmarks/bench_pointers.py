"""Pointer-query benchmark: ``groupby().mean()`` and ``value_counts()`` through pointers vs local pandas.

Measured in one run, on one machine, on the same data:

- the data scientist builds the query on a pointer (``lines.groupby("speaker")["line_no"].mean()``,
  ``lines["speaker"].value_counts()``) and calls ``.get()``: one HTTP round trip in which the
  vault records the request, asks the policy engine, evaluates the graph on its cached private
  frame with disclosure control (items per cell, dominance, p-ratio, rounding), checks the
  released cells for differencing, runs the release gate, signs the receipt and answers;
- the baseline is the same pandas expression on the same DataFrame, in this process.

Targets (issue #5): at 1M rows a pointer query takes at most 1.5x local pandas + 20 ms; at 10k
rows it takes under 20 ms end to end. For reference, PySyft 0.9.5's standard workflow (a
``syft_function`` group-by mean, submitted, approved and fetched) measured ~1.5 s at 100k rows
and ~7.5 s at 1M rows on this machine class (figures from the issue; PySyft is not installed
here: it pins numpy<=1.24 and pandas 2.2.2).

Usage: ``python benchmarks/bench_pointers.py [--repeat N] [--big-rows N] [--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

PYSYFT_REFERENCE_MS = {"100k": 1500.0, "1000k": 7500.0}
LICENSE = {"allowed_purposes": ["research"], "human_review_required": False, "max_jobs": None, "min_aggregation_size": 10}


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def _timed(fn, repeat: int) -> tuple[list[float], object]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return times, value


def _queries(lines, frame):
    """(name, pointer query, the same expression in local pandas)."""
    return (
        ("groupby_mean", lambda: lines.groupby("speaker")["line_no"].mean().get(purpose="research: benchmark"),
         lambda: frame.groupby("speaker")["line_no"].mean()),
        ("value_counts", lambda: lines["speaker"].value_counts().get(purpose="research: benchmark"),
         lambda: frame["speaker"].value_counts()),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "pointers.json")
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

    sizes = {"10k": 10_000, f"{args.big_rows // 1000}k": args.big_rows}
    report: dict = {"machine": "see closing note", "repeat": args.repeat, "pysyft_0.9.5_reference_ms": PYSYFT_REFERENCE_MS, "cases": {}}
    with tempfile.TemporaryDirectory(prefix="sealroom-bench-") as tmp:
        tmp_path = Path(tmp)
        demo = build_demo_workspace(tmp_path / "ws", dialogue_lines=2_000)
        ws = Workspace.open(demo.root)
        with ws.db.session() as session:
            holder = get_user(session, "harbor-light")
        frames = {}
        for label, rows in sizes.items():
            table = build_dialogue(rows, seed=11)
            pq.write_table(table, tmp_path / "dialogue.parquet")
            ingest_dataset(ws, holder, IngestSpec(name=f"scripts-{label}", kind="table", paths=[tmp_path / "dialogue.parquet"],
                                                  text_columns=("line",), public_columns=("speaker", "episode_id"), license=LICENSE))
            frames[label] = table.to_pandas()
        vault = Vault(ws).start()
        try:
            with ServerThread(vault) as url:
                client = sr.connect(url, demo.token(DATA_SCIENTIST))
                for label, frame in frames.items():
                    lines = client.datasets[f"scripts-{label}"].private
                    for name, pointer_query, local_query in _queries(lines, frame):
                        pointer_query()  # warm: decrypt + decode into the frame cache, tracker
                        remote, released = _timed(pointer_query, args.repeat)
                        local, expected = _timed(local_query, args.repeat)
                        case = _case(label, remote, local, released, expected)
                        report["cases"][f"{name}@{label}"] = case
                        print(f"{name + '@' + label:>18}: pointer {case['pointer_ms']:8.2f} ms | local pandas {case['local_ms']:8.2f} ms | "
                              f"target {case['target_ms']:7.2f} ms | ratio {case['ratio']:5.2f}x | {'PASS' if case['pass'] else 'FAIL'}")
                client.close()
        finally:
            vault.stop()
            ws.close()
    print(f"PySyft 0.9.5 reference (issue #5, same machine class): group-by mean ~{PYSYFT_REFERENCE_MS['100k'] / 1000:g} s at 100k rows, "
          f"~{PYSYFT_REFERENCE_MS['1000k'] / 1000:g} s at 1M rows")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    return 0 if all(c["pass"] for c in report["cases"].values()) else 1


def _case(label: str, remote: list[float], local: list[float], released, expected) -> dict:
    pointer_ms, local_ms = _median_ms(remote), _median_ms(local)
    target_ms = 20.0 if label == "10k" else 1.5 * local_ms + 20.0
    same_cells = sorted(map(str, released.index)) == sorted(map(str, expected.index))  # every speaker has >= 10 lines here
    return {"pointer_ms": pointer_ms, "local_ms": local_ms, "overhead_ms": round(pointer_ms - local_ms, 2),
            "ratio": round(pointer_ms / max(local_ms, 1e-9), 2), "target_ms": round(target_ms, 2),
            "pass": pointer_ms <= target_ms and same_cells, "same_cells_as_local": same_cells}


if __name__ == "__main__":
    sys.exit(main())
