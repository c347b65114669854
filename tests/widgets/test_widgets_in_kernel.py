"""Requests as live status widgets in the Sealroom kernel (nbclient, real kernel, real vault), and
the client without ipywidgets outside one.

In a kernel a ``Request`` displays as the widget view *and* its HTML and text, so frontends without
widgets (and nbclient's outputs) still show what they showed before. nbclient records the
widgets' state in the notebook's metadata (what a widget showed when displayed); a later cell reads
the widget's header in the kernel, which shows the live thread updated it after its cell finished.
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from widget_support import COUNT, submit

from sealroom.demo.workspace import DATA_SCIENTIST

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELLS = {
    "no_wait": '%%remote plays=northwind-scripts --purpose "research: count lines" --name total --no-wait\nlen(plays)',
    "released": (
        "import json, threading\ntotal_request.wait(120)\n"
        "for thread in threading.enumerate():  # the widget's live thread ends once it has seen the release\n"
        "    if thread.name == f'sealroom-status-{total_request.id}':\n        thread.join(60)\n"
        "from ipywidgets.widgets.widget import _instances\n"
        "from sealroom.widgets.request_status import RequestStatusView\n"
        "print(json.dumps({key: w.header.value for key, w in _instances.items() if isinstance(w, RequestStatusView)}))\n"
        "total_request.view['state']"
    ),
    "review": '%%remote plays=northwind-scripts --purpose "research: look at one line" --name first_line\nplays["line"].iloc[0]',
    "catalog": "ws.datasets.widget()",
}


@pytest.fixture(scope="module")
def ran(live_vault, sealroom_kernel):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS.values()]
    sealroom_kernel.execute(nb, SEALROOM_URL=live_vault.url, SEALROOM_TOKEN=live_vault.tokens[DATA_SCIENTIST])
    return dict(zip(CELLS, nb.cells)), nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]


def displayed(cell) -> dict:
    [output] = [o for o in cell.outputs if o.output_type == "execute_result"]
    return output.data


def stream(cell) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream")


def header_of(states: dict, data: dict) -> str:
    """The value of the status widget's first child (its header) as the kernel last sent it."""
    box = states[data[WIDGET_VIEW]["model_id"]]["state"]
    return states[box["children"][0].removeprefix("IPY_MODEL_")]["state"]["value"]


def test_a_submitted_request_is_a_live_widget_with_html_beside_it(ran):
    cells, states = ran
    assert "submitted (queued); bound to total_request" in stream(cells["no_wait"])  # the magic's line, as before
    data = displayed(cells["no_wait"])
    assert {WIDGET_VIEW, "text/html", "text/plain"} <= set(data)
    assert data["text/plain"].startswith("<Request ") and "total" in data["text/plain"]
    assert "Request " in data["text/html"] and "research: count lines" in data["text/html"]
    assert "queued" in data["text/html"]  # the HTML is the snapshot taken at display time
    assert displayed(cells["released"])["text/plain"] == "'released'"
    # ... while the widget followed the request in the kernel. Its header is read in the kernel: the
    # state nbclient records misses updates the thread sent between two cells (nbclient keeps only
    # messages whose parent is the cell it runs), which a busy machine makes likely.
    header = json.loads(stream(cells["released"]))[data[WIDGET_VIEW]["model_id"]]
    assert "released" in header and "updating live" not in header


def test_a_request_waiting_for_review_is_a_live_widget(ran):
    cells, states = ran
    assert "pending review by the rights holder" in stream(cells["review"])
    data = displayed(cells["review"])
    assert WIDGET_VIEW in data and "pending_review" in data["text/html"]
    header = header_of(states, data)
    assert "pending_review" in header and "updating live" in header


def test_the_catalog_widget_opens_in_the_kernel(ran):
    cells, states = ran
    data = displayed(cells["catalog"])
    box = states[data[WIDGET_VIEW]["model_id"]]
    assert box["model_name"] == "VBoxModel"
    values = [s["state"].get("value", "") for s in states.values()]
    assert any("northwind-scripts" in str(v) for v in values)


def test_no_token_in_outputs_or_widget_state(ran, live_vault):
    cells, states = ran
    shown = json.dumps([c.outputs for c in cells.values()]) + json.dumps(states)
    assert all(token not in shown for token in live_vault.tokens.values())


def test_outside_a_kernel_a_request_is_html_and_text_only(dana):
    request = submit(dana, COUNT, "research: how many lines")
    assert set(request._repr_mimebundle_()) == {"text/plain", "text/html"}
    assert request._repr_mimebundle_()["text/html"] == request._repr_html_()


def test_the_client_does_not_import_ipywidgets():
    code = (
        "import sys, sealroom.client.connection, sealroom.client.requests, sealroom.client.datasets; "
        "assert 'ipywidgets' not in sys.modules and 'sealroom.widgets' not in sys.modules, 'client imported widgets'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
