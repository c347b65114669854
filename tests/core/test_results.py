"""The result wire format: what may cross the boundary, parsed strictly, canonicalised before release."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from PIL import Image, PngImagePlugin

from sealroom.core.errors import InvalidInput
from sealroom.core.results import EncodedResult, canonicalize, decode_result, encode_result, table_to_ipc


@pytest.mark.parametrize("value", [None, 1, 2.5, "text", [1, "a", None], {"a": {"b": [1, 2]}}, np.int64(3), np.arange(4)])
def test_json_values_round_trip(value):
    encoded = encode_result(value)
    assert encoded.kind == "json"
    assert decode_result(encoded) == (value.tolist() if isinstance(value, np.ndarray) else value)


@pytest.mark.parametrize("value,message", [
    (float("nan"), "NaN"), ({1: "x"}, "keys must be strings"), ({"a"}, "set"), (object(), "object"),
    (np.array(["a"]), "numeric"), (b"bytes", "bytes"),
])
def test_unencodable_values_are_refused_with_the_type(value, message):
    with pytest.raises(InvalidInput, match=message):
        encode_result(value)


def test_tables_and_images():
    frame = pd.DataFrame({"speaker": ["a", "b"], "lines": [3, 4]})
    assert decode_result(encode_result(frame)).equals(frame)
    series = decode_result(encode_result(frame.set_index("speaker")["lines"]))
    assert list(series.columns) == ["lines"]
    image = Image.new("RGB", (8, 8), (1, 2, 3))
    assert decode_result(encode_result(image)).getpixel((0, 0)) == (1, 2, 3)


def test_hostile_payloads_are_refused():
    with pytest.raises(InvalidInput):
        decode_result(EncodedResult("json", b"NaN"))
    with pytest.raises(InvalidInput):
        decode_result(EncodedResult("table", b"not arrow"))
    with pytest.raises(InvalidInput):
        decode_result(EncodedResult("image", b"GIF89a"))
    with pytest.raises(InvalidInput):
        decode_result(EncodedResult("pickle", b"\x80\x04"))


def test_canonicalize_drops_side_channels():
    secret = "the drowned promise of Gull Rock"
    table = pa.table({"n": [1, 2]}).replace_schema_metadata({"smuggled": secret})
    canonical = canonicalize(EncodedResult("table", table_to_ipc(table)))
    assert secret.encode() not in canonical.payload
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", secret)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)
    assert secret.encode() in buffer.getvalue()
    assert secret.encode() not in canonicalize(EncodedResult("image", buffer.getvalue())).payload
    assert canonicalize(EncodedResult("json", b'{ "b" : 1 ,"a":2}')).payload == json.dumps({"b": 1, "a": 2}, separators=(",", ":")).encode()
