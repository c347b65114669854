"""The wire codec of graph answers: the client gets back the same Python type, never via pickle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sealroom.core.errors import InvalidInput
from sealroom.core.graph import decode_value, encode_value
from sealroom.core.results import EncodedResult


def _round_trip(value):
    encoded, hint = encode_value(value)
    assert encoded.kind in ("json", "table")
    return decode_value(encoded, hint)


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
    with pytest.raises(InvalidInput, match="must come as an Arrow table"):
        decode_value(EncodedResult("json", b"[]"), {"type": "frame", "columns": []})
    with pytest.raises(InvalidInput, match="cannot be sent back"):
        encode_value(object())
