"""Remote pointers: every registry op against pandas on the mock, the pointer API, and what pointers hold.

A fake ``PointerSession`` serves the mocks (the mock path is local) and plays the vault for
``.get()`` by evaluating the graph it is sent (through the wire codec).
"""

from __future__ import annotations

import asyncio
import io
import re

import numpy as np
import pandas as pd
import pytest

from sealroom.client.datasets import Dataset
from sealroom.client.pointers import Pointer, RemoteArray, RemoteFrame, RemoteGroupBy, RemoteSeries, RemoteTensor, RemoteValue, crosstab, source_pointer
from sealroom.core.errors import InvalidInput
from sealroom.core.graph import OPS, Graph, SourceData, UnknownOperation, decode_value, encode_value, evaluate, infer
from sealroom.demo.franchise import _cast_csv, build_dialogue

DS = "northwind-scripts"


class FakeSession:
    """Mocks from memory; ``run_graph`` evaluates what it is sent, as the vault would (no protector)."""

    def __init__(self, sources: dict) -> None:
        self.sources = sources
        self.sent: list[tuple[dict, str | None]] = []

    def mock_source(self, dataset: str, asset: str) -> SourceData:
        return self.sources[(dataset, asset)]

    def run_graph(self, graph: dict, purpose: str | None):
        self.sent.append((graph, purpose))
        value = evaluate(Graph.from_json(graph), self.sources).value
        return decode_value(*encode_value(value))


@pytest.fixture(scope="module")
def frames():
    lines = build_dialogue(2000, seed=7).to_pandas()
    cast = pd.read_csv(io.BytesIO(_cast_csv()), dtype={"name": "str", "role": "str", "faction": "str"})
    rng = np.random.default_rng(3)
    art = rng.integers(0, 256, size=(12, 8, 8, 3), dtype=np.uint8)
    return lines, cast, art


@pytest.fixture(scope="module")
def session(frames):
    lines, cast, art = frames
    return FakeSession({
        (DS, "dialogue"): SourceData("table", lines),
        (DS, "cast"): SourceData("table", cast, item_offset=len(lines)),
        ("northwind-art", "portraits"): SourceData("images", art),
    })


@pytest.fixture(scope="module")
def ptr(session):
    return (source_pointer(session, DS, "dialogue", "table"), source_pointer(session, DS, "cast", "table"),
            source_pointer(session, "northwind-art", "portraits", "images"))


# -- parity: (name, pointer expression, pandas expression) ----------------------------------------
def _n(df):
    return df.assign(n=df["line"].str.len())


