"""The evaluator: value kinds, cell facts (distinct items and holders, magnitudes), coverage, limits."""

from __future__ import annotations

import re
import time
from dataclasses import replace

from graph_builders import CAST, DS, LINES, graph, node
import numpy as np
import pandas as pd
import pytest

from sealroom.core.disclosure.cells import Statistic
from sealroom.core.disclosure.protect import protect
from sealroom.core.disclosure.rules import DisclosureRules
from sealroom.core.errors import InvalidInput
from sealroom.core.graph import SourceData, evaluate, ops_frame
from sealroom.core.graph.facts import Block, _second_largest, cell_facts
from sealroom.core.graph.provenance import Provenance







def test_shapes_of_answers(chain, lines_source, sources):
    assert evaluate(chain(lines_source, ("columns", {"names": ["line"]}), ("head", {"n": 2})), sources).shape == "rows"
    assert evaluate(chain(lines_source, ("column", {"name": "speaker"}), ("value_counts", {}), ("head", {"n": 2})), sources).shape == "aggregate"
    assert evaluate(chain(lines_source, ("dtypes", {})), sources).shape == "metadata"
    assert evaluate(chain(lines_source, ("shape", {})), sources).shape == "aggregate"


def test_facts_of_a_groupby_mean(chain, lines_source, sources, dialogue):
    query = chain(lines_source, ("groupby", {"by": "speaker"}), ("gb_column", {"names": ["scene"]}), ("gb_agg", {"func": "mean"}))
    result = evaluate(query, sources, trace=True)
    (trace,) = result.aggregates
    cells = trace.cells
    groups = dialogue.groupby("speaker")
    assert trace.op == "gb_agg" and trace.protection is None and cells.aggregate == "mean"
    assert (cells.statistic == Statistic.MAGNITUDE).all()
    np.testing.assert_allclose(cells.value, groups["scene"].mean().to_numpy())
    np.testing.assert_array_equal(cells.items, groups.size().to_numpy())
    np.testing.assert_array_equal(cells.rows, groups.size().to_numpy())
    np.testing.assert_array_equal(cells.holders, np.full(len(cells), 3))
    np.testing.assert_allclose(cells.total, groups["scene"].sum().to_numpy())
    np.testing.assert_allclose(cells.sum, groups["scene"].sum().to_numpy())
    np.testing.assert_allclose(cells.top1, groups["scene"].max().to_numpy())
    second = groups["scene"].apply(lambda s: s.nlargest(2).iloc[-1]).to_numpy()
    assert (cells.top2 >= second).all()  # no cell is dominated, so top2 is the cheap bound (see the next test)
    assert sorted(trace.coverage.items.tolist()) == list(range(len(dialogue)))
    assert trace.coverage.released.all() and trace.coverage.cells.max() == len(cells) - 1


def test_second_largest_is_exact_where_the_screen_does_not_settle_dominance():
    """top2 is exact for cells whose largest contribution is >= 45% of the total; elsewhere the
    bound min(top1, total - top1) gives the same decisions under the default rules."""
    rng = np.random.default_rng(5)
    cells = np.repeat(np.arange(4), 50)
    values = rng.uniform(1, 10, size=200)
    values[0] = 5_000.0      # cell 0: one item dominates
    values[50:52] = 700.0, 500.0  # cell 1: two items hold most of it (not settled by the screen)
    values[100] = 80.0       # cell 2: 80 of ~350: passes the screen
    prov = Provenance.of_source(("d", "a"), SourceData("table", pd.DataFrame({"v": values})))
    table, _ = cell_facts("sum", np.full(4, "magnitude"), np.bincount(cells, values), [Block(cells, (("d", "a"),), measure=values)], prov)
    exact = _second_largest(cells, values, table.top1, 4)
    screened = table.top1 < 0.45 * table.total
    np.testing.assert_allclose(table.top2[~screened], exact[~screened])
    assert (table.top2[screened] >= exact[screened]).all() and screened.tolist() == [False, False, True, True]
    rules = DisclosureRules(min_items=10)
    assert (protect(table, rules).suppressed == protect(replace(table, top2=exact), rules).suppressed).all()
    assert protect(table, rules).suppressed.tolist() == [True, False, False, False]


def test_without_protector_or_trace_no_facts_are_computed(chain, lines_source, sources):
    query = chain(lines_source, ("column", {"name": "speaker"}), ("value_counts", {}))
    assert evaluate(query, sources).aggregates == []


