"""The review panel in a real JupyterLab, in a real browser, against a real vault.

Dana's Sealroom kernel asks for the mean length of Tidewater Press's stories; the license asks for
a human review of every request, so it waits. Tidewater Press signs in to their own JupyterLab
(the Sealroom server extension, configured with their vault token), opens the review panel, sees
the request (code highlighted, requester, purpose, the policy's reason, the dataset), approves it
with a note, and it moves to History. Dana's request is then released: the result is an
aggregate, so the leakage gate lets it leave. Screenshots of the panel (pending, approved) and of the
whole page go to the test artifacts (``review_panel_*.png``).
"""

from __future__ import annotations

import re
from ast import literal_eval

import nbformat
import pytest
from jupyter_support import jupyter_server_for
from playwright.sync_api import Page, expect

import sealroom as sr
from sealroom.demo.workspace import DATA_SCIENTIST

pytestmark = pytest.mark.slow

HOLDER = "tidewater-press"  # owns northwind-stories; its license wants every request reviewed
STORIES = "northwind-stories"
PURPOSE = "research: mean story length"
NOTE = "aggregate lengths are fine for research"
REMOTE = f'%%remote stories={STORIES} --purpose "{PURPOSE}" --name mean_length --timeout 120\nsum(len(s) for s in stories) / len(stories)'
PANEL = "#sealroom-review-panel"


@pytest.fixture(scope="module")
def pending(live_vault, sealroom_kernel) -> str:
    """Dana's kernel submits the request; it stops at the rights holder's review. Returns its id."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(REMOTE), nbformat.v4.new_code_cell("mean_length_request.id, mean_length_request.view['state']")]
    sealroom_kernel.execute(nb, SEALROOM_URL=live_vault.url, SEALROOM_TOKEN=live_vault.tokens[DATA_SCIENTIST])
    [result] = [o for o in nb.cells[1].outputs if o.output_type == "execute_result"]
    request_id, state = literal_eval(result.data["text/plain"])
    assert state == "pending_review", nb.cells[0].outputs
    return request_id


@pytest.fixture(scope="module")
def holder_lab(live_vault, tmp_path_factory):
    """JupyterLab for the rights holder, with the Sealroom server extension and the review panel."""
    root = tmp_path_factory.mktemp("holder-lab")
    with jupyter_server_for(live_vault.url, live_vault.tokens[HOLDER], root=root, app="lab", extra_args=("--LabApp.expose_app_in_browser=True",)) as server:
        yield server


def open_lab(page: Page, server) -> None:
    page.goto(f"{server.url}lab?token={server.token}")
    page.wait_for_selector("#jupyterlab-splash", state="detached")
    page.evaluate("async () => { await window.jupyterapp.restored; }")


def test_rights_holder_approves_in_the_panel_and_the_request_is_released(live_vault, pending, holder_lab, page, artifacts_dir):
    dana = sr.connect(live_vault.url, live_vault.tokens[DATA_SCIENTIST])
    try:
        source = dana.requests[pending].view["source"]
        open_lab(page, holder_lab)
        page.click('li[data-id="sealroom-review-panel"]')
        panel = page.locator(PANEL)
        expect(panel).to_be_visible()
        expect(panel.locator(".jp-SealroomReviewPanel-user")).to_contain_text("Tidewater Press")

        card = panel.locator(f'.jp-SealroomReviewPanel-list[data-tab="pending"] .jp-SealroomReviewCard[data-request-id="{pending}"]')
        expect(card).to_be_visible()
        expect(card.locator(".jp-SealroomReviewCard-function")).to_have_text("mean_length")
        expect(card.locator(".jp-SealroomReviewCard-requester")).to_contain_text(DATA_SCIENTIST)
        expect(card.locator(".jp-SealroomReviewCard-purpose")).to_have_text(PURPOSE)
        expect(card.locator(".jp-SealroomReviewCard-stage")).to_have_text("compute review")
        reason = card.locator('.jp-SealroomReviewCard-decision .jp-SealroomReviewCard-reason[data-policy="review-human-review-required"]')
        expect(reason).to_contain_text("review")
        expect(card.locator(f'.jp-SealroomReviewCard-item[data-dataset="{STORIES}"]')).to_contain_text(re.compile(r"\d+ items?\b"))
        code = card.locator('pre.jp-SealroomReviewCard-code[data-highlighted="true"]')
        expect(code).to_be_visible()
        assert code.text_content() == source
        assert code.locator("span").count() >= 5  # keywords, names, numbers: coloured by CodeMirror's parser
        card.scroll_into_view_if_needed()
        panel.screenshot(path=artifacts_dir / "review_panel_pending.png")
        page.screenshot(path=artifacts_dir / "review_panel_lab.png")  # the panel in JupyterLab, for context

        card.locator("textarea.jp-SealroomReviewCard-note").fill(NOTE)
        card.locator('button[data-action="approve"]').click()
        status = panel.locator(".jp-SealroomReviewPanel-status")
        expect(status).to_have_attribute("data-kind", "success")
        expect(status).to_contain_text(f"Approved mean_length ({pending})")
        expect(card).to_have_count(0)  # gone from Pending

        panel.locator('button[data-tab="history"]').click()
        decided = panel.locator(f'.jp-SealroomReviewPanel-list[data-tab="history"] .jp-SealroomReviewCard[data-request-id="{pending}"]')
        expect(decided).to_be_visible()
        expect(decided.locator(".jp-SealroomReviewCard-review")).to_contain_text(NOTE)

        released = dana.requests[pending].wait(120)
        assert released.view["state"] == "released", released.view
        assert any(r["note"] == NOTE for r in released.view["reviews"])
        assert 0 < float(released.result()) < 100_000  # the mean length of the stories, an aggregate
        expect(decided.locator(".jp-SealroomReviewCard-state")).to_have_text("released", timeout=30_000)  # the panel polls
        panel.screenshot(path=artifacts_dir / "review_panel_approved.png")

        # JupyterLab's "official Jupyter news?" pop-up is turned off by the shipped page config.
        assert page.locator(".Toastify__toast").count() == 0
        assert "@jupyterlab/apputils-extension:announcements" in page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).disabledExtensions"
        )
    finally:
        dana.close()