CASES = {
    "source/head": (lambda L, C, A: L.head(3), lambda d, c, a: d.head(3)),
    "column/value_counts": (lambda L, C, A: L["speaker"].value_counts(), lambda d, c, a: d["speaker"].value_counts()),
    "col()": (lambda L, C, A: L.col("location").value_counts(normalize=True), lambda d, c, a: d["location"].value_counts(normalize=True)),
    "columns/value_counts": (lambda L, C, A: L[["season", "location"]].value_counts(), lambda d, c, a: d[["season", "location"]].value_counts()),
    "columns/value_counts one": (lambda L, C, A: L[["season"]].value_counts(normalize=True), lambda d, c, a: d[["season"]].value_counts(normalize=True)),
    "columns/head": (lambda L, C, A: L[["speaker", "line"]].head(), lambda d, c, a: d[["speaker", "line"]].head()),
    "filter": (lambda L, C, A: L[L["season"] == 1]["speaker"].value_counts(), lambda d, c, a: d[d["season"] == 1]["speaker"].value_counts()),
    "filter/head keeps index": (lambda L, C, A: L[L["scene"] > 3][["line_no"]].head(4), lambda d, c, a: d[d["scene"] > 3][["line_no"]].head(4)),
    "assign/groupby mean": (lambda L, C, A: L.assign(n=L["line"].str.len()).groupby("speaker")["n"].mean(),
                            lambda d, c, a: _n(d).groupby("speaker")["n"].mean()),
    "assign literal order": (lambda L, C, A: L.assign(k=2, n=L["scene"] * 2, z="x").head(2), lambda d, c, a: d.assign(k=2, n=d["scene"] * 2, z="x").head(2)),
    "compare ops": (lambda L, C, A: L.assign(a=L["scene"] != 3, b=L["scene"] < 3, c=L["scene"] <= 3, d=L["scene"] >= 3,
                                             e=L["speaker"] == "Ada Ferro", f=L["scene"] < L["line_no"]).head(20),
                    lambda d, c, a: d.assign(a=d["scene"] != 3, b=d["scene"] < 3, c=d["scene"] <= 3, d=d["scene"] >= 3,
                                             e=d["speaker"] == "Ada Ferro", f=d["scene"] < d["line_no"]).head(20)),
    "logical": (lambda L, C, A: L[(L["season"] == 1) & ~(L["scene"] > 5) | (L["line_no"] == 1) ^ (L["episode"] == 2)]["speaker"].value_counts(),
                lambda d, c, a: d[(d["season"] == 1) & ~(d["scene"] > 5) | (d["line_no"] == 1) ^ (d["episode"] == 2)]["speaker"].value_counts()),
    "arith": (lambda L, C, A: L.assign(a=L["scene"] + 1, b=10 - L["scene"], c=L["scene"] * L["line_no"], d=L["scene"] / 4, e=1 / L["scene"],
                                       f=L["scene"] // 2, g=L["scene"] % 3, h=L["scene"] ** 2, i=2 ** L["scene"], j=-L["scene"],
                                       k=L["scene"] - L["line_no"], l=3 * L["scene"])[list("abcdefghijkl")].head(30),
              lambda d, c, a: d.assign(a=d["scene"] + 1, b=10 - d["scene"], c=d["scene"] * d["line_no"], d=d["scene"] / 4, e=1 / d["scene"],
                                       f=d["scene"] // 2, g=d["scene"] % 3, h=d["scene"] ** 2, i=2 ** d["scene"], j=-d["scene"],
                                       k=d["scene"] - d["line_no"], l=3 * d["scene"])[list("abcdefghijkl")].head(30)),
    "isin/isna/notna": (lambda L, C, A: L.assign(a=L["speaker"].isin(["Ada Ferro", "Tomas Quill"]), b=L["line"].isna(), c=L["scene"].notna()).head(10),
                        lambda d, c, a: d.assign(a=d["speaker"].isin(["Ada Ferro", "Tomas Quill"]), b=d["line"].isna(), c=d["scene"].notna()).head(10)),
    "str ops": (lambda L, C, A: L.assign(a=L["line"].str.len(), b=L["line"].str.count("[aeiou]"), c=L["line"].str.contains("harbour", case=False),
                                         d=L["line"].str.lower(), e=L["line"].str.contains("Ada", regex=False))[["a", "b", "c", "d", "e"]].head(50),
                lambda d, c, a: d.assign(a=d["line"].str.len(), b=d["line"].str.count("[aeiou]"), c=d["line"].str.contains("harbour", case=False),
                                         d=d["line"].str.lower(), e=d["line"].str.contains("Ada", regex=False))[["a", "b", "c", "d", "e"]].head(50)),
    "str series": (lambda L, C, A: L["line"].str.count("the"), lambda d, c, a: d["line"].str.count("the")),
    "groupby size": (lambda L, C, A: L.groupby("speaker").size(), lambda d, c, a: d.groupby("speaker").size()),
    "groupby two keys": (lambda L, C, A: L.groupby(["season", "speaker"])["scene"].count(), lambda d, c, a: d.groupby(["season", "speaker"])["scene"].count()),
    "groupby multi columns": (lambda L, C, A: L.groupby("location")[["scene", "line_no"]].sum(), lambda d, c, a: d.groupby("location")[["scene", "line_no"]].sum()),
    "groupby whole frame": (lambda L, C, A: L[["speaker", "scene", "season"]].groupby("speaker").mean(), lambda d, c, a: d[["speaker", "scene", "season"]].groupby("speaker").mean()),
    "groupby std": (lambda L, C, A: L.groupby("speaker")["scene"].std(), lambda d, c, a: d.groupby("speaker")["scene"].std()),
    "groupby median": (lambda L, C, A: L.groupby("speaker")["scene"].median(), lambda d, c, a: d.groupby("speaker")["scene"].median()),
    "groupby quantile": (lambda L, C, A: L.groupby("speaker")["scene"].quantile(0.25), lambda d, c, a: d.groupby("speaker")["scene"].quantile(0.25)),
    "groupby nunique": (lambda L, C, A: L.groupby("speaker")["location"].nunique(), lambda d, c, a: d.groupby("speaker")["location"].nunique()),
    "groupby min/max": (lambda L, C, A: L.groupby("speaker")[["scene", "line_no"]].max(), lambda d, c, a: d.groupby("speaker")[["scene", "line_no"]].max()),
    "groupby min": (lambda L, C, A: L.groupby("speaker")["scene"].min(), lambda d, c, a: d.groupby("speaker")["scene"].min()),
    "groupby clip": (lambda L, C, A: L.groupby("speaker")["scene"].sum(clip=(2, 8)), lambda d, c, a: d.assign(scene=d["scene"].clip(2, 8)).groupby("speaker")["scene"].sum()),
    "groupby agg": (lambda L, C, A: L.groupby("season")["scene"].agg("mean"), lambda d, c, a: d.groupby("season")["scene"].agg("mean")),
    "series aggs": (lambda L, C, A: [L["scene"].count(), L["scene"].sum(), L["scene"].mean(), L["scene"].median(), L["scene"].std(),
                                      L["speaker"].nunique(), L["scene"].quantile(0.9), L["scene"].min(), L["scene"].max(), L["scene"].mean(clip=(0, 5))],
                    lambda d, c, a: [d["scene"].count(), d["scene"].sum(), d["scene"].mean(), d["scene"].median(), d["scene"].std(),
                                     d["speaker"].nunique(), d["scene"].quantile(0.9), d["scene"].min(), d["scene"].max(), d["scene"].clip(0, 5).mean()]),
    "frame aggs": (lambda L, C, A: [L[["scene", "season"]].mean(), L.count(), L.nunique(), L[["scene", "line_no"]].sum(clip=(1, 4)),
                                     L[["scene"]].quantile(0.3), L[["scene", "episode"]].std(), L[["scene"]].median(), L[["scene"]].min(), L[["scene"]].max()],
                   lambda d, c, a: [d[["scene", "season"]].mean(), d.count(), d.nunique(), d[["scene", "line_no"]].clip(1, 4).sum(),
                                    d[["scene"]].quantile(0.3), d[["scene", "episode"]].std(), d[["scene"]].median(), d[["scene"]].min(), d[["scene"]].max()]),
    "value_counts dropna": (lambda L, C, A: L.merge(C, left_on="speaker", right_on="name", how="left")["faction"].value_counts(dropna=False),
                            lambda d, c, a: d.merge(c, left_on="speaker", right_on="name", how="left")["faction"].value_counts(dropna=False)),
    "describe series": (lambda L, C, A: L["scene"].describe(), lambda d, c, a: d["scene"].describe()),
    "describe frame": (lambda L, C, A: L.describe(), lambda d, c, a: d.describe()),
    "corr frame": (lambda L, C, A: L[["scene", "line_no", "episode"]].corr(), lambda d, c, a: d[["scene", "line_no", "episode"]].corr()),
    "corr series": (lambda L, C, A: L["scene"].corr(L["line_no"]), lambda d, c, a: d["scene"].corr(d["line_no"])),
    "crosstab": (lambda L, C, A: crosstab(L["speaker"], L["season"]), lambda d, c, a: pd.crosstab(d["speaker"], d["season"])),
    "crosstab margins": (lambda L, C, A: crosstab(L["speaker"], L["location"], margins=True), lambda d, c, a: pd.crosstab(d["speaker"], d["location"], margins=True)),
    "crosstab values": (lambda L, C, A: crosstab(L["speaker"], L["season"], values=L["scene"], aggfunc="mean", margins=True),
                        lambda d, c, a: pd.crosstab(d["speaker"], d["season"], values=d["scene"], aggfunc="mean", margins=True)),
    "pivot_table": (lambda L, C, A: L.pivot_table(values="scene", index="speaker", columns="season", aggfunc="mean"),
                    lambda d, c, a: d.pivot_table(values="scene", index="speaker", columns="season", aggfunc="mean")),
    "pivot_table margins sum": (lambda L, C, A: L.pivot_table(values=["scene"], index=["location"], columns="season", aggfunc="sum", margins=True),
                                lambda d, c, a: d.pivot_table(values=["scene"], index=["location"], columns="season", aggfunc="sum", margins=True)),
    "pivot_table no columns": (lambda L, C, A: L.pivot_table(values=["scene", "line_no"], index="speaker", aggfunc="count", margins=True),
                               lambda d, c, a: d.pivot_table(values=["scene", "line_no"], index="speaker", aggfunc="count", margins=True)),
    "merge on": (lambda L, C, A: L.merge(C.assign(speaker=C["name"]), on="speaker").groupby("faction")["scene"].mean(),
                 lambda d, c, a: d.merge(c.assign(speaker=c["name"]), on="speaker").groupby("faction")["scene"].mean()),
    "merge left_on": (lambda L, C, A: L.merge(C, left_on="speaker", right_on="name").head(5),
                      lambda d, c, a: d.merge(c, left_on="speaker", right_on="name").head(5)),
    "histogram": (lambda L, C, A: np.histogram(L["scene"], bins=5, range=(0, 20)), lambda d, c, a: np.histogram(d["scene"], bins=5, range=(0, 20))),
    "histogram edges": (lambda L, C, A: np.histogram(L["line_no"], bins=[0, 2, 5, 10, 20]), lambda d, c, a: np.histogram(d["line_no"], bins=[0, 2, 5, 10, 20])),
    "histogram mock bins": (lambda L, C, A: np.histogram(L["scene"], bins=4), lambda d, c, a: np.histogram(d["scene"], bins=4)),
    "sort/head/round": (lambda L, C, A: L.groupby("speaker")["scene"].mean().sort_values(ascending=False).head(3).round(2),
                        lambda d, c, a: d.groupby("speaker")["scene"].mean().sort_values(ascending=False).head(3).round(2)),
    "frame sort_values": (lambda L, C, A: L.groupby("location")[["scene", "line_no"]].mean().sort_values("scene").round(1).head(4),
                          lambda d, c, a: d.groupby("location")[["scene", "line_no"]].mean().sort_values("scene").round(1).head(4)),
    "aggregate column": (lambda L, C, A: L.describe()["scene"], lambda d, c, a: d.describe()["scene"]),
    "shape": (lambda L, C, A: L[L["season"] == 1].shape, lambda d, c, a: d[d["season"] == 1].shape),
    "dtypes": (lambda L, C, A: L.assign(n=L["line"].str.len())._then(RemoteValue, "dtypes", {}), lambda d, c, a: _n(d).dtypes),
    "array shape/dtype": (lambda L, C, A: [A.shape, A._then(RemoteValue, "dtype", {})], lambda d, c, a: [a.shape, str(a.dtype)]),
    "array reduce": (lambda L, C, A: [A.mean(axis=0), A.mean(), A.std(axis=(0, 1, 2)), A.sum(axis=[0, 3]), A.min(axis=0), A.max()],
                     lambda d, c, a: [a.mean(axis=0), a.mean(), a.std(axis=(0, 1, 2)), a.sum(axis=(0, 3)), a.min(axis=0), a.max()]),
    "array row reduce": (lambda L, C, A: A.mean(axis=(1, 2)).mean(axis=0), lambda d, c, a: a.mean(axis=(1, 2)).mean(axis=0)),
}