def test_items_are_distinct_items_not_rows(sources, cast, dialogue):
    """A merge that repeats cast rows (one per line spoken) does not inflate the cast's items."""
    query = graph(LINES, CAST, node("m", "merge", ["C", "L"], left_on="name", right_on="speaker"),
                node("g", "groupby", ["m"], by="faction"), node("s", "gb_column", ["g"], names=["first_episode"]),
                node("a", "gb_agg", ["s"], func="nunique"))
    (trace,) = evaluate(query, sources, trace=True).aggregates
    expected = cast.groupby("faction").size()
    np.testing.assert_array_equal(trace.cells.items, expected.to_numpy())  # cast rows per faction, not lines
    assert (trace.cells.rows > trace.cells.items).all()
    assert set(trace.coverage.items.tolist()) <= set(range(len(dialogue), len(dialogue) + len(cast)))  # dataset-wide indices
    size = graph(LINES, CAST, node("m", "merge", ["C", "L"], left_on="name", right_on="speaker"), node("g", "groupby", ["m"], by="faction"),
               node("a", "gb_agg", ["g"], func="size"))
    (trace,) = evaluate(size, sources, trace=True).aggregates
    np.testing.assert_array_equal(trace.cells.items, expected.to_numpy())  # counts count the primary (left) asset's items


def test_a_lookup_column_counts_the_lookup_tables_items(sources, dialogue, cast):
    query = graph(LINES, CAST, node("m", "merge", ["L", "C"], left_on="speaker", right_on="name"),
                node("g", "groupby", ["m"], by="season"), node("s", "gb_column", ["g"], names=["role"]), node("a", "gb_agg", ["s"], func="nunique"))
    (trace,) = evaluate(query, sources, trace=True).aggregates
    merged = dialogue.merge(cast, left_on="speaker", right_on="name")
    np.testing.assert_array_equal(trace.cells.items, merged.groupby("season")["name"].nunique().to_numpy())


def test_magnitudes_sum_contributions_per_item(sources):
    """Joined rows of one cast item add up into one contribution (top1 is per item, not per row)."""
    query = graph(LINES, CAST, node("m", "merge", ["L", "C"], left_on="speaker", right_on="name"), node("k", "column", ["m"], name="name"),
                node("n", "str_len", ["k"]), node("a", "agg", ["n"], func="sum"))
    (trace,) = evaluate(query, sources, trace=True).aggregates
    lines = sources[(DS, "dialogue")].value
    per_item = (lines["speaker"].str.len() * 1).groupby(lines["speaker"]).sum().sort_values()
    assert trace.cells.items[0] == lines["speaker"].nunique() and trace.cells.rows[0] == len(lines)
    assert trace.cells.top1[0] == per_item.iloc[-1] and trace.cells.top2[0] >= per_item.iloc[-2]
    assert trace.cells.total[0] == per_item.sum() == trace.cells.value[0]


def test_coverage_uses_dataset_wide_item_indices(chain, sources, dialogue):
    query = chain(("source", {"dataset": DS, "asset": "cast"}), ("column", {"name": "faction"}), ("value_counts", {}))
    (trace,) = evaluate(query, sources, trace=True).aggregates
    assert trace.coverage.items.min() == len(dialogue)


def test_deadline(chain, lines_source, sources):
    query = chain(lines_source, ("column", {"name": "speaker"}), ("value_counts", {}))
    with pytest.raises(InvalidInput, match="took longer than .* s; narrow it"):
        evaluate(query, sources, deadline=time.monotonic() - 1)


def test_merge_row_limit_counts_before_merging(sources, monkeypatch):
    monkeypatch.setattr(ops_frame, "MAX_MERGE_ROWS", 1000)
    query = graph(LINES, CAST, node("m", "merge", ["L", "C"], left_on="speaker", right_on="name"))
    with pytest.raises(InvalidInput) as caught:
        evaluate(query, sources)
    assert "more than 1,000 rows" in caught.value.public_message and "2000" not in caught.value.public_message
    assert caught.value.detail == "2000 rows"


