"""The Sealroom kernel against a real vault: a real kernel process, driven by nbclient.

One notebook runs the data scientist's session (connected, allowed, denied, sent to review,
mistaken); a second runs a kernel started without a token. The pure parts of ``%%remote``
(cell -> function source, input specs) and the kernelspec installer are tested directly.
"""

from __future__ import annotations

import json
import sys
from ast import literal_eval

import nbformat
import pytest

from sealroom.core.errors import InvalidInput
from sealroom.demo.workspace import DATA_SCIENTIST
from sealroom.kernel.install import KERNEL_NAME
from sealroom.kernel.kernel import VaultSettings, vault_settings
from sealroom.kernel.magics import cell_function_source, parse_inputs, request_name

DIALOGUE_LINES = 2000  # build_demo_workspace's default

SESSION = {
    "connected": "sorted(ws.datasets), ws.user['name']",
    "allowed": '%%remote plays=northwind-scripts --purpose "research: who speaks most"\nplays.groupby("speaker").size().to_dict()',
    "allowed_value": "type(remote_result).__name__, sum(remote_result.values()), remote_request.view['state']",
    "denied": '%%remote plays=northwind-scripts --purpose "generative-training: x" --name training\nplays.groupby("speaker").size().to_dict()',
    "denied_state": "training_request.view['state'], 'training' in globals()",
    "review": '%%remote plays=northwind-scripts --purpose "research: look at one line" --name first_line\nplays["line"].iloc[0]',
    "review_state": "first_line_request.view['state']",
    "two_inputs": '%%remote plays=northwind-scripts cast=northwind-scripts:cast --purpose "research: sizes" --name sizes\n{"lines": len(plays), "cast": len(cast)}',
    "unknown": "%%remote plays=no-such-dataset --purpose research\nlen(plays)",
    "unknown_asset": "%%remote cast=northwind-scripts:nope --purpose research\nlen(cast)",
    "no_token_in_env": "import os; 'SEALROOM_TOKEN' in os.environ",
}
MAY_FAIL = {"unknown", "unknown_asset"}


def run_notebook(cells: dict[str, str], sealroom_kernel, **variables: str) -> dict[str, dict]:
    """Execute the cells in a fresh ``sealroom`` kernel; returns each cell by key."""
    nb = nbformat.v4.new_notebook()
    for key, source in cells.items():
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["raises-exception"] if key in MAY_FAIL else []}))
    sealroom_kernel.execute(nb, **variables)
    return dict(zip(cells, nb.cells))


