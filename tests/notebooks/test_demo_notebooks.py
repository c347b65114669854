"""The teaching notebooks in ``demo_notebooks/``, executed headless against a real vault.

The notebooks share one vault, in class order: ``01_explore_and_ask`` runs as the data
scientist (dana) and leaves one raw-line request waiting for review; the test then submits two
more as dana, standing in for the class, and runs ``02_review`` as Harbor Light, which approves
the oldest pending request, denies the next and attaches ``no-line-export``. While 02 waits for
"the next request", a thread in the test resubmits the raw-line function as dana once the policy
is attached. Harbor Light then takes ``no-line-export`` off again (the README's way to run ``03``
after ``02``) and ``03_what_cannot_leave`` runs as dana. Cells are found by their ids; outputs and
the vault's states afterwards are asserted.
"""

from __future__ import annotations

import json
import time
from ast import literal_eval
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

import sealroom as sr
from sealroom.demo.workspace import DATA_SCIENTIST

NOTEBOOKS = Path(__file__).resolve().parents[2] / "demo_notebooks"
SCRIPTS = "northwind-scripts"
HOLDER = "harbor-light"
DIALOGUE_LINES = 2000  # build_demo_workspace's default
KERNELSPEC = {"name": "sealroom", "display_name": "Sealroom", "language": "python"}
DENY_NOTE = "lines are not for export: ask for counts or lengths per speaker instead"
APPROVE_NOTE = "one line for a close reading is fine for research"
NO_LINE_EXPORT = "the rights holder never lets lines of this dataset leave; return aggregates instead"

# Standing in for the class: two more raw-text requests, and the raw-line request of 01 resubmitted.
SOME_LINES = "def some_lines(plays):\n    return plays['line'].head(20).tolist()\n"
FIRST_LINE = "def first_line(plays):\n    return plays['line'].iloc[0]\n"


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def cell(nb, cell_id: str):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def shown(nb, cell_id: str) -> str:
    """Everything a cell showed: streams, plain-text and HTML results, error lines."""
    parts = []
    for output in cell(nb, cell_id).outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.extend(output.data.get(kind, "") for kind in ("text/plain", "text/html"))
        elif output.output_type == "error":
            parts.extend(output.traceback)
    return "\n".join(parts)


def value(nb, cell_id: str) -> str:
    return next(o.data["text/plain"] for o in cell(nb, cell_id).outputs if o.output_type == "execute_result")


def submit(ws, source: str, purpose: str):
    """Submit a one-input function on the scripts, as the kernel's %%remote does."""
    function_name = source.removeprefix("def ").split("(", 1)[0]
    return ws.submit_source(source, function_name=function_name, inputs={"plays": ws.datasets[SCRIPTS]}, purpose=purpose)


@pytest.fixture(scope="module")
def explored(live_vault, sealroom_kernel):
    """``01_explore_and_ask`` executed as the data scientist."""
    token = live_vault.tokens[DATA_SCIENTIST]
    nb = sealroom_kernel.execute(load("01_explore_and_ask.ipynb"), SEALROOM_URL=live_vault.url, SEALROOM_TOKEN=token)
    return nb, token


def resubmit_once_policy_attached(url: str, token: str, timeout: float = 90.0) -> str:
    """As dana: wait until ``no-line-export`` is on the scripts, then send the raw-line request again."""
    ws = sr.connect(url, token)
    try:
        deadline = time.monotonic() + timeout
        while not any(p["policy_id"] == "no-line-export" for p in ws.datasets[SCRIPTS].policies):
            if time.monotonic() > deadline:
                raise TimeoutError("02_review never attached no-line-export")
            time.sleep(0.1)
        return submit(ws, FIRST_LINE, "research: look at one line").id
    finally:
        ws.close()


@pytest.fixture(scope="module")
def reviewed(live_vault, sealroom_kernel, explored):
    """``02_review`` executed as Harbor Light, after two more requests were sent to review."""
    dana = sr.connect(live_vault.url, live_vault.tokens[DATA_SCIENTIST])
    try:
        [from_01] = [r.id for r in dana.requests.all("pending_review")]
        extra = [submit(dana, SOME_LINES, "research: read a scene").id, submit(dana, FIRST_LINE, "research: one more line").id]
        with ThreadPoolExecutor(max_workers=1) as pool:
            resubmitted = pool.submit(resubmit_once_policy_attached, live_vault.url, live_vault.tokens[DATA_SCIENTIST])
            nb = sealroom_kernel.execute(load("02_review.ipynb"), timeout=120, SEALROOM_URL=live_vault.url, SEALROOM_TOKEN=live_vault.tokens[HOLDER])
            next_id = resubmitted.result(timeout=30)
        states = {key: dana.requests[rid].view for key, rid in (("approved", from_01), ("denied", extra[0]), ("untouched", extra[1]), ("next", next_id))}
        return nb, states
    finally:
        dana.close()


