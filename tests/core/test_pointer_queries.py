"""Pointer queries in the vault: decided, evaluated under disclosure control, checked for differencing.

A real vault on a copy of the demo workspace (real SQLite, real keys, the Cedar engine); graphs
go through ``Requests.submit_graph`` exactly as ``POST /api/v1/graphs`` sends them. The expected
numbers come from the same generator that made the private scripts (this test is the trusted side).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from sealroom.core.catalog.catalog import get_dataset
from sealroom.core.errors import InvalidInput
from sealroom.core.graph.sources import decode_source
from sealroom.core.graph.values import decode_value
from sealroom.core.policy.pack import policies_dir
from sealroom.core.private_frames import FrameRef
from sealroom.core.results import EncodedResult
from sealroom.core.runtime import Vault
from sealroom.core.usage import Usage
from sealroom.core.users import get_user
from sealroom.core.workspace import Workspace
from sealroom.demo.franchise import _cast_csv, build_dialogue
from sealroom.demo.workspace import DATA_SCIENTIST

SCRIPTS = "northwind-scripts"
PURPOSE = "research: pointer test"


class G:
    """A tiny graph builder for tests: ``g.add(op, inputs, **args)`` returns the new node's id."""

    def __init__(self) -> None:
        self.nodes: list[dict] = []

    def add(self, operation: str, inputs=(), /, **args) -> str:
        node_id = f"n{len(self.nodes)}"
        self.nodes.append({"id": node_id, "op": operation, "inputs": list(inputs), "args": args})
        return node_id

    def source(self, asset: str = "dialogue") -> str:
        return self.add("source", dataset=SCRIPTS, asset=asset)

    def graph(self, output: str) -> dict:
        return {"version": 1, "nodes": self.nodes, "output": output}


@pytest.fixture
def vault(demo_copy):
    ws = Workspace.open(demo_copy.root)
    vault = Vault(ws)  # pointer queries run in the caller's thread: no job runner, no sandbox needed
    with ws.db.reading() as session:
        people = {name: get_user(session, name) for name in (DATA_SCIENTIST, "harbor-light")}
    yield vault, people
    vault.stop()
    ws.close()


@pytest.fixture(scope="module")
def private():
    return build_dialogue(2000, seed=7).to_pandas()


def run(vault, people, graph: dict, *, purpose: str = PURPOSE):
    """Submit as dana; (view, value or None)."""
    answer = vault.requests.submit_graph(people[DATA_SCIENTIST], graph, purpose)
    view = answer.view
    if view["state"] != "released":
        assert answer.result is None  # nothing answered that was not released
        return view, None
    encoded, _receipt = vault.requests.result(people[DATA_SCIENTIST], view["id"])
    assert encoded == answer.result  # the value answered at once is the one stored and released
    return view, decode_value(encoded, answer.hint)


def size_by(columns: list[str], *, mask=None):
    g = G()
    frame = g.source()
    if mask is not None:
        frame = g.add("filter", [frame, mask(g, frame)])
    grouped = g.add("groupby", [frame], by=columns, dropna=True)
    return g.graph(g.add("gb_agg", [grouped], func="size"))


def round5(values):
    return (np.floor(np.asarray(values, dtype=float) / 5 + 0.5) * 5).astype(int)


def test_an_aggregate_is_released_at_once_rounded_with_a_receipt(vault, private):
    vault, people = vault
    view, value = run(vault, people, size_by(["speaker"]))
    assert view["state"] == "released", view
    expected = private.groupby("speaker").size()
    assert (expected >= 10).all()  # no cell is small: nothing suppressed, every count rounded to 5
    assert value.sort_index().tolist() == round5(expected.sort_index()).tolist()
    assert view["result"]["report"]["disclosure"]["suppressed_cells"] == 0
    assert "disclosure-control" in view["result"]["report"]["checks_run"]
    assert view["result"]["has_receipt"]


def test_small_cells_are_suppressed_and_their_labels_never_appear(vault, private):
    vault, people = vault
    view, value = run(vault, people, size_by(["location", "speaker"]))
    assert view["state"] == "released", view
    counts = private.groupby(["location", "speaker"]).size()
    small = counts[counts < 10]
    assert len(small) > 0
    report = view["result"]["report"]
    assert report["disclosure"]["suppressed_cells"] == len(small)
    assert any(f["check_id"] == "disclosure-suppressed" for f in report["findings"])
    shown = value.dropna()
    assert set(shown.index) == set(counts[counts >= 10].index)
    assert shown.tolist() == round5(counts[shown.index]).tolist()