def test_regex_never_runs_through_python_re(sources, monkeypatch):
    objects = pd.DataFrame({"text": pd.Series(["Sea and sea", None, "no"], dtype=object)})
    data = {("d", "t"): SourceData("table", objects)}

    def refuse(*args, **kwargs):
        raise AssertionError("Python re was used on private text")

    query = graph(node("s", "source", [], dataset="d", asset="t"), node("c", "column", ["s"], name="text"),
                node("k", "str_count", ["c"], pattern="[Ss]ea"), node("x", "str_contains", ["c"], pattern="SEA", case=False),
                node("a", "assign", ["s", "k", "x"], names=["k", "x"]))
    for name in ("compile", "search", "match", "findall", "finditer", "fullmatch", "sub", "split"):
        monkeypatch.setattr(re, name, refuse)
    frame = evaluate(query, data).value
    monkeypatch.undo()
    assert frame["k"].tolist()[0] == 2 and np.isnan(frame["k"].tolist()[1]) and frame["x"].tolist() == [True, False, False]


def test_images_must_share_a_size():
    with pytest.raises(InvalidInput, match="differ in size"):
        SourceData.from_input("images", [np.zeros((4, 4, 3), np.uint8), np.zeros((5, 4, 3), np.uint8)])
    data = SourceData.from_input("images", [np.zeros((4, 4, 3), np.uint8)] * 3)
    assert data.value.shape == (3, 4, 4, 3)


def test_array_reductions_have_dense_cells():
    art = np.arange(5 * 2 * 2 * 3, dtype=np.uint8).reshape(5, 2, 2, 3)
    query = graph(node("a", "source", [], dataset="art", asset="p"), node("r", "reduce", ["a"], func="sum", axis=[0, 1, 2]))
    result = evaluate(query, {("art", "p"): SourceData("images", art, item_offset=7)}, trace=True)
    np.testing.assert_array_equal(result.value, art.sum(axis=(0, 1, 2)))
    cells = result.aggregates[0].cells
    assert len(cells) == 3 and (cells.items == 5).all()
    per_item = art.astype(float).sum(axis=(1, 2))
    np.testing.assert_allclose(cells.top1, per_item.max(axis=0))
    np.testing.assert_allclose(cells.top2, np.sort(per_item, axis=0)[-2])
    assert set(result.aggregates[0].coverage.items.tolist()) == set(range(7, 12))


def test_missing_columns_and_sources_are_named(chain, lines_source, sources):
    with pytest.raises(InvalidInput, match="no column named 'nope'; the columns are: season"):
        evaluate(chain(lines_source, ("column", {"name": "nope"})), sources)
    with pytest.raises(InvalidInput, match="no asset 'gone'"):
        evaluate(chain(("source", {"dataset": DS, "asset": "gone"})), sources)
    with pytest.raises(InvalidInput, match="needs a numeric column; 'line' holds str"):
        evaluate(chain(lines_source, ("column", {"name": "line"}), ("agg", {"func": "mean"})), sources)
    with pytest.raises(InvalidInput, match="a groupby is not a value"):
        evaluate(chain(lines_source, ("groupby", {"by": "speaker"})), sources)


def test_text_group_keys_are_encoded_once_per_column_and_dropped_with_it():
    """``TextCodes`` keeps the codes of a large Arrow text column while the column lives."""
    import gc

    from sealroom.core.graph.keys import TextCodes, factorize

    codes_cache = TextCodes(min_rows=10)
    column = pd.Series(["b", "a", None, "b"] * 5, dtype="str")
    chunked = column.array._pa_array
    first = codes_cache.encode(chunked, sort=True)
    assert codes_cache.encode(chunked, sort=True)[0] is first[0]  # the same array: computed once
    assert not first[0].flags.writeable  # shared between queries, so nobody may change it
    assert first[0].tolist()[:4] == [1, 0, -1, 1] and first[1].to_pylist() == ["a", "b"]
    assert codes_cache.encode(chunked, sort=False)[1].to_pylist() == ["b", "a"]  # first appearance
    other = pd.Series(["b", "a", None, "b"] * 5, dtype="str").array._pa_array  # equal values, another array
    assert codes_cache.encode(other, sort=True)[0] is not first[0]
    del chunked, column, other, first
    gc.collect()
    codes_cache.encode(pd.Series(["z"] * 20, dtype="str").array._pa_array, sort=True)  # an insert purges dead entries
    assert len(codes_cache._entries) == 1
    codes, uniques = factorize(pd.Series(["x", None, "y", "x"] * 2000, dtype="str"), sort=True, dropna=True)
    expected_codes, expected_uniques = pd.factorize(pd.Series(["x", None, "y", "x"] * 2000, dtype="str"), sort=True)
    assert codes.tolist() == expected_codes.tolist() and uniques.tolist() == expected_uniques.tolist()