def _assert_same(got, expected):
    if isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected)
        for g, e in zip(got, expected):
            _assert_same(g, e)
    elif isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected)
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected)
    elif isinstance(expected, tuple) and expected and isinstance(expected[0], np.ndarray):
        for g, e in zip(got, expected):
            np.testing.assert_array_equal(g, e)
    elif isinstance(expected, np.ndarray):
        np.testing.assert_allclose(got, expected)
    elif isinstance(expected, float):
        assert got == pytest.approx(expected)
    else:
        assert got == expected


def _mock(pointer):
    return [p.mock() for p in pointer] if isinstance(pointer, list) else pointer.mock()


@pytest.mark.parametrize("name", list(CASES))
def test_mock_equals_pandas(name, ptr, frames):
    build, expected = CASES[name]
    _assert_same(_mock(build(*ptr)), expected(*frames))


def _exercised(pointer) -> set[tuple[str, str]]:
    pointers = pointer if isinstance(pointer, list) else [pointer]
    found = set()
    for p in pointers:
        graph = Graph.from_json(p.graph_json())
        kinds = {("northwind-art", "portraits"): "images"}
        found |= {(info.op.receiver, info.op.name) for info in infer(graph, kinds).values()}
    return found


def test_every_registry_op_has_a_parity_test(ptr):
    exercised = set().union(*(_exercised(build(*ptr)) for build, _ in CASES.values()))
    assert set(OPS) - exercised == set()