def test_the_holders_policy_can_send_suppressed_results_to_review(vault):
    vault, people = vault
    rule = (policies_dir() / "dataset" / "review-suppressed-results.cedar").read_text()
    vault.attach_policy(people["harbor-light"], SCRIPTS, rule)
    view, _ = run(vault, people, size_by(["location", "speaker"]))
    assert view["state"] == "release_review", view
    view, _ = run(vault, people, size_by(["speaker"]))  # nothing suppressed: released at once
    assert view["state"] == "released"


def _all_but_one(g: G, frame: str) -> str:
    """A mask true for every line but the first line of the first scene of S1E01."""
    parts = [g.add("compare", [g.add("column", [frame], name=col)], op="ne", value=val)
             for col, val in (("episode_id", "S1E01"), ("scene", 1), ("line_no", 1))]
    either = g.add("logical", [parts[0], parts[1]], op="or")
    return g.add("logical", [either, parts[2]], op="or")


def _mean_line_no(mask=None) -> dict:
    g = G()
    frame = g.source()
    if mask is not None:
        frame = g.add("filter", [frame, mask(g, frame)])
    return g.graph(g.add("agg", [g.add("column", [frame], name="line_no")], func="mean"))


def test_differencing_all_versus_all_but_one_goes_to_review(vault):
    vault, people = vault
    first, _ = run(vault, people, _mean_line_no())
    assert first["state"] == "released", first
    second, value = run(vault, people, _mean_line_no(_all_but_one))
    assert second["state"] == "release_review" and value is None, second
    findings = {f["check_id"]: f["message"] for f in second["result"]["report"]["findings"]}
    assert "disclosure-differencing" in findings
    holder_view = vault.requests.get(people["harbor-light"], second["id"])
    assert holder_view["state"] == "release_review"


def test_the_general_tracker_is_caught_when_it_completes(vault):
    """Denning's tracker: q(C or T) + q(C or not T) - q(all) isolates the one line C."""
    vault, people = vault

    def c_or(season_op):
        def mask(g, frame):
            season = g.add("compare", [g.add("column", [frame], name="season")], op=season_op, value=1)
            return g.add("logical", [g.add("invert", [_all_but_one(g, frame)]), season], op="or")
        return mask

    assert run(vault, people, _mean_line_no(c_or("eq")))[0]["state"] == "released"
    assert run(vault, people, _mean_line_no(c_or("ne")))[0]["state"] == "released"
    last, _ = run(vault, people, _mean_line_no())
    assert last["state"] == "release_review"
    assert any(f["check_id"] == "disclosure-differencing" for f in last["result"]["report"]["findings"])


def test_repeating_a_query_and_two_margins_are_not_differencing(vault):
    vault, people = vault
    for graph in (size_by(["speaker"]), size_by(["speaker"]), size_by(["season"]), size_by(["episode_id"])):
        view, _ = run(vault, people, graph)
        assert view["state"] == "released", view["result"]["report"]


def test_row_shaped_queries_go_to_review_before_they_run(vault):
    vault, people = vault
    g = G()
    lines = g.add("columns", [g.source()], names=["speaker", "line"])
    view, value = run(vault, people, g.graph(g.add("head", [lines], n=5)))
    assert view["state"] == "pending_review" and value is None
    assert view["decision"]["code_profile"]["output_kind"] == "table"
    assert any("rather than aggregates" in reason for reason in view["decision"]["reasons"]), view["decision"]["reasons"]


def test_unknown_operations_are_refused_with_the_supported_list(vault):
    vault, people = vault
    g = G()
    bad = g.graph(g.add("apply", [g.source()], func="lambda df: df"))
    with pytest.raises(InvalidInput) as caught:
        vault.requests.submit_graph(people[DATA_SCIENTIST], bad, PURPOSE)
    assert "'apply'" in caught.value.public_message and "groupby" in caught.value.public_message


def test_a_merge_with_the_cast_counts_lines_per_faction(vault, private):
    vault, people = vault
    g = G()
    merged = g.add("merge", [g.source(), g.source("cast")], left_on="speaker", right_on="name", how="inner")
    graph = g.graph(g.add("gb_agg", [g.add("groupby", [merged], by=["faction"], dropna=True)], func="size"))
    view, value = run(vault, people, graph)
    assert view["state"] == "released", view
    cast = pd.read_csv(io.BytesIO(_cast_csv()))
    expected = private.merge(cast, left_on="speaker", right_on="name").groupby("faction").size()
    assert value.sort_index().tolist() == round5(expected.sort_index()).tolist()


