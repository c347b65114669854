"""Facts about a result that release policies read, and purpose parsing."""

from __future__ import annotations

import pandas as pd
import pytest
from PIL import Image

from sealroom.core.catalog.license import purpose_category
from sealroom.core.errors import InvalidInput
from sealroom.core.policy.context import result_facts
from sealroom.core.results import encode_result


def test_json_result_counts_free_text_values_and_keys():
    facts = result_facts(encode_result({"Ada Ferro": 12, "note": "five words of my own", "list": ["one two", "a b c d e f"]}))
    assert facts["kind"] == "json" and facts["rows"] == 3
    assert facts["text_values"] == 2 and facts["max_words"] == 6


def test_table_result_counts_rows_and_text_cells():
    frame = pd.DataFrame({"speaker": ["Ada", "Bo"], "line": ["short", "this one has six words here"]})
    facts = result_facts(encode_result(frame))
    assert facts["kind"] == "table" and facts["rows"] == 2 and facts["text_values"] == 1 and facts["max_words"] == 6


def test_image_and_scalar_results():
    assert result_facts(encode_result(Image.new("RGB", (4, 4))))["text_values"] == 0
    assert result_facts(encode_result(3.5)) | {"bytes": 0} == {"kind": "json", "bytes": 0, "rows": 1, "text_values": 0, "max_words": 0}
    assert result_facts(None)["kind"] == "none"


@pytest.mark.parametrize("purpose,category", [("research", "research"), ("research: who speaks most", "research"), ("  Education — class 3", "education"), ("model-training:x", "model-training")])
def test_purpose_category(purpose, category):
    assert purpose_category(purpose) == category


@pytest.mark.parametrize("purpose", ["", "fun", ": research", "researching things"])
def test_unknown_purposes_are_refused_with_the_list(purpose):
    with pytest.raises(InvalidInput, match="generative-training"):
        purpose_category(purpose)
