"""The release gate: built-in checks, fail-closed behaviour, registry, report and public safety."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from PIL import Image, PngImagePlugin

from sealroom.core.errors import ConfigurationError
from sealroom.core.leakage import (
    CheckContext,
    Finding,
    GateConfig,
    GateReport,
    ReleaseGate,
    ResultSizeCheck,
    VerbatimTextCheck,
    register_check,
    registered_checks,
    unregister_check,
)
from sealroom.core.results import EncodedResult, encode_result

MARKER = "Zorblax quintessence flummoxed the vexillologist under lanterns by moonlight again tonight."
MARKER_WORDS = ["zorblax", "quintessence", "flummoxed", "vexillologist", "lanterns", "moonlight"]


def public_text(report: GateReport) -> str:
    return json.dumps(report.to_public_dict()).lower() + " ".join(report.public_reasons).lower()


def assert_withheld_by_verbatim(report: GateReport) -> None:
    assert not report.released
    assert report.withheld_by == ("verbatim-text",)
    assert "copied from licensed content" in report.public_reasons[0]
    text = public_text(report)
    assert not any(word in text for word in MARKER_WORDS)
    assert "marker-line" not in text and "plays/private" not in text
    assert "zorblax" in report.to_private_dict()["findings"][0]["detail"]


@pytest.fixture()
def gate() -> ReleaseGate:
    return ReleaseGate()


def test_builtin_checks_are_registered_like_extensions():
    ids = [check.check_id for check in registered_checks()]
    assert ids[:2] == ["result-size", "verbatim-text"]


def test_clean_results_are_released(gate, context):
    frame = pd.DataFrame({"speaker": ["ANNA", "BORIS"], "lines": [120, 98]})
    for value in ({"mean_words": 11.8, "top": ["ANNA", "BORIS"]}, frame, "a short summary in my own words"):
        report = gate.inspect(encode_result(value), context)
        assert report.released and report.findings == () and report.checks_run == ("result-size", "verbatim-text")


def test_a_json_result_with_a_copy_is_withheld(gate, context):
    report = gate.inspect(encode_result({"summary": "my notes", "quote": f"He said: {MARKER}"}), context)
    assert_withheld_by_verbatim(report)


@pytest.mark.parametrize("place", ["cell", "column", "index"])
def test_a_dataframe_with_a_copy_is_withheld(gate, context, place):
    frame = pd.DataFrame({"count": [1, 2], "note": ["fine", "ok"]}, index=pd.Index(["r1", "r2"]))
    if place == "cell":
        frame.loc["r2", "note"] = MARKER
    elif place == "column":
        frame = frame.rename(columns={"note": MARKER})
    else:
        frame.index = pd.Index(["r1", MARKER])
    assert_withheld_by_verbatim(gate.inspect(encode_result(frame), context))


def test_a_line_split_over_consecutive_rows_or_cells_is_withheld(gate, context):
    words = MARKER.split()
    rows = pd.DataFrame({"id": [1, 2, 3, 4], "text": [" ".join(words[i : i + 3]) for i in range(0, 12, 3)]})
    assert_withheld_by_verbatim(gate.inspect(encode_result(rows), context))
    cells = pd.DataFrame({f"c{i}": [" ".join(words[i * 3 : i * 3 + 3]), "x"] for i in range(4)})
    assert_withheld_by_verbatim(gate.inspect(encode_result(cells), context))
    records = [{"part": " ".join(words[i : i + 3]), "n": i} for i in range(0, 12, 3)]
    assert_withheld_by_verbatim(gate.inspect(encode_result(records), context))


def test_a_whole_short_line_returned_alone_goes_to_review(gate, context):
    """A 5-word whole item could be the data scientist's own words: the rights holder looks first."""
    report = gate.inspect(encode_result(["Where is the kettle, Morwenna?"]), context)
    assert report.released and report.needs_review
    assert "entire licensed text item" in report.public_reasons[0] and "rights holder looks" in report.public_reasons[0]
    assert report.policy_facts() == {"released": True, "needs_review": True, "findings": ["verbatim-text"]}


def test_a_short_line_next_to_a_long_copy_is_withheld(gate, context):
    report = gate.inspect(encode_result(["Where is the kettle, Morwenna?", MARKER]), context)
    assert not report.released


def test_short_whole_items_are_withheld_when_configured_stricter(context, index):
    strict = ReleaseGate(GateConfig(whole_item_withhold_words=4))
    report = strict.inspect(encode_result(["Where is the kettle, Morwenna?"]), CheckContext(text_indexes=(index,), config=strict.config))
    assert not report.released


def test_text_in_png_metadata_is_withheld(gate, context):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKER)
    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, format="PNG", pnginfo=info)
    assert_withheld_by_verbatim(gate.inspect(EncodedResult("image", buffer.getvalue()), context))


def test_free_text_such_as_an_error_message_is_scanned(gate, context):
    report = gate.inspect_text(f"Traceback ...\nValueError: {MARKER}", context)
    assert_withheld_by_verbatim(report)
    assert gate.inspect_text("ValueError: division by zero", context).released


def test_size_limits(context):
    gate = ReleaseGate(GateConfig(max_table_rows=10, max_table_columns=3, max_image_pixels=100, max_result_bytes=4000))
    cases = {
        "rows": pd.DataFrame({"n": range(11)}),
        "columns": pd.DataFrame({f"c{i}": [1] for i in range(4)}),
        "pixels": Image.new("L", (11, 10)),
        "records": [{"k": "v"}] * 11,
    }
    for label, value in cases.items():
        report = gate.inspect(encode_result(value), context)
        assert report.withheld_by == ("result-size",), label
        assert "limit" in report.public_reasons[0] and "result-size" in report.public_reasons[0]
    assert gate.inspect(encode_result(list(range(11))), context).released  # numeric lists are not records
    assert gate.inspect(encode_result(pd.DataFrame({"n": range(10)})), context).released


