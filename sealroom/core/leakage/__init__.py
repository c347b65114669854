"""The release gate and its leakage checks (ARCHITECTURE §6).

``ReleaseGate(config).inspect(encoded_result, CheckContext(text_indexes, config))`` returns a
``GateReport``; ``report.released`` says whether the result may leave the vault. Checks register
with ``@register_check``; importing this package registers the built-ins (``result-size``,
``verbatim-text``) through the same decorator, which is all that happens at import time.

Modules: ``findings`` (Finding, GateReport), ``gate`` (config, context, registry, gate),
``normalise`` (tokenising and hashing), ``text_index`` / ``text_index_io`` (the verbatim index and
its file format), ``strings`` (strings in a result), ``size`` and ``verbatim`` (the checks).
"""

from sealroom.core.leakage.findings import SEVERITIES, Finding, GateReport, Severity
from sealroom.core.leakage.gate import (
    GATE_CHECK_ID,
    SUBJECT_KINDS,
    CheckContext,
    GateConfig,
    LeakageCheck,
    ReleaseGate,
    Subject,
    register_check,
    registered_checks,
    unregister_check,
)
from sealroom.core.leakage.normalise import normalise, tokenize
from sealroom.core.leakage.size import ResultSizeCheck
from sealroom.core.leakage.strings import TextGroup, extract_strings, text_groups
from sealroom.core.leakage.text_index import MAX_OCCURRENCES_PER_ANCHOR, QueryText, TextMatch, VerbatimTextIndex
from sealroom.core.leakage.verbatim import VerbatimTextCheck

__all__ = [
    "GATE_CHECK_ID",
    "MAX_OCCURRENCES_PER_ANCHOR",
    "SEVERITIES",
    "SUBJECT_KINDS",
    "CheckContext",
    "Finding",
    "GateConfig",
    "GateReport",
    "LeakageCheck",
    "QueryText",
    "ReleaseGate",
    "ResultSizeCheck",
    "Severity",
    "Subject",
    "TextGroup",
    "TextMatch",
    "VerbatimTextCheck",
    "VerbatimTextIndex",
    "extract_strings",
    "normalise",
    "register_check",
    "registered_checks",
    "text_groups",
    "tokenize",
    "unregister_check",
]
