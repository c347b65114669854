"""Every string in a decoded result is extracted, and split passages are regrouped."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from PIL import Image, PngImagePlugin

from sealroom.core.leakage import extract_strings, text_groups
from sealroom.core.results import EncodedResult, decode_result, encode_result


def test_json_keys_and_values_at_any_depth_in_document_order():
    value = {"a": ["x", {"b": "y", "n": 1}], "c": None, "d": [1.5, True, "z"]}
    assert extract_strings(value) == ["a", "x", "b", "y", "n", "c", "d", "z"]


def test_json_values_at_the_same_path_are_grouped():
    value = {"rows": [{"line": "first half", "n": 1}, {"line": "second half", "n": 2}]}
    joined = {g.where: g.joined() for g in text_groups(value)}
    assert joined["values at $.rows[*].line"] == "first half second half"
    assert joined["all strings in document order"] == "rows line first half n line second half n"


def test_deep_nesting_does_not_overflow():
    value: object = "bottom"
    for _ in range(50_000):
        value = [value]
    assert extract_strings({"k": value}) == ["k", "bottom"]


def test_dataframe_labels_index_cells_categories_bytes_and_nested_values():
    frame = pd.DataFrame(
        {
            "speaker": ["ANNA", "BORIS"],
            "n": [1, 2],
            "when": pd.to_datetime(["2020-01-01", "2021-01-01"]),
            "mood": pd.Categorical(["calm", "calm"], categories=["calm", "unused-category"]),
            "raw": [b"bytes text", None],
            "tags": [["t1", "t2"], []],
        },
        index=pd.Index(["row-a", "row-b"], name="idx"),
    )
    decoded = decode_result(encode_result(frame))  # what the gate sees: an Arrow round trip
    strings = extract_strings(decoded)
    for expected in ["speaker", "n", "when", "mood", "raw", "tags", "idx", "row-a", "row-b", "ANNA", "BORIS",
                     "calm", "unused-category", "bytes text", "t1 t2"]:
        assert any(expected in s for s in strings), expected
    assert not any("2020" in s for s in strings)  # dates and numbers are not text


def test_dataframe_columns_and_rows_are_joined_in_order():
    frame = pd.DataFrame({"a": ["one", "three"], "b": ["two", "four"]})
    joined = {g.where: g.joined() for g in text_groups(frame)}
    assert joined["all cells, row by row"] == "one two three four"
    assert "one three" in joined.values() and "two four" in joined.values()


def test_multiindex_levels_are_extracted():
    frame = pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("p", "q"), ("r", "s")], names=["L1", "L2"]))
    assert {"L1", "p", "r", "L2", "q", "s"} <= set(extract_strings(decode_result(encode_result(frame))))


def test_png_text_chunks_are_extracted():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "hidden words in metadata")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)
    image = decode_result(EncodedResult("image", buffer.getvalue()))
    assert "hidden words in metadata" in extract_strings(image)


def test_numeric_array_cells_and_plain_text():
    assert extract_strings("just text") == ["just text"]
    assert extract_strings({"v": np.arange(3).tolist()}) == ["v"]
