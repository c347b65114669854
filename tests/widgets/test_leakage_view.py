"""``LeakageReportView`` against a real vault: the release gate's public report as a table — the
finding that withheld a raw script line, with no private text, for the data scientist and for the
rights holder whose view of the request does hold that text."""

from __future__ import annotations

import json
import re

import pytest
from widget_support import COUNT, FIRST_LINE, shown_texts, submit

from sealroom.demo.franchise import build_dialogue
from sealroom.widgets import LeakageReportView


@pytest.fixture(scope="module")
def withheld(dana, studio):
    """The first script line asked for, approved by Harbor Light, withheld by the gate."""
    request = submit(dana, FIRST_LINE)
    studio.requests[request.id].approve("one line is fine")
    request.wait(60)
    assert request.view["state"] == "withheld"
    return request


@pytest.fixture(scope="module")
def private_line() -> str:
    return build_dialogue(2000, seed=7).to_pandas()["line"].iloc[0]


def words(text: str) -> str:
    """Lower case, punctuation dropped: the form the verbatim check matches (and quotes) text in."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def test_withheld_result_lists_the_finding(withheld):
    view = withheld.leakage_widget()
    assert isinstance(view, LeakageReportView)
    assert view.report["released"] is False and view.report["checks_run"] == ["result-size", "verbatim-text"]
    assert "the gate withheld the result" in view.summary.value and "result-size, verbatim-text" in view.summary.value
    assert "1 finding" in view.findings.value
    [row] = view.findings.value.split("<tbody>")[1].split("</tr>")[:-1]
    assert "verbatim-text" in row and ">withhold<" in row and "copied from licensed content" in row


def test_no_private_text_for_the_data_scientist(withheld, private_line):
    shown = " ".join(shown_texts(LeakageReportView(withheld)))
    assert private_line not in shown and words(private_line) not in words(shown)


def test_no_private_text_for_the_rights_holder_whose_view_holds_it(withheld, studio, private_line):
    held = studio.requests[withheld.id]
    detail = held.view["private"]["findings"]["findings"][0]["detail"]  # what the gate matched, quoted
    quoted = detail.rsplit("'", 2)[-2]
    assert quoted == words(private_line)  # the holder's view of the request does carry the line
    shown = " ".join(shown_texts(held.leakage_widget()))
    assert words(private_line) not in words(shown) and detail not in shown and private_line not in shown
    assert "verbatim-text" in shown


def test_released_result_has_no_findings(dana):
    request = submit(dana, COUNT, "research: how many lines").wait(60)
    view = request.leakage_widget()
    assert view.report["released"] is True and "the gate let the result out" in view.summary.value
    assert "No findings: every check passed" in view.findings.value


def test_refused_request_has_no_report_and_says_why(dana):
    request = submit(dana, COUNT, "generative-training: a script writer")
    view = request.leakage_widget()
    assert view.report == {} and view.findings.value == ""
    assert "No leakage report: it was refused before it ran" in view.summary.value


def test_the_view_reads_the_vault_again_without_changing_the_callers_request(dana, studio):
    request = submit(dana, FIRST_LINE)
    view = request.leakage_widget()
    assert "waits for the rights holder" in view.summary.value
    studio.requests[request.id].approve("fine")
    dana.requests[request.id].wait(60)
    view.refresh()
    assert "verbatim-text" in view.findings.value and request.view["state"] == "pending_review"
    assert json.dumps(view.report)  # plain data
