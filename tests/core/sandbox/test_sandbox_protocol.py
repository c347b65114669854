"""Frame round trips: what is encoded is decoded unchanged, and malformed input is refused."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealroom.core.sandbox.protocol import ProtocolError, decode_frames, encode_frame, read_frame

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
headers = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
parts = st.lists(st.binary(max_size=300), max_size=5)


def _reader(data: bytes):
    stream = io.BytesIO(data)

    def read_exact(n: int) -> bytes:
        chunk = stream.read(n)
        if len(chunk) != n:
            raise EOFError
        return chunk

    return read_exact


@given(header=headers, body=parts)
def test_frame_round_trip_through_a_stream(header, body):
    frame = read_frame(_reader(encode_frame(header, body)))
    assert frame.header == header
    assert frame.parts == body


@given(frames=st.lists(st.tuples(headers, parts), max_size=4))
def test_concatenated_frames_decode_in_order(frames):
    data = b"".join(encode_frame(h, p) for h, p in frames)
    decoded = decode_frames(data)
    assert [(f.header, f.parts) for f in decoded] == frames


@given(header=headers, body=parts, cut=st.integers(min_value=1))
def test_truncated_frame_is_refused(header, body, cut):
    data = encode_frame(header, body)
    keep = 1 + cut % (len(data) - 1)  # a non-empty strict prefix
    with pytest.raises(ProtocolError):
        decode_frames(data[:keep])


def test_oversized_header_and_parts_are_refused_before_allocation():
    data = encode_frame({"a": "x" * 100}, [b"y" * 1000])
    with pytest.raises(ProtocolError, match="header"):
        read_frame(_reader(data), max_header_bytes=10)
    with pytest.raises(ProtocolError, match="cap"):
        read_frame(_reader(data), max_total_bytes=999)


@pytest.mark.parametrize("payload", [b"[1,2]", b"not json", b'{"a": NaN}', b"\xff\xfe"])
def test_non_object_headers_are_refused(payload):
    data = len(payload).to_bytes(4, "big") + payload + (0).to_bytes(4, "big")
    with pytest.raises(ProtocolError):
        decode_frames(data)
