"""``ReviewView`` against a real vault: a rights holder sees the requests waiting on their datasets
and approves or denies them with the buttons (checked in the vault); a refusal is a line in the
widget; a data scientist gets no buttons and a message saying why."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from widget_support import FIRST_LINE, all_widgets, submit

from sealroom.widgets import ReviewView


REVIEWS = {  # verdict: (the note, the verb in the message, the state the message names)
    "approve": ("one line for a close reading is fine", "approved", "queued"),
    "deny": ("ask for counts per speaker instead", "denied", "rejected"),
}


def option_ids(view: ReviewView) -> list[str]:
    return [request_id for _label, request_id in view.picker.options]


def test_the_holder_sees_the_waiting_requests_oldest_selected(dana, studio):
    first, second = submit(dana, FIRST_LINE), submit(dana, FIRST_LINE, "research: a second line")
    view = studio.review_widget()
    assert isinstance(view, ReviewView)
    ids = option_ids(view)
    assert first.id in ids and second.id in ids and ids.index(first.id) < ids.index(second.id)
    assert view.picker.value == ids[0] and not view.approve_button.disabled
    view.picker.value = second.id
    details = view.details.value
    assert "Dana (data scientist)" in details and "research: a second line" in details
    assert "def first_line(plays):" in details and "review-non-aggregate-output" in details
    assert "Harbor Light Studios" in view.header.value


@pytest.mark.parametrize("verdict", list(REVIEWS))
def test_the_buttons_review_in_the_vault_with_the_note(dana, studio, verdict):
    note, verb, state = REVIEWS[verdict]
    request = submit(dana, FIRST_LINE)
    view = studio.review_widget()
    view.picker.value = request.id
    view.note.value = note
    getattr(view, f"{verdict}_button").click()
    seen = dana.requests[request.id].view  # as the data scientist reads it
    assert [(r["verdict"], r["note"]) for r in seen["reviews"]] == [(verdict, note)]
    assert seen["state"] != "pending_review"
    if verdict == "deny":
        assert seen["state"] == "rejected" and seen["public_reason"] == f"denied by the rights holder: {note}"
    assert f"You {verb} request {request.id}" in view.message.value and state in view.message.value
    assert request.id not in option_ids(view) and view.note.value == ""


def test_a_refusal_from_the_vault_is_one_line(dana, studio):
    request = submit(dana, FIRST_LINE)
    view = studio.review_widget()
    view.picker.value = request.id
    studio.requests[request.id].approve("approved elsewhere first")  # the widget's list is now stale
    view.deny_button.click()
    assert "was not denied: InvalidInput: you already approved this request" in view.message.value
    assert "\n" not in view.message.value
    assert dana.requests[request.id].view["state"] != "rejected"


def test_refresh_button_reads_the_queue_again(dana, studio):
    view = studio.review_widget()
    request = submit(dana, FIRST_LINE)
    assert request.id not in option_ids(view)
    view.refresh_button.click()
    assert request.id in option_ids(view)


def test_another_holder_does_not_see_requests_on_the_scripts(dana, press):
    request = submit(dana, FIRST_LINE)
    view = press.review_widget()
    assert request.id not in option_ids(view) and option_ids(view) == []
    assert view.approve_button.disabled and view.deny_button.disabled
    assert "Nothing waits for your review" in view.details.value


def test_a_data_scientist_gets_no_buttons_and_is_told_why(dana):
    submit(dana, FIRST_LINE)
    view = dana.review_widget()
    assert not [w for w in all_widgets(view) if isinstance(w, (widgets.Button, widgets.Textarea, widgets.Select))]
    assert view.approve_button is None and view.deny_button is None and view.picker is None
    assert "Only rights holders review requests" in view.header.value and "dana (data_scientist)" in view.header.value