def test_get_sends_the_graph_and_decodes_the_same_answer(ptr, session):
    lines = ptr[0]
    query = lines.assign(n=lines["line"].str.len()).groupby("speaker")["n"].mean()
    got = query.get(purpose="research")
    pd.testing.assert_series_equal(got, query.mock())
    graph, purpose = session.sent[-1]
    assert purpose == "research" and graph == query.graph_json()
    assert [n["id"] for n in graph["nodes"]] == [f"n{i}" for i in range(len(graph["nodes"]))]
    assert [n["op"] for n in graph["nodes"]] == ["source", "column", "str_len", "assign", "groupby", "gb_column", "gb_agg"]
    assert asyncio.run(query.aget("research")).equals(got)
    for pointer in (lines[["speaker", "scene"]].describe(), crosstab(lines["speaker"], lines["season"], margins=True),
                    lines["scene"].mean(), np.histogram(lines["scene"], bins=3, range=(0, 20)), lines.shape):
        _assert_same(pointer.get(), pointer.mock())


def test_graph_json_keeps_only_what_the_output_needs(ptr):
    lines, cast, _ = ptr
    mask = lines["season"] == 1
    lines.assign(x=lines["scene"] + 1)  # built, not used by the output
    counts = lines[mask]["speaker"].value_counts()
    ops = [n["op"] for n in counts.graph_json()["nodes"]]
    assert ops == ["source", "column", "compare", "filter", "column", "value_counts"]
    assert Graph.from_json(counts.graph_json()).digest() == Graph.from_json(lines[lines["season"] == 1]["speaker"].value_counts().graph_json()).digest()


