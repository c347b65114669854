"""The ``verbatim-text`` check: withholds results that copy runs of licensed text.

Contract
--------
Every ``TextGroup`` of the subject (``strings.text_groups``: each string, plus strings joined per
column / path / row, so a passage split over consecutive cells, rows or list items is caught)
is matched against every ``VerbatimTextIndex`` in the context with the ``GateConfig`` thresholds
(``verbatim_min_words``, ``verbatim_min_chars``, ``whole_item_min_words``; see ``text_index``).
Any match gives ONE finding for the whole subject. Its severity is ``review`` when every copied
run is an entire licensed item shorter than ``whole_item_withhold_words`` (a short common line
such as "I don't know why" that a data scientist's own text may contain by chance: the rights
holder looks before release), and ``withhold`` otherwise:

- public message: how many distinct copied runs and the longest run's length in words, and what
  to do instead. No matched text, no item ids, no index names, no column labels or positions.
- private detail: per match (at most ``MAX_DETAIL_LINES``), the index name, item id, word
  offsets in the item and in the scanned group, the group's location and the matched
  (normalised) text.

With no text indexes in the context the check has nothing to compare and finds nothing: the
caller must pass one index per private asset the job read. A ``whole_item_min_words`` below an
index's ``anchor_words`` makes ``find_matches`` raise, so the gate withholds (fails closed)
rather than silently checking less than configured.

Limit: the public message states the run length, which tells a probing data scientist how much
of a passage matched; cumulative per-user budgets (ARCHITECTURE §6) must count rejected releases.
"""

from __future__ import annotations

from sealroom.core.leakage.findings import Finding
from sealroom.core.leakage.gate import CheckContext, Subject, register_check
from sealroom.core.leakage.strings import text_groups
from sealroom.core.leakage.text_index import QueryText, TextMatch

#: Matches listed in the private detail (the rest are counted).
MAX_DETAIL_LINES = 50


@register_check
class VerbatimTextCheck:
    """Withholds results containing runs of words copied from indexed private text."""

    check_id = "verbatim-text"
    kinds = frozenset({"json", "table", "image", "text"})
    needs_value = True

    def check(self, subject: Subject, context: CheckContext) -> list[Finding]:
        if not context.text_indexes:
            return []
        cfg = context.config
        found: list[tuple[str, str, TextMatch]] = []  # (index name, group location, match)
        for group in text_groups(subject.value):
            query = QueryText.from_text(group.joined())
            for number, index in enumerate(context.text_indexes):
                name = index.name or f"index #{number}"
                for match in index.find_matches(
                    query, min_words=cfg.verbatim_min_words, min_chars=cfg.verbatim_min_chars,
                    whole_item_min_words=cfg.whole_item_min_words,
                ):
                    found.append((name, group.where, match))
        if not found:
            return []
        runs = _distinct_runs(found).values()
        short = all(m.whole_item and m.matched_words < cfg.whole_item_withhold_words and m.matched_words < cfg.verbatim_min_words and m.matched_chars < cfg.verbatim_min_chars for m in runs)
        return [Finding(self.check_id, "review" if short else "withhold", _public_message(found, review=short), _private_detail(found))]


def _distinct_runs(found: list[tuple[str, str, TextMatch]]) -> dict[tuple[str, str, int, int], TextMatch]:
    """One entry per copied passage (the same run seen in several groups counts once)."""
    runs: dict[tuple[str, str, int, int], TextMatch] = {}
    for name, _, match in found:
        key = (name, match.item_id, match.item_start, match.item_end)
        runs.setdefault(key, match)
    return runs


def _public_message(found: list[tuple[str, str, TextMatch]], *, review: bool = False) -> str:
    runs = list(_distinct_runs(found).values())
    longest = max(runs, key=lambda m: m.matched_words)
    whole = " (an entire licensed text item)" if longest.whole_item else ""
    if len(runs) == 1:
        what = f"a {longest.matched_words}-word run{whole} copied from licensed content"
    else:
        what = (f"{len(runs)} runs copied from licensed content, the longest {longest.matched_words} "
                f"words{whole}")
    if review:
        return (f"the result contains {what} (verbatim-text check); it is short, so the rights holder "
                "looks at the result before it is released")
    return (f"the result contains {what} (verbatim-text check); "
            "return aggregates or your own text instead")


def _private_detail(found: list[tuple[str, str, TextMatch]]) -> str:
    lines = []
    for name, where, m in found[:MAX_DETAIL_LINES]:
        lines.append(
            f"{name}: item {m.item_id!r} words {m.item_start}-{m.item_end}"
            f"{' (whole item)' if m.whole_item else ''} = {where} words {m.start}-{m.end} "
            f"({m.matched_words} words, {m.matched_chars} chars): {m.matched_text!r}"
        )
    if len(found) > MAX_DETAIL_LINES:
        lines.append(f"... and {len(found) - MAX_DETAIL_LINES} more matches")
    return "\n".join(lines)
