"""Shared data for the graph tests: the Northwind dialogue mock, its cast table, and graph builders."""

from __future__ import annotations

import io

from graph_builders import DS
import numpy as np
import pandas as pd
import pytest

from sealroom.core.graph import Graph, SourceData
from sealroom.demo.franchise import _cast_csv, build_dialogue


@pytest.fixture(scope="session")
def dialogue() -> pd.DataFrame:
    return build_dialogue(2000, seed=7).to_pandas()


@pytest.fixture(scope="session")
def cast() -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(_cast_csv()), dtype={"name": "str", "role": "str", "faction": "str"})


@pytest.fixture
def sources(dialogue, cast) -> dict:
    """Dialogue rows are items 0..1999 of the dataset, cast rows come after; three holders."""
    holders = (np.arange(len(dialogue)) % 3).astype(np.int64)
    return {(DS, "dialogue"): SourceData("table", dialogue, holders=holders),
            (DS, "cast"): SourceData("table", cast, item_offset=len(dialogue))}


@pytest.fixture
def chain():
    """``chain(("source", {...}), ("column", {...}), ...)``: a linear graph, each node reading the one before."""

    def build(*steps, extra: list | None = None) -> Graph:
        nodes = [{"id": f"n{i}", "op": op, "inputs": [f"n{i - 1}"] if i else [], "args": args} for i, (op, args) in enumerate(steps)]
        nodes += extra or []
        return Graph.from_json({"version": 1, "nodes": nodes, "output": nodes[-1]["id"]})

    return build


@pytest.fixture
def lines_source():
    return ("source", {"dataset": DS, "asset": "dialogue"})