def test_an_oversized_payload_is_not_decoded_and_is_withheld(context):
    gate = ReleaseGate(GateConfig(max_result_bytes=100))
    report = gate.inspect(EncodedResult("json", b'"' + b"x" * 200 + b'"'), context)
    assert not report.released and report.checks_run == ("result-size",)
    assert set(report.withheld_by) == {"result-size", "release-gate"}
    assert "0.0 MiB" in report.public_reasons[0] or "MiB" in report.public_reasons[0]


def test_an_undecodable_result_is_withheld(gate, context):
    for result in (EncodedResult("json", b"{not json"), EncodedResult("table", b"junk"),
                   EncodedResult("image", b"GIF89a"), EncodedResult("json", b"[" * 100_000 + b"]" * 100_000)):
        report = gate.inspect(result, context)
        assert not report.released and "release-gate" in report.withheld_by


class Exploding:
    check_id = "exploding"
    kinds = frozenset({"json", "table", "image", "text"})
    needs_value = True

    def check(self, subject, context):
        raise RuntimeError(f"boom while reading {MARKER}")


class ReturnsJunk(Exploding):
    check_id = "returns-junk"

    def check(self, subject, context):
        return ["not a finding"]


def test_a_check_that_raises_makes_the_gate_withhold(context):
    gate = ReleaseGate(checks=[ResultSizeCheck(), Exploding(), ReturnsJunk()])
    report = gate.inspect(encode_result({"fine": 1}), context)
    assert not report.released and report.withheld_by == ("exploding", "returns-junk")
    assert "could not complete" in report.public_reasons[0]
    assert "zorblax" not in public_text(report)
    assert "RuntimeError" in report.to_private_dict()["findings"][0]["detail"]


def test_a_public_message_quoting_private_text_is_replaced(context):
    class Careless(Exploding):
        check_id = "careless"

        def check(self, subject, context):
            return [Finding(self.check_id, "review", f"looks like: {MARKER}", "")]

    report = ReleaseGate(checks=[Careless()]).inspect(encode_result(1), context)
    assert report.released and report.needs_review
    assert "zorblax" not in public_text(report) and "zorblax" in report.to_private_dict()["findings"][0]["detail"]


def test_a_custom_check_registered_with_the_decorator_runs(context):
    @register_check
    class NoNumbersOver100:
        check_id = "test-no-big-numbers"
        kinds = frozenset({"json"})
        needs_value = True

        def check(self, subject, context):
            if isinstance(subject.value, int) and subject.value > 100:
                return [Finding(self.check_id, "withhold", "numbers over 100 are not allowed", str(subject.value))]
            return []

    try:
        gate = ReleaseGate()
        assert gate.inspect(encode_result(5), context).checks_run[-1] == "test-no-big-numbers"
        report = gate.inspect(encode_result(500), context)
        assert report.withheld_by == ("test-no-big-numbers",)
        assert gate.inspect(encode_result(pd.DataFrame({"n": [500]})), context).released  # json only
        with pytest.raises(ConfigurationError):
            register_check(type("Clash", (NoNumbersOver100,), {}))  # same id, another class
    finally:
        unregister_check("test-no-big-numbers")
    assert "test-no-big-numbers" not in [c.check_id for c in registered_checks()]


def test_gate_configuration_is_validated():
    with pytest.raises(ConfigurationError):
        ReleaseGate(checks=[])
    with pytest.raises(ConfigurationError):
        ReleaseGate(checks=[ResultSizeCheck(), ResultSizeCheck()])
    with pytest.raises(ConfigurationError):
        GateConfig(max_table_rows=0)
    with pytest.raises(ConfigurationError):
        attributes = {"kinds": frozenset({"json"}), "needs_value": True, "check": lambda self, s, c: []}
        register_check(type("NoId", (), attributes))


def test_the_stricter_of_gate_and_context_config_applies(index):
    loose = CheckContext((index,), GateConfig(max_table_rows=10**6))
    strict_gate = ReleaseGate(GateConfig(max_table_rows=10))
    assert not strict_gate.inspect(encode_result(pd.DataFrame({"n": range(11)})), loose).released
    strict_context = CheckContext((index,), GateConfig(verbatim_min_chars=30, verbatim_min_words=10**6))
    copy = " ".join(MARKER.split()[:4])  # 4 words, 34 characters: under the default thresholds
    assert ReleaseGate().inspect(encode_result(copy), CheckContext((index,))).released
    assert not ReleaseGate().inspect(encode_result(copy), strict_context).released


def test_no_indexes_means_nothing_to_compare(gate):
    assert gate.inspect(encode_result(MARKER), CheckContext()).released


def test_report_dicts_and_hash(gate, context):
    report = gate.inspect(encode_result([MARKER]), context)
    public, private = report.to_public_dict(), report.to_private_dict()
    assert "detail" not in json.dumps(public) and private["findings"][0]["detail"]
    assert GateReport.from_private_dict(private) == report
    assert report.sha256() == GateReport.from_private_dict(private).sha256()
    assert len(report.sha256()) == 64
    other = Finding("verbatim-text", "withhold", report.findings[0].public_message, "another detail")
    altered = GateReport((other,), report.checks_run)
    assert altered.sha256() != report.sha256()
    assert not GateReport((), ()).released  # nothing ran: nothing is released


def test_finding_validates_severity():
    with pytest.raises(ValueError):
        Finding("x", "maybe", "m", "d")  # type: ignore[arg-type]
    assert VerbatimTextCheck.check_id == "verbatim-text"
