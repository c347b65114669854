"""Evaluation with a protector: suppression, rounding, margins, post-aggregates after protection."""

from __future__ import annotations

from graph_builders import CAST, LINES, graph, node
import numpy as np
import pandas as pd
import pytest

from sealroom.core.disclosure.cells import CellTable, Protection, Statistic
from sealroom.core.errors import InvalidInput
from sealroom.core.graph import evaluate



class SmallCells:
    """A stand-in for disclosure control: cells with fewer than 10 items are suppressed, counts
    are rounded to a multiple of 5 (never to 0), extremes are always suppressed."""

    def __init__(self, min_items: int = 10) -> None:
        self.min_items = min_items
        self.seen: list[CellTable] = []

    def protect(self, cells: CellTable) -> Protection:
        self.seen.append(cells)
        empty = np.isnan(cells.value)
        suppressed = ~empty & ((cells.items < self.min_items) | (cells.statistic == Statistic.EXTREME))
        value = cells.value.copy()
        count = cells.statistic == Statistic.COUNT
        value[count] = np.maximum(np.floor(value[count] / 5 + 0.5) * 5, 5)
        value[suppressed] = np.nan
        reasons = tuple(("min-items",) if s else () for s in suppressed)
        return Protection(suppressed=suppressed, reasons=reasons, value=value, rounded=True)






def _small_groups(dialogue):
    """Scenes 1..17 of season 1: the late scene numbers hold few lines."""
    return dialogue[dialogue["season"] == 1].groupby("scene").size()


def test_small_groups_are_dropped_and_counts_rounded(sources, dialogue):
    query = graph(LINES, node("m", "column", ["L"], name="season"), node("k", "compare", ["m"], op="eq", value=1), node("f", "filter", ["L", "k"]),
                node("g", "groupby", ["f"], by="scene"), node("a", "gb_agg", ["g"], func="size"))
    exact = _small_groups(dialogue)
    protector = SmallCells(min_items=60)
    result = evaluate(query, sources, protector=protector)
    kept = exact[exact >= 60]
    assert 0 < len(kept) < len(exact)
    assert list(result.value.index) == list(kept.index)  # labels of small groups never appear
    assert (result.value % 5 == 0).all() and result.value.dtype == np.int64
    assert (abs(result.value - kept) <= 2).all()
    (trace,) = result.aggregates
    assert trace.protection.n_suppressed == len(exact) - len(kept)
    assert not trace.coverage.released[trace.protection.suppressed].any()


def test_sort_and_head_run_after_suppression(sources, dialogue):
    query = graph(LINES, node("m", "column", ["L"], name="season"), node("k", "compare", ["m"], op="eq", value=1), node("f", "filter", ["L", "k"]),
                node("c", "column", ["f"], name="scene"), node("v", "value_counts", ["c"]), node("s", "sort_values", ["v"], ascending=True),
                node("h", "head", ["s"], n=3))
    result = evaluate(query, sources, protector=SmallCells(min_items=60))
    exact = _small_groups(dialogue)
    assert len(result.value) == 3 and set(result.value.index) <= set(exact[exact >= 60].index)
    assert result.value.is_monotonic_increasing


def test_crosstab_margins_are_recomputed_from_the_remaining_cells(sources, dialogue):
    query = graph(LINES, node("a", "column", ["L"], name="speaker"), node("b", "column", ["L"], name="location"),
                node("x", "crosstab", ["a", "b"], margins=True))
    result = evaluate(query, sources, protector=SmallCells(min_items=12)).value
    exact = pd.crosstab(dialogue["speaker"], dialogue["location"], margins=True)
    inner = result.drop(index="All", columns="All")
    assert inner.isna().any().any()  # some cells were suppressed
    np.testing.assert_allclose(result["All"].drop("All").to_numpy(), inner.sum(axis=1).to_numpy())
    np.testing.assert_allclose(result.loc["All"].drop("All").to_numpy(), inner.sum(axis=0).to_numpy())
    assert result.loc["All", "All"] == inner.sum().sum()
    assert result.loc["All", "All"] != exact.loc["All", "All"]  # the margin no longer reveals the suppressed cells
    visible = inner.stack().dropna()
    assert (visible % 5 == 0).all()