def test_repr_says_it_is_a_pointer_with_its_expression(ptr):
    lines = ptr[0]
    text = repr(lines.assign(n=lines["line"].str.len()).groupby("speaker")["n"].mean())
    assert text.startswith("<RemoteSeries: northwind-scripts/dialogue → assign(n) → groupby(speaker) → gb_column(n) → gb_agg(mean)")
    assert text.endswith("(no data here; .mock() or .get())>")
    assert repr(lines).startswith("<RemoteFrame: northwind-scripts/dialogue (no data")


def test_pointers_hold_no_data_and_no_attribute_magic(ptr):
    lines, cast, art = ptr
    built = [lines, lines[lines["scene"] > 2], lines.groupby("speaker"), lines.groupby("speaker")["scene"].mean(),
             lines.merge(cast, left_on="speaker", right_on="name"), art, art.as_tensor().mean(axis=0), lines["line"].str]
    for pointer in built:
        _walk_public_only(pointer)
        if isinstance(pointer, Pointer) and not isinstance(pointer, RemoteGroupBy):
            pointer.mock()
            _walk_public_only(pointer)
    for cls in (Pointer, RemoteFrame, RemoteSeries, RemoteGroupBy, RemoteArray, RemoteTensor, RemoteValue):
        assert cls.__getattribute__ is object.__getattribute__
    before = lines.graph_json()
    with pytest.raises(AttributeError, match=r"'line' is not a supported operation on a RemoteFrame .*supported: .*groupby"):
        lines.line  # noqa: B018 - no attribute-style columns: use lines["line"]
    with pytest.raises(AttributeError, match=r"'apply' is not a supported operation.*merge"):
        lines.apply(len)
    assert lines.graph_json() == before  # refusing built nothing
    assert not hasattr(lines, "_repr_svg_")  # private names are plainly absent (IPython probes them)


