"""``sealroom demo --check``: one full request round trip, headless, over real HTTP.

Builds the demo workspace in a temporary directory, starts the vault (sandbox + API on a free
port) and, as the data scientist, shows the policy engine's three answers with their reasons:

1. **allowed at once** - lines per speaker, for research: the studio's license allows research
   and does not ask to review aggregates, so it runs sandboxed, passes the release gate and comes
   back with a signed receipt that is verified;
2. **sent to review** - a function returning a raw script line: the studio approves it, and the
   verbatim-text check withholds the result anyway;
3. **denied** - the same counting function for generative training: the studio opted out.

Each step is timed.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

SCRIPTS = "northwind-scripts"


def lines_per_speaker(plays):
    return plays.groupby("speaker").size().rename("lines").sort_values(ascending=False).reset_index()


def first_line(plays):
    return plays["line"].iloc[0]


@dataclass
class RoundTrip:
    steps: list[tuple[str, float, str]] = field(default_factory=list)
    request_id: str = ""
    decisions: list[tuple[str, str, str]] = field(default_factory=list)  # (request, outcome, reasons)
    receipt: dict | None = None
    ok: bool = False
    problem: str = ""

    def record(self, label: str, request) -> None:
        decision = request.view["decision"]
        self.decisions.append((label, decision["outcome"], "; ".join(decision["reasons"])))

    def step(self, name: str, action: Callable[[], object], describe: Callable[[object], str] = str):
        started = time.perf_counter()
        value = action()
        self.steps.append((name, (time.perf_counter() - started) * 1000, describe(value)))
        return value


def run_round_trip(*, dialogue_lines: int = 2000, workdir: Path | None = None) -> RoundTrip:
    """Run the whole round trip; ``ok`` is True only if every expectation held."""
    import sealroom as sr
    from sealroom.core.runtime import Vault
    from sealroom.core.workspace import Workspace
    from sealroom.demo.workspace import DATA_SCIENTIST, build_demo_workspace
    from sealroom.service.app import ServerThread

    trip = RoundTrip()
    with tempfile.TemporaryDirectory(prefix="sealroom-demo-check-", dir=workdir) as tmp:
        demo = trip.step("build demo workspace", lambda: build_demo_workspace(Path(tmp) / "ws", dialogue_lines=dialogue_lines), lambda d: f"{len(d.signins)} users, 3 datasets")
        vault = trip.step("start vault (sandbox zygote)", lambda: Vault(Workspace.open(demo.root)).start(), lambda v: "ready")
        try:
            with ServerThread(vault) as url:
                ds_ws = sr.connect(url, demo.token(DATA_SCIENTIST))
                holder = demo.holder_of(SCRIPTS)
                rh_ws = sr.connect(url, demo.token(holder))
                plays = ds_ws.datasets[SCRIPTS]
                fn = ds_ws.remote(plays=plays)(lines_per_speaker)
                trip.step("test on mock", fn.test, lambda v: f"{len(v)} rows from the mock")
                request = trip.step("submit (research)", lambda: fn.submit(purpose="research: who speaks most in Northwind"), lambda r: f"request {r.id}: {r.view['state']}")
                trip.request_id = request.id
                trip.record("lines per speaker, research", request)
                trip.step("run + check + release", lambda: request.wait(120), lambda r: r.view["state"])
                frame = trip.step("fetch result", request.result, lambda v: f"{len(v)} speakers, top: {v.iloc[0]['speaker']} ({v.iloc[0]['lines']} lines)")
                trip.receipt = trip.step("verify receipt", lambda: request.receipt, lambda r: f"signed, log index {r['receipt']['log_index']}")
                leak = ds_ws.remote(plays=plays)(first_line)
                leaked = trip.step("submit raw-line request", lambda: leak.submit(purpose="research: look at one line"), lambda r: f"request {r.id}: {r.view['state']}")
                trip.record("one raw line, research", leaked)
                pending = trip.step("rights holder sees queue", lambda: rh_ws.requests.pending, lambda p: f"{len(p)} pending for {holder}")
                trip.step("approve", lambda: next(r for r in pending if r.id == leaked.id).approve("let us see what the gate does"), lambda r: r.view["state"])
                withheld = trip.step("gate withholds raw line", lambda: leaked.wait(120), lambda r: f"{r.view['state']}: {r.view['public_reason']}")
                denied = trip.step("submit (generative training)", lambda: fn.submit(purpose="generative-training: a Northwind script writer"), lambda r: f"request {r.id}: {r.view['state']}")
                trip.record("lines per speaker, generative training", denied)
                outcomes = [outcome for _, outcome, _ in trip.decisions]
                states = (request.view["state"], withheld.view["state"], denied.view["state"])
                trip.ok = outcomes == ["allow", "review", "deny"] and states == ("released", "withheld", "rejected") and len(frame) > 0
                if not trip.ok:
                    trip.problem = f"expected allow/review/deny ending released/withheld/rejected, got {outcomes} ending {states}"
        finally:
            vault.stop()
            vault.ws.close()
    return trip