def test_all_suppressed_rows_and_columns_are_dropped(sources, dialogue):
    query = graph(LINES, node("p", "pivot_table", ["L"], values="scene", index="speaker", columns="season", aggfunc="mean"))
    protector = SmallCells(min_items=40)
    result = evaluate(query, sources, protector=protector).value
    counts = pd.crosstab(dialogue["speaker"], dialogue["season"])
    assert set(result.index) == set(counts.index[(counts >= 40).any(axis=1)])
    assert set(result.columns) == set(counts.columns[(counts >= 40).any(axis=0)])
    exact = dialogue.pivot_table(values="scene", index="speaker", columns="season", aggfunc="mean")
    shown = result.stack().dropna()
    np.testing.assert_allclose(shown.to_numpy(), exact.stack().loc[shown.index].to_numpy())  # means are not rounded


def test_items_not_rows_decide_suppression(sources, dialogue, cast):
    """Cast rows repeated once per spoken line: many rows, few items, so the counts are suppressed."""
    query = graph(LINES, CAST, node("m", "merge", ["C", "L"], left_on="name", right_on="speaker"), node("c", "column", ["m"], name="faction"),
                node("v", "value_counts", ["c"]))
    rows = evaluate(query, sources).value
    assert (rows >= 10).all()  # every faction has plenty of (repeated) rows
    assert evaluate(query, sources, protector=SmallCells()).value.empty


def test_describe_drops_extremes_and_scalars_become_nan(sources):
    query = graph(LINES, node("c", "column", ["L"], name="scene"), node("d", "describe", ["c"]))
    described = evaluate(query, sources, protector=SmallCells()).value
    assert list(described.index) == ["count", "mean", "std", "25%", "50%", "75%"]
    top = graph(LINES, node("c", "column", ["L"], name="scene"), node("d", "agg", ["c"], func="max"))
    assert np.isnan(evaluate(top, sources, protector=SmallCells()).value)


def test_value_counts_normalises_the_published_counts(sources, dialogue):
    query = graph(LINES, node("c", "column", ["L"], name="location"), node("v", "value_counts", ["c"], normalize=True))
    result = evaluate(query, sources, protector=SmallCells()).value
    assert result.name == "proportion" and result.sum() == pytest.approx(1.0)
    assert result.is_monotonic_decreasing


def test_histogram_on_private_data_needs_a_range(sources):
    column = [LINES, node("c", "column", ["L"], name="scene")]
    with pytest.raises(InvalidInput, match="needs range=.* would reveal its minimum and maximum"):
        evaluate(graph(*column, node("h", "histogram", ["c"], bins=10)), sources, protector=SmallCells())
    counts, edges = evaluate(graph(*column, node("h", "histogram", ["c"], bins=4, range=[0, 20])), sources, protector=SmallCells()).value
    assert len(edges) == 5 and (counts % 5 == 0).all()


def test_shape_rows_are_a_protected_count(sources):
    query = graph(LINES, node("c", "column", ["L"], name="scene"), node("k", "compare", ["c"], op="gt", value=16), node("f", "filter", ["L", "k"]),
                node("s", "shape", ["f"]))
    rows = evaluate(query, sources).value[0]
    protected = evaluate(query, sources, protector=SmallCells(min_items=rows + 1)).value
    assert protected == (None, 9)


def test_a_protector_answering_the_wrong_length_is_an_error(chain, lines_source, sources):
    class Broken:
        def protect(self, cells):
            return Protection(suppressed=np.zeros(1, bool), reasons=((),), value=np.zeros(1))

    with pytest.raises(ValueError, match="answered for 1 cells"):
        evaluate(chain(lines_source, ("column", {"name": "speaker"}), ("value_counts", {})), sources, protector=Broken())