@pytest.fixture(scope="module")
def cannot_leave(live_vault, sealroom_kernel, reviewed):
    """``03_what_cannot_leave`` executed as the data scientist, after 02 with ``no-line-export`` taken
    off again; returns the notebook, dana's token and the views of the requests it made, keyed by
    (function, purpose category)."""
    holder = sr.connect(live_vault.url, live_vault.tokens[HOLDER])
    try:
        holder.datasets[SCRIPTS].remove_policy("no-line-export")
    finally:
        holder.close()
    token = live_vault.tokens[DATA_SCIENTIST]
    dana = sr.connect(live_vault.url, token)
    try:
        before = {r.id for r in dana.requests.all()}
        nb = sealroom_kernel.execute(load("03_what_cannot_leave.ipynb"), SEALROOM_URL=live_vault.url, SEALROOM_TOKEN=token)
        made = [r.view for r in dana.requests.all() if r.id not in before]
    finally:
        dana.close()
    requests = {(v["function_name"], v["purpose"].split(":")[0]): v for v in made}
    assert len(requests) == len(made) == 6
    return nb, token, requests


# -- 01: explore and ask ------------------------------------------------------------------------
def test_01_shows_the_catalog_terms_and_mock(explored):
    nb, _ = explored
    assert "as dana (data_scientist)" in shown(nb, "whoami")
    assert all(name in value(nb, "catalog") for name in ("northwind-scripts", "northwind-stories", "northwind-art"))
    terms = literal_eval(value(nb, "license"))
    assert terms["allowed_purposes"] == ["research", "education"] and terms["generative_training_opt_out"] is True
    assert "speaker" in shown(nb, "mock") and "line" in shown(nb, "mock")
    assert "lines" in shown(nb, "test-on-mock")  # the mock's counts, as a table


def test_01_first_remote_function_is_released_with_a_verified_receipt(explored):
    nb, _ = explored
    assert "queued - a data scientist asks for a purpose the license allows (northwind-scripts)" in shown(nb, "submit")
    assert int(value(nb, "total")) == DIALOGUE_LINES
    receipt = shown(nb, "receipt")
    assert "Ed25519 signature verified for request" in receipt and "allow to run, allow to release" in receipt
    assert "landlock" in receipt and "seccomp" in receipt


def test_01_remote_cell_answers_the_same_question(explored):
    nb, _ = explored
    assert "released; the result is bound to speaker_lines" in shown(nb, "magic")
    assert sum(literal_eval(value(nb, "magic")).values()) == DIALOGUE_LINES


def test_01_generative_training_is_refused_with_the_opt_out_reason(explored):
    nb, _ = explored
    lines = shown(nb, "refused").splitlines()
    assert lines[0] == "rejected"
    assert "refused by policy: the rights holder has opted this dataset out of generative AI training (northwind-scripts)" in lines[1]


def test_01_raw_line_waits_for_review(explored):
    nb, _ = explored
    lines = shown(nb, "review").splitlines()
    assert lines[0] == "pending_review" and "so the rights holder reviews it (northwind-scripts)" in lines[1]


def test_01_request_shows_as_a_live_widget_with_an_html_fallback(explored):
    nb, _ = explored
    (result,) = [o for o in cell(nb, "live").outputs if o.output_type == "execute_result"]
    assert "application/vnd.jupyter.widget-view+json" in result.data  # JupyterLab renders the live widget
    assert "pending_review" in result.data["text/html"]  # frontends without widgets get the HTML view


def test_01_never_errs_nor_shows_the_token(explored):
    nb, token = explored
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert token not in json.dumps([c.get("outputs", []) for c in nb.cells])