def text(cell) -> str:
    """Everything a cell showed, as text (streams, plain-text results, error lines)."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(output.data.get("text/plain", ""))
        elif output.output_type == "error":
            parts.extend(output.traceback)
    return "\n".join(parts)


def result(cell) -> str:
    return next(o.data["text/plain"] for o in cell.outputs if o.output_type == "execute_result")


@pytest.fixture(scope="module")
def session(live_vault, sealroom_kernel):
    token = live_vault.tokens[DATA_SCIENTIST]
    cells = run_notebook(SESSION, sealroom_kernel, SEALROOM_URL=live_vault.url, SEALROOM_TOKEN=token)
    return cells, token


def test_kernel_starts_connected_as_the_data_scientist(session):
    cells, _ = session
    names, user = literal_eval(result(cells["connected"]))
    assert "northwind-scripts" in names and user == DATA_SCIENTIST


def test_allowed_cell_is_released_and_bound(session):
    cells, _ = session
    assert "released; the result is bound to remote_result" in text(cells["allowed"])
    assert literal_eval(result(cells["allowed"])).keys()  # the released dict is the cell's output
    assert literal_eval(result(cells["allowed_value"])) == ("dict", DIALOGUE_LINES, "released")


def test_denied_cell_shows_the_public_reason_without_traceback(session):
    cells, _ = session
    shown = text(cells["denied"])
    assert "was not run: refused by policy" in shown and "opted this dataset out of generative AI training" in shown
    assert all(o.output_type != "error" for o in cells["denied"].outputs) and "Traceback" not in shown
    assert literal_eval(result(cells["denied_state"])) == ("rejected", False)


def test_raw_line_goes_to_review_and_says_so(session):
    cells, _ = session
    assert "pending review by the rights holder" in text(cells["review"])
    assert "first_line_request.wait()" in text(cells["review"])
    assert literal_eval(result(cells["review_state"])) == "pending_review"


def test_named_assets_are_inputs(session):
    cells, _ = session
    assert "released; the result is bound to sizes (signed receipt: sizes_request.receipt)" in text(cells["two_inputs"])
    assert literal_eval(result(cells["two_inputs"]))["lines"] == DIALOGUE_LINES


@pytest.mark.parametrize(("key", "message"), [
    ("unknown", "no dataset named 'no-such-dataset'"), ("unknown_asset", "dataset 'northwind-scripts' has no asset 'nope'"),
])
def test_unknown_dataset_or_asset_is_one_clear_line(session, key, message):
    cells, _ = session
    errors = [o for o in cells[key].outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "NotFound"
    assert len(errors[0].traceback) == 1 and message in errors[0].traceback[0]
    assert "Traceback" not in text(cells[key])


def test_token_is_never_shown_nor_left_in_the_environment(session):
    cells, token = session
    assert literal_eval(result(cells["no_token_in_env"])) is False
    assert token not in json.dumps([cell.outputs for cell in cells.values()])


def test_kernel_without_token_starts_and_remote_says_what_to_set(live_vault, sealroom_kernel):
    cells = {"ws_bound": "'ws' in globals(), sr.__name__", "unknown": "%%remote plays=northwind-scripts --purpose research\nlen(plays)"}
    ran = run_notebook(cells, sealroom_kernel, SEALROOM_URL=live_vault.url)
    assert literal_eval(result(ran["ws_bound"])) == (False, "sealroom")
    [error] = [o for o in ran["unknown"].outputs if o.output_type == "error"]
    assert len(error.traceback) == 1 and "SEALROOM_URL and SEALROOM_TOKEN" in error.traceback[0]
    assert "SEALROOM_TOKEN was not set" in error.traceback[0]


# -- the parts that need no kernel ---------------------------------------------------------------
def test_cell_body_becomes_a_function_returning_its_last_expression():
    source = cell_function_source("counts = plays.groupby('speaker').size()\ncounts.to_dict()\n", "lines", ["plays", "cast"])
    assert source == "def lines(plays, cast):\n    counts = plays.groupby('speaker').size()\n    return counts.to_dict()\n"
    assert cell_function_source("x = 1\n", "f", ["p"]) == "def f(p):\n    x = 1\n"


@pytest.mark.parametrize("body", ["", "# only a comment\n", "def (:\n"])
def test_empty_or_invalid_cells_are_refused(body):
    with pytest.raises(InvalidInput):
        cell_function_source(body, "f", ["p"])


def test_input_specs():
    assert parse_inputs(["plays=northwind-scripts", "s=northwind-stories:tales"]) == {
        "plays": ("northwind-scripts", None), "s": ("northwind-stories", "tales"),
    }
    for bad in (["plays"], ["1x=ds"], ["class=ds"], ["p=ds", "p=other"], [], ["p="]):
        with pytest.raises(InvalidInput):
            parse_inputs(bad)
    assert request_name("remote_result") == "remote_request" and request_name("lines") == "lines_request"


def test_vault_settings_take_the_token_out_of_the_environment():
    environ = {"SEALROOM_URL": "http://vault:1", "SEALROOM_TOKEN": "sr_secret"}
    settings = vault_settings(environ)
    assert settings == VaultSettings(url="http://vault:1", token="sr_secret") and "SEALROOM_TOKEN" not in environ
    assert "sr_secret" not in repr(settings)
    assert vault_settings({}) == VaultSettings(url="http://127.0.0.1:8765", token="")


def test_kernelspec_runs_this_interpreter_and_holds_no_secret(sealroom_kernel):
    spec = json.loads((sealroom_kernel.spec / "kernel.json").read_text())
    assert sealroom_kernel.spec.name == KERNEL_NAME
    assert spec["argv"] == [sys.executable, "-m", "sealroom.kernel.confine", "-f", "{connection_file}"]
    assert spec["display_name"] == "Sealroom" and spec["language"] == "python"
    assert not any("TOKEN" in key or "SECRET" in key for key in spec.get("env", {}))