def test_decrypted_frames_are_cached_and_dropped_on_a_license_change(vault):
    vault, people = vault
    frames = vault.runner.graphs.frames
    run(vault, people, size_by(["speaker"]))
    misses = frames.misses
    run(vault, people, size_by(["season"]))
    assert frames.misses == misses and frames.hits >= 1
    vault.update_license(people["harbor-light"], SCRIPTS, {"max_jobs": 400})
    assert frames.held_bytes == 0


def test_dp_mode_adds_noise_and_stops_when_the_budget_is_spent(vault, private):
    vault, people = vault
    vault.update_license(people["harbor-light"], SCRIPTS, {"dp_epsilon_per_user": 1.0, "dp_epsilon_per_query": 0.5})
    answers = []
    for _ in range(2):
        view, value = run(vault, people, size_by(["speaker"]))
        assert view["state"] == "released", view
        assert view["result"]["report"]["disclosure"]["epsilon"] == pytest.approx(0.5)
        answers.append(value.sort_index())
    exact = private.groupby("speaker").size().sort_index()
    assert not (answers[0].round().astype(int).tolist() == exact.tolist() and answers[1].round().astype(int).tolist() == exact.tolist())
    view, value = run(vault, people, size_by(["speaker"]))
    assert view["state"] == "failed" and "budget" in view["public_reason"]


def test_the_source_decoder_numbers_items_after_earlier_assets(vault):
    vault, _ = vault
    dataset = vault.dataset(SCRIPTS)
    with vault.ws.db.reading() as session:
        ref = FrameRef.of(get_dataset(session, SCRIPTS), "cast")
    assert (ref.dataset_id, ref.asset, ref.kind) == (dataset.id, "cast", "table") and len(ref.content_sha256) == 64
    cast = vault.runner.graphs.frames.load(ref)
    assert cast.item_offset == ref.item_offset == dataset.asset("dialogue").n_items
    assert isinstance(decode_source("table", vault.mock(SCRIPTS, "cast")[1]).value, pd.DataFrame)


def test_results_are_json_safe(vault):
    vault, people = vault
    view, _ = run(vault, people, size_by(["speaker"]))
    encoded, _ = vault.requests.result(people[DATA_SCIENTIST], view["id"])
    assert isinstance(encoded, EncodedResult)
    json.dumps(view)


JOB_STATES = ("queued", "running", "checking", "release_review", "released", "withheld", "failed")
_COUNTED = text(
    "SELECT r.owner_id, rd.dataset_id, "
    f"SUM(CASE WHEN r.state IN {JOB_STATES} THEN 1 ELSE 0 END), SUM(CASE WHEN r.kind = 'graph' AND r.state = 'released' THEN 1 ELSE 0 END) "
    "FROM requests r JOIN request_datasets rd ON rd.request_id = r.id GROUP BY r.owner_id, rd.dataset_id"
)


def _counted(session) -> dict:
    """The counts the long way: every request of every data scientist on every dataset."""
    return {(owner, dataset): Usage(jobs, released) for owner, dataset, jobs, released in session.execute(_COUNTED) if jobs or released}


def _kept(session) -> dict:
    rows = session.execute(text("SELECT owner_id, dataset_id, jobs_used, graphs_released FROM usage")).all()
    return {(owner, dataset): Usage(jobs, released) for owner, dataset, jobs, released in rows if jobs or released}


def test_counters_equal_counting_requests_after_released_reviewed_and_refused_queries(vault):
    vault, people = vault
    for by in (["speaker"], ["season"], ["speaker"]):
        assert run(vault, people, size_by(by))[0]["state"] == "released"
    g = G()
    assert run(vault, people, g.graph(g.add("head", [g.source()], n=5)))[0]["state"] == "pending_review"  # records: a person looks first
    assert run(vault, people, size_by(["season"]), purpose="generative-training: not licensed")[0]["state"] == "rejected"
    with vault.ws.db.reading() as session:
        counted, kept = _counted(session), _kept(session)
    assert kept == counted
    dana, scripts = people[DATA_SCIENTIST].id, vault.dataset(SCRIPTS).id
    assert kept[(dana, scripts)].graphs_released >= 3