# -- 02: review -----------------------------------------------------------------------------------
def test_02_reads_the_queue_code_and_decision_record(reviewed):
    nb, _ = reviewed
    assert "as harbor-light (rights_holder)" in shown(nb, "whoami")
    assert "Dana (data scientist)" in shown(nb, "queue") and "some_lines" in shown(nb, "queue")
    assert "def first_line(plays):" in shown(nb, "code")  # the oldest: 01's raw-line request
    record = shown(nb, "record")
    assert "outcome: review | the code returns: text" in record and "- review-non-aggregate-output (review):" in record


def test_02_approval_runs_it_and_the_gate_withholds_the_raw_line(reviewed):
    nb, states = reviewed
    assert shown(nb, "approve").startswith("withheld - ") and "verbatim-text check" in shown(nb, "approve")
    approved = states["approved"]  # as the data scientist sees it
    assert approved["state"] == "withheld" and "verbatim-text check" in approved["public_reason"]
    assert [(r["verdict"], r["note"]) for r in approved["reviews"]] == [("approve", APPROVE_NOTE)]
    assert approved["result"]["has_receipt"] is False


def test_02_denial_rejects_with_the_note(reviewed):
    nb, states = reviewed
    assert f"rejected - denied by the rights holder: {DENY_NOTE}" in shown(nb, "deny")
    denied = states["denied"]
    assert denied["state"] == "rejected" and denied["public_reason"] == f"denied by the rights holder: {DENY_NOTE}"
    assert [(r["verdict"], r["note"]) for r in denied["reviews"]] == [("deny", DENY_NOTE)]
    assert states["untouched"]["state"] == "pending_review" and states["untouched"]["reviews"] == []


def test_02_attached_policy_refuses_the_next_request(reviewed):
    nb, states = reviewed
    assert "'human_review_required': False" in value(nb, "terms")
    assert '@id("no-line-export")' in shown(nb, "policy-text")
    assert literal_eval(value(nb, "attach")) == ("no-line-export", ["no-line-export"])
    assert f"- no-line-export (dataset:northwind-scripts): {NO_LINE_EXPORT}" in shown(nb, "next")
    assert shown(nb, "next").startswith("first_line -> rejected")
    assert states["next"]["state"] == "rejected"
    assert states["next"]["decision"]["reasons"] == [f"{NO_LINE_EXPORT} (northwind-scripts)"]


def test_02_never_errs_nor_shows_the_token(live_vault, reviewed):
    nb, _ = reviewed
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert live_vault.tokens[HOLDER] not in json.dumps([c.get("outputs", []) for c in nb.cells])


# -- 03: what cannot leave ------------------------------------------------------------------------
def test_03_shows_the_rules_in_force(cannot_leave):
    nb, _, _ = cannot_leave
    rules = shown(nb, "rules")
    assert "purposes allowed:   research, education" in rules and "generative opt-out: True" in rules
    assert "attached policies:  none" in rules


def test_03_raw_line_waits_for_review(cannot_leave):
    nb, _, requests = cannot_leave
    lines = shown(nb, "raw-line").splitlines()
    assert lines[0] == "pending_review"
    assert lines[1] == "the code may return records, text, images or a model rather than aggregates, so the rights holder reviews it (northwind-scripts)"
    assert requests["one_line", "research"]["state"] == "pending_review" and requests["one_line", "research"]["result"] is None


def test_03_escape_attempt_is_refused_before_it_runs(cannot_leave):
    nb, _, requests = cannot_leave
    escape = shown(nb, "escape")
    assert "was not run: refused by policy: the code uses process, network, introspection or dynamic-code features, which never run here (northwind-scripts)" in escape
    assert "flags: network, process" in escape  # the request's code profile, as the cell shows it
    view = requests["line_count", "research"]
    assert view["state"] == "rejected" and view["result"] is None
    assert view["decision"]["code_profile"]["flags"] == ["network", "process"]


@pytest.mark.parametrize("cell,purpose,reason", [
    ("generative", "generative-training", "the rights holder has opted this dataset out of generative AI training (northwind-scripts)"),
    ("purpose", "commercial-analytics", "the license of this dataset does not allow this purpose (northwind-scripts)"),
])
def test_03_unlicensed_uses_are_refused_with_their_reason(cannot_leave, cell, purpose, reason):
    nb, _, requests = cannot_leave
    lines = [line for line in shown(nb, cell).splitlines() if line.strip()]  # stdout may arrive in several chunks
    assert lines[0] == "rejected" and reason in lines[1]
    assert requests["lines_per_speaker", purpose]["state"] == "rejected"