def _walk_public_only(obj, seen=None):
    """Everything a pointer references is JSON-like, apart from its session (which only serves mocks)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    assert not isinstance(obj, (pd.DataFrame, pd.Series, np.ndarray, pd.Index)), type(obj)
    if isinstance(obj, (str, int, float, bool, type(None))):
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            _walk_public_only(key, seen)
            _walk_public_only(value, seen)
        return
    if isinstance(obj, (list, tuple)):
        for value in obj:
            _walk_public_only(value, seen)
        return
    assert hasattr(obj, "__dict__"), type(obj)
    for name, value in vars(obj).items():
        if name == "_session":
            assert isinstance(value, FakeSession)
            continue
        _walk_public_only(value, seen)


def test_refusals_on_the_client(ptr):
    lines, cast, art = ptr
    with pytest.raises(InvalidInput, match="truth value"):
        bool(lines["scene"] > 3)
    with pytest.raises(InvalidInput, match=r"\.get\(\)"):
        list(lines["scene"])
    with pytest.raises(InvalidInput, match="len"):
        len(lines)
    with pytest.raises(InvalidInput, match="np.histogram"):
        np.mean(lines["scene"])
    with pytest.raises(InvalidInput, match="numpy array"):
        np.asarray(lines["scene"])
    with pytest.raises(UnknownOperation, match=r"'sort_values' is not a supported operation on a RemoteSeries; supported: .*str_len"):
        lines["scene"].sort_values()
    with pytest.raises(UnknownOperation, match="an aggregate result; supported: column, head, round, sort_values"):
        lines.groupby("speaker")["scene"].mean().mean()
    with pytest.raises(InvalidInput, match="different frame"):
        lines[lines["scene"] > 3][lines["scene"] > 4]
    with pytest.raises(InvalidInput, match="different frame"):
        lines.assign(x=cast["name"])
    with pytest.raises(InvalidInput, match="not a valid regular expression"):
        lines["line"].str.count("(a")
    with pytest.raises(InvalidInput, match="limit is 200"):
        lines["line"].str.contains("a" * 201)
    with pytest.raises(InvalidInput, match="choose one of"):
        lines.groupby("speaker")["scene"].agg("apply")
    with pytest.raises(InvalidInput, match="no column named 'nope'"):
        lines["nope"].mock()


def test_texts_and_tensors(session):
    texts = pd.DataFrame({"item_id": np.arange(3), "text": pd.Series(["a tale", "the sea", "a ship at sea"], dtype="str")})
    session.sources[("northwind-stories", "stories")] = SourceData.from_input("texts", list(texts["text"]))
    stories = source_pointer(session, "northwind-stories", "stories", "texts")
    pd.testing.assert_series_equal(stories["text"].str.count("sea").mock(), texts["text"].str.count("sea"))
    torch = pytest.importorskip("torch")
    art = source_pointer(session, "northwind-art", "portraits", "images").as_tensor()
    mean = art.mean(dim=0)
    assert isinstance(mean.mock(), torch.Tensor) and tuple(mean.mock().shape) == (8, 8, 3)
    assert isinstance(art.mean(dim=(1, 2)), RemoteTensor) and isinstance(art.mock(), torch.Tensor)
    assert art.dtype == "uint8"
    assert list(ptr_columns(session)) == list(session.sources[(DS, "dialogue")].value.columns) + ["n"]


def ptr_columns(session):
    lines = source_pointer(session, DS, "dialogue", "table")
    return lines.assign(n=lines["line"].str.len()).columns


def test_dataset_private_points_at_the_primary_asset():
    info = {"name": DS, "kind": "table", "owner_display_name": "Harbor Light", "description": "", "license": {},
            "assets": [{"name": "dialogue", "kind": "table", "n_items": 2000, "schema": {}, "public_columns": []},
                       {"name": "stills", "kind": "images", "n_items": 4, "schema": {}, "public_columns": []}]}
    dataset = Dataset(http=None, info=info)
    assert isinstance(dataset.private, RemoteFrame) and isinstance(dataset.assets["stills"].private, RemoteArray)
    assert dataset.private.graph_json() == {"version": 1, "output": "n0", "nodes": [
        {"id": "n0", "op": "source", "inputs": [], "args": {"dataset": DS, "asset": "dialogue"}}]}


def test_errors_name_the_supported_numpy_function(ptr):
    with pytest.raises(InvalidInput, match=re.escape("np.histogram(series, bins=..., range=(low, high))")):
        np.cumsum(ptr[0]["scene"])
