"""Review cards from vault views: who must still review, pending/history, the version (no I/O)."""

from __future__ import annotations

import pytest

from sealroom.jupyter_extension import cards
from sealroom.jupyter_extension.handlers import MAX_NOTE_CHARS, _note
from sealroom.core.errors import InvalidInput

ME = {"name": "studio", "display_name": "The Studio", "role": "rights_holder", "org": "Studio"}
DATASETS = [
    {"name": "scripts", "owner": "studio", "assets": [{"name": "lines", "items_root": "r1", "n_items": 20}]},
    {"name": "stories", "owner": "press", "assets": [{"name": "tales", "items_root": "r2", "n_items": 7}]},
]


def reviewer(me: dict = ME) -> cards.Reviewer:
    return cards.Reviewer.from_vault(me, DATASETS)


def view(state="pending_review", *, datasets=("scripts",), outcomes=None, release=None, reviews=(), created="2026-01-01T10:00:00", updated="2026-01-01T10:00:01", rid="r1") -> dict:
    outcomes = {d: "review" for d in datasets} if outcomes is None else outcomes
    return {
        "id": rid, "state": state, "function_name": "f", "source": "def f(x):\n    return 1\n", "purpose": "research",
        "datasets": list(datasets), "requester": {"name": "dana", "display_name": "Dana", "extra": "not shown"},
        "inputs_bound": {"x": {"dataset": "scripts", "dataset_id": "d1", "asset": "lines", "kind": "table", "items_root": "r1"},
                         "y": {"dataset": "scripts", "dataset_id": "d1", "asset": "lines", "kind": "table", "items_root": "r1"},
                         "z": {"dataset": "stories", "dataset_id": "d2", "asset": "tales", "kind": "texts", "items_root": "old"}},
        "decision": {"outcome": "review", "reasons": ["public line"]},
        "decision_record": {"outcome": "review", "datasets": outcomes,
                            "reasons": [{"policy_id": "p1", "reason": "why", "effect": "review", "public": False, "dataset": "scripts", "source": "workspace"}]},
        "release_decision": release, "reviews": list(reviews), "public_reason": "", "result": None,
        "created_at": created, "updated_at": updated,
    }


def test_card_carries_the_contract_fields():
    card = cards.card(view(), reviewer())
    assert set(card) >= {"id", "state", "stage", "function_name", "source", "purpose", "requester", "datasets", "items", "decision",
                         "release_decision", "reviews", "result_preview", "must_review", "created_at", "updated_at"}
    assert card["requester"] == {"name": "dana", "display_name": "Dana"}
    assert card["decision"] == {"outcome": "review", "reasons": [{"policy": "p1", "reason": "why", "effect": "review", "dataset": "scripts"}], "datasets": {"scripts": "review"}}
    assert card["items"] == [  # one entry per asset version; a changed asset has no count
        {"dataset": "scripts", "asset": "lines", "items_root": "r1", "item_count": 20},
        {"dataset": "stories", "asset": "tales", "items_root": "old", "item_count": None},
    ]
    assert (card["stage"], card["release_decision"], card["result_preview"]) == ("compute", None, None)


@pytest.mark.parametrize(("case", "expected"), [
    (dict(), True),
    (dict(state="queued"), False),
    (dict(datasets=("stories",)), False),  # not my dataset
    (dict(datasets=("scripts", "stories"), outcomes={"scripts": "allow", "stories": "review"}), False),  # only the press must review
    (dict(datasets=("scripts", "stories"), outcomes={"scripts": "review", "stories": "review"}), True),
    (dict(datasets=("scripts", "stories"), outcomes={}), True),  # no per-dataset record: every owner reviews
    (dict(reviews=[{"reviewer": "The Studio", "verdict": "approve", "note": "", "at": "2026-01-01T10:00:02"}]), False),
    (dict(reviews=[{"reviewer": "The Press", "verdict": "approve", "note": "", "at": "2026-01-01T10:00:02"}]), True),
])
def test_must_review_at_the_compute_stage(case, expected):
    assert cards.must_review(view(**case), reviewer()) is expected


def test_must_review_at_the_release_stage_counts_only_release_verdicts():
    compute_ok = {"reviewer": "The Studio", "verdict": "approve", "note": "", "at": "2026-01-01T10:00:02"}
    release = {"outcome": "review", "datasets": {"scripts": "review"}, "reasons": []}
    waiting = dict(state="release_review", release=release, updated="2026-01-01T10:05:00+00:00")
    assert cards.must_review(view(**waiting, reviews=[compute_ok]), reviewer()) is True
    release_ok = {"reviewer": "The Studio", "verdict": "approve", "note": "", "at": "2026-01-01T10:05:01"}  # naive = UTC
    assert cards.must_review(view(**waiting, reviews=[compute_ok, release_ok]), reviewer()) is False
    assert cards.must_review(view(**waiting, reviews=[{**compute_ok, "stage": "release"}]), reviewer()) is False  # a stage the vault states wins
    only_press = {**release, "datasets": {"scripts": "allow", "stories": "review"}}
    assert cards.must_review(view(**{**waiting, "release": only_press}, datasets=("scripts", "stories")), reviewer()) is False
    assert cards.card(view(**waiting), reviewer())["stage"] == "release"


def test_only_rights_holders_must_review():
    assert cards.must_review(view(), reviewer({**ME, "role": "admin"})) is False
    assert cards.must_review(view(), reviewer({**ME, "role": "data_scientist"})) is False


def test_split_orders_pending_oldest_first_and_history_newest_first_capped():
    done = [view("released", rid=f"h{i:03d}", created=f"2026-01-01T10:{i // 60:02d}:{i % 60:02d}") for i in range(cards.HISTORY_LIMIT + 5)]
    waiting = [view(rid="p2", created="2026-01-02T00:00:00"), view(rid="p1", created="2026-01-01T00:00:00+00:00")]
    pending, history = cards.split([*done, *waiting, waiting[0]], reviewer())
    assert [c["id"] for c in pending] == ["p1", "p2"]
    assert len(history) == cards.HISTORY_LIMIT and history[0]["id"] == f"h{cards.HISTORY_LIMIT + 4:03d}"


def test_version_changes_with_the_content():
    pending, history = cards.split([view()], reviewer())
    before = cards.version(pending, history)
    assert before == cards.version(*cards.split([view()], reviewer()))
    assert before != cards.version(*cards.split([view(updated="2026-01-01T11:00:00")], reviewer()))


def test_notes_follow_the_vaults_rules():
    assert _note(b"") == "" and _note(b"{}") == ""
    assert _note(b'{"note": "  ok  ", "as": "someone"}') == "ok"
    assert _note(('{"note": "' + "x" * (MAX_NOTE_CHARS + 10) + '"}').encode()) == "x" * MAX_NOTE_CHARS
    for bad in (b"approve", b'["note"]', b'{"note": 5}', b'{"note": null}'):
        with pytest.raises(InvalidInput):
            _note(bad)