def test_03_line_hidden_in_a_dict_goes_to_review(cannot_leave):
    nb, _, requests = cannot_leave
    hidden = shown(nb, "hidden")
    assert "is pending review by the rights holder: the code may return records, text, images or a model rather than aggregates" in hidden
    assert "summary_request.wait() waits for their decision" in hidden and "returns text; flags: none" in hidden
    view = requests["summary", "research"]
    assert view["state"] == "pending_review" and view["decision"]["code_profile"]["output_kind"] == "text"


def test_03_hidden_line_is_withheld_even_if_approved(live_vault, cannot_leave):
    """What the notebook tells the class about attempt 5: an approval does not get the line past the gate."""
    *_, requests = cannot_leave
    holder = sr.connect(live_vault.url, live_vault.tokens[HOLDER])
    try:
        hidden = holder.requests[requests["summary", "research"]["id"]]
        hidden.approve("approved without reading closely")
        hidden.wait(60, through_review=False)
        assert hidden.view["state"] == "withheld" and "verbatim-text check" in hidden.reason
    finally:
        holder.close()


def test_03_aggregate_is_released_with_a_verified_receipt(cannot_leave):
    nb, _, requests = cannot_leave
    aggregate = shown(nb, "aggregate")
    assert aggregate.startswith("released - a data scientist asks for a purpose the license allows (northwind-scripts)")
    assert f"{DIALOGUE_LINES} lines in all" in aggregate
    top = literal_eval(value(nb, "aggregate"))
    assert len(top) == 5 and [n for _, n in top] == sorted((n for _, n in top), reverse=True)
    receipt = shown(nb, "receipt")
    assert "(Ed25519 signature verified)" in receipt and "allow to run, allow to release" in receipt
    assert "verbatim-text" in receipt
    view = requests["lines_per_speaker", "research"]
    assert view["state"] == "released" and view["result"]["has_receipt"] is True


def test_03_never_errs_nor_shows_the_token(cannot_leave):
    nb, token, _ = cannot_leave
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not [c.id for c in code if "Traceback" in shown(nb, c.id)]
    assert token not in json.dumps([c.get("outputs", []) for c in nb.cells])


@pytest.fixture(scope="module")
def pointers(live_vault, sealroom_kernel, cannot_leave):
    """``04_explore_with_pointers`` executed as the data scientist, after 03."""
    token = live_vault.tokens[DATA_SCIENTIST]
    nb = sealroom_kernel.execute(load("04_explore_with_pointers.ipynb"), SEALROOM_URL=live_vault.url, SEALROOM_TOKEN=token)
    return nb, token


def test_04_pointers_hold_no_data_and_the_mock_answers_here(pointers):
    nb, _ = pointers
    assert "RemoteFrame" in shown(nb, "pointer") and "speaker" in shown(nb, "pointer")
    assert "count" in shown(nb, "mock")


def test_04_aggregates_come_back_rounded_and_protected(pointers):
    nb, _ = pointers
    top = literal_eval(value(nb, "get").split("Name:")[0].strip().splitlines()[-1].split()[-1])
    assert top % 5 == 0
    assert "Lighthouse Trust" in shown(nb, "faction") and "Low Quay" in shown(nb, "faction")
    assert "NaN" in shown(nb, "seasons") and "All" in shown(nb, "seasons")
    assert "edges:  [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]" in shown(nb, "hist")


def test_04_differencing_rows_and_unknown_operations_are_stopped(pointers):
    nb, _ = pointers
    assert "went to the rights holder for review" in shown(nb, "differencing")
    assert "differencing" in shown(nb, "differencing") or "subtract" in shown(nb, "differencing")
    assert "went to the rights holder for review" in shown(nb, "rows")
    assert "apply" in shown(nb, "unknown") and "groupby" in shown(nb, "unknown")


def test_04_never_errs_nor_shows_the_token(pointers):
    nb, token = pointers
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert token not in json.dumps([c.get("outputs", []) for c in nb.cells])


# -- the committed files -------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_committed_notebooks_are_clean(name):
    nb = load(name)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.metadata.kernelspec == KERNELSPEC
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert len({c.id for c in nb.cells}) == len(nb.cells)  # the tests find cells by id
    assert nb.cells[0].cell_type == "markdown"  # each notebook opens with its scenario


def test_readme_lists_every_notebook():
    readme = (NOTEBOOKS / "README.md").read_text()
    assert all(path.name in readme for path in NOTEBOOKS.glob("*.ipynb"))
