"""The wire codec of graph answers: the client gets back the same Python type, never via pickle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sealroom.core.errors import InvalidInput
from sealroom.core.graph import decode_value, encode_value, values
from sealroom.core.results import EncodedResult


def _round_trip(value):
    encoded, hint = encode_value(value)
    assert encoded.kind in ("json", "table")
    return decode_value(encoded, hint)


@pytest.fixture(params=["json columns", "arrow"], autouse=True)
def table_codec(request, monkeypatch):
    """Every round trip runs twice: small tables as JSON columns (the default), and all as Arrow."""
    if request.param == "arrow":
        monkeypatch.setattr(values, "JSON_TABLE_CELLS", -1)
    return request.param


def test_small_plain_tables_travel_as_json_and_others_as_arrow(dialogue, table_codec):
    counts = dialogue["speaker"].value_counts()
    assert encode_value(counts)[0].kind == ("json" if table_codec == "json columns" else "table")
    assert encode_value(dialogue)[0].kind == "table"  # 2000 rows x 9 columns: over the JSON size
    dated = pd.Series([1, 2], index=pd.to_datetime(["2026-01-01", "2026-01-02"]))
    assert encode_value(dated)[0].kind == "table"  # dates are not numbers or text
    pd.testing.assert_series_equal(_round_trip(dated), dated)


def test_series_keep_name_index_and_dtype(dialogue):
    for series in (dialogue.groupby("speaker")["scene"].mean(), dialogue["speaker"].value_counts(),
                   dialogue.groupby(["season", "speaker"]).size(), dialogue[["season", "location"]].value_counts(normalize=True),
                   dialogue["scene"].describe(), dialogue[dialogue["scene"] > 3]["line_no"].head()):
        pd.testing.assert_series_equal(_round_trip(series), series)


def test_frames_keep_labels_including_multiindex_and_margins(dialogue):
    frames = [
        dialogue.describe(),
        dialogue[["scene", "line_no"]].corr(),
        dialogue.pivot_table(values=["scene"], index=["location"], columns="season", aggfunc="sum", margins=True),
        pd.crosstab(dialogue["speaker"], dialogue["season"], margins=True),
        pd.crosstab(dialogue["season"], dialogue["speaker"], margins=True),
        dialogue.groupby(["season", "location"])[["scene", "line_no"]].mean(),
        dialogue[["speaker", "line"]].head(3),
    ]
    for frame in frames:
        pd.testing.assert_frame_equal(_round_trip(frame), frame)


def test_scalars_tuples_arrays_and_metadata(dialogue):
    assert _round_trip(np.float64(2.5)) == 2.5 and isinstance(_round_trip(np.float64(2.5)), float)
    assert math.isnan(_round_trip(float("nan")))
    assert _round_trip(np.int64(7)) == 7 and isinstance(_round_trip(np.int64(7)), int)
    assert _round_trip(np.uint8(200)) == 200
    assert _round_trip(True) is True and _round_trip("uint8") == "uint8" and _round_trip(None) is None
    assert _round_trip((None, 9)) == (None, 9) and _round_trip((2000, 9)) == (2000, 9)
    counts, edges = np.histogram(dialogue["scene"], bins=4, range=(0, 20))
    got_counts, got_edges = _round_trip((counts, edges))
    np.testing.assert_array_equal(got_counts, counts) and np.testing.assert_array_equal(got_edges, edges)
    assert got_counts.dtype == counts.dtype
    suppressed = (np.array([np.nan, 10.0, 15.0, np.nan]), edges)
    np.testing.assert_array_equal(_round_trip(suppressed)[0], suppressed[0])
    image = np.arange(2 * 3 * 3, dtype=np.float64).reshape(2, 3, 3) / 7
    np.testing.assert_array_equal(_round_trip(image), image)
    pd.testing.assert_series_equal(_round_trip(dialogue.dtypes), dialogue.dtypes)


def test_unknown_hints_and_types_are_refused():
    encoded, _ = encode_value(1)
    with pytest.raises(InvalidInput, match="unknown value hint"):
        decode_value(encoded, {"type": "pickle"})
    with pytest.raises(InvalidInput, match="must come as an Arrow table or JSON columns"):
        decode_value(EncodedResult("image", b"\x89PNG"), {"type": "frame", "columns": []})
    with pytest.raises(InvalidInput, match="does not match its column types"):
        decode_value(EncodedResult("json", b'{"range": [0, 1, 1], "columns": [[1]]}'), {"type": "frame", "columns": ["a"]})
    with pytest.raises(InvalidInput, match="cannot be sent back"):
        encode_value(object())
