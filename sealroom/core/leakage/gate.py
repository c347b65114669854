"""The release gate: runs every leakage check on a result and collects a ``GateReport``.

Contract
--------
- A check is any object with ``check_id`` (str), ``kinds`` (the subject kinds it understands: a
  subset of ``SUBJECT_KINDS``), ``needs_value`` (whether it needs the decoded value, not just the
  size) and ``check(subject, context) -> Iterable[Finding]``. Checks report problems as findings
  and never raise for bad content.
- Checks register with ``@register_check`` on a class with a no-argument constructor. Built-ins
  (``result-size``, ``verbatim-text``) register exactly like extensions; ``ReleaseGate()`` with
  ``checks=None`` runs every registered check, in registration order.
- The gate fails CLOSED. If a check raises or returns something that is not a ``Finding``, that
  check yields a ``withhold`` finding with a generic public message (the exception goes to
  ``private_detail``). If the result cannot be decoded, is larger than ``max_result_bytes`` (it
  is then not decoded at all), or no check applies to its kind, the gate itself
  (``release-gate``) withholds it.
- Every public message is scanned against the context's text indexes before it is reported; one
  that carries private text is replaced by a generic message (defence against a careless check).
- Two configs meet in ``inspect``: the gate's and the context's. The checks get the stricter of
  the two, field by field (every field is a limit or a threshold where smaller is stricter).
"""

from __future__ import annotations

import dataclasses
import traceback
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Protocol, Sequence, runtime_checkable

from sealroom.core.errors import ConfigurationError
from sealroom.core.leakage.findings import Finding, GateReport
from sealroom.core.leakage.text_index import VerbatimTextIndex
from sealroom.core.results import RESULT_KINDS, EncodedResult, decode_result

SubjectKind = Literal["json", "table", "image", "text"]
SUBJECT_KINDS: frozenset[str] = frozenset({"json", "table", "image", "text"})
GATE_CHECK_ID = "release-gate"


@dataclass(frozen=True, kw_only=True)
class GateConfig:
    """Limits and thresholds of the built-in checks (all positive; smaller is stricter)."""

    max_result_bytes: int = 16 * 1024**2
    max_table_rows: int = 5000
    max_table_columns: int = 200
    max_image_pixels: int = 4096 * 4096
    verbatim_min_words: int = 12  # a shared run of >= 12 words is a copy
    verbatim_min_chars: int = 50  # or >= 50 characters (normalised text)
    whole_item_min_words: int = 4  # an entire private item of >= 4 words is a copy
    whole_item_withhold_words: int = 8  # shorter whole-item matches are sent to review, not withheld

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigurationError(f"GateConfig.{field.name} must be a positive integer, got {value!r}")

    def strictest(self, other: "GateConfig") -> "GateConfig":
        """Field by field, the smaller (stricter) of ``self`` and ``other``."""
        names = [f.name for f in dataclasses.fields(self)]
        return GateConfig(**{name: min(getattr(self, name), getattr(other, name)) for name in names})


@dataclass(frozen=True)
class CheckContext:
    """What checks compare a result against: one text index per private asset the job read."""

    text_indexes: tuple[VerbatimTextIndex, ...] = ()
    config: GateConfig = GateConfig()


_NOT_DECODED = object()


@dataclass(frozen=True)
class Subject:
    """What a check inspects: a decoded result (``json``/``table``/``image``) or a free ``text``."""

    kind: SubjectKind
    size_bytes: int  # bytes of the encoded payload (UTF-8 bytes for text)
    value: Any = _NOT_DECODED  # JSON value, pandas DataFrame, PIL image, or str

    @property
    def decoded(self) -> bool:
        return self.value is not _NOT_DECODED


@runtime_checkable
class LeakageCheck(Protocol):
    """A leakage check (see the module docstring)."""

    check_id: str
    kinds: frozenset[str]
    needs_value: bool

    def check(self, subject: Subject, context: CheckContext) -> Iterable[Finding]: ...


_REGISTRY: dict[str, type] = {}


def register_check(cls: type) -> type:
    """Class decorator: register a check class (instantiated with no arguments per gate)."""
    check_id = getattr(cls, "check_id", None)
    if not isinstance(check_id, str) or not check_id or check_id == GATE_CHECK_ID:
        raise ConfigurationError(f"{cls.__name__} needs a check_id (a non-empty string other than {GATE_CHECK_ID!r})")
    if check_id in _REGISTRY and _REGISTRY[check_id] is not cls:
        raise ConfigurationError(f"a check with id {check_id!r} is already registered")
    kinds = getattr(cls, "kinds", None)
    if not isinstance(kinds, frozenset) or not kinds or not kinds <= SUBJECT_KINDS:
        raise ConfigurationError(f"{cls.__name__}.kinds must be a non-empty frozenset of {sorted(SUBJECT_KINDS)}")
    if not callable(getattr(cls, "check", None)) or not isinstance(getattr(cls, "needs_value", None), bool):
        raise ConfigurationError(f"{cls.__name__} needs a check() method and a needs_value flag")
    _REGISTRY[check_id] = cls
    return cls


def unregister_check(check_id: str) -> None:
    """Remove a registered check (for tests and plugin unloading); unknown ids are ignored."""
    _REGISTRY.pop(check_id, None)


def registered_checks() -> tuple[LeakageCheck, ...]:
    """A fresh instance of every registered check, in registration order."""
    return tuple(cls() for cls in _REGISTRY.values())


class ReleaseGate:
    """Runs the checks on a result and reports; fails closed (see the module docstring)."""

    def __init__(self, config: GateConfig = GateConfig(), checks: Sequence[LeakageCheck] | None = None) -> None:
        self.config = config
        self.checks = registered_checks() if checks is None else tuple(checks)
        ids = [getattr(check, "check_id", None) for check in self.checks]
        if not self.checks:
            raise ConfigurationError("the release gate has no checks; it would release everything")
        if len(set(ids)) != len(ids) or not all(isinstance(i, str) and i for i in ids):
            raise ConfigurationError(f"check ids must be distinct non-empty strings, got {ids}")
        for check in self.checks:
            kinds, needs_value = getattr(check, "kinds", None), getattr(check, "needs_value", None)
            if not isinstance(kinds, frozenset) or not isinstance(needs_value, bool) or not callable(
                getattr(check, "check", None)
            ):
                raise ConfigurationError(f"{check.check_id}: a check needs kinds (frozenset), needs_value, check()")

    def inspect(self, result: EncodedResult, context: CheckContext) -> GateReport:
        """Decode ``result`` (unless too large) and run every check that understands its kind."""
        return self.inspect_decoded(result, context)[0]

    def inspect_decoded(self, result: EncodedResult, context: CheckContext) -> tuple[GateReport, Subject]:
        """``inspect``, also returning what the checks saw (``Subject.decoded`` is False when the
        result was too large or malformed), so a caller that needs the value decodes it once."""
        context = self._effective(context)
        kind, size = result.kind, len(result.payload)
        if kind not in RESULT_KINDS:
            return GateReport((_gate_finding("the result has an unknown kind", f"kind={kind!r}"),), ()), Subject(kind, size)
        if size > context.config.max_result_bytes:
            subject = Subject(kind, size)
            return self._run(subject, context, "it is larger than the size limit"), subject
        try:
            value = decode_result(result)
        except Exception as exc:  # InvalidInput, RecursionError on deep JSON, MemoryError, …
            subject = Subject(kind, size)
            return self._run(subject, context, "it could not be decoded", _describe(exc)), subject
        subject = Subject(kind, size, value)
        return self._run(subject, context), subject

    def inspect_text(self, text: str, context: CheckContext) -> GateReport:
        """Scan a free text (an error message, a log line, stdout) with the checks for ``text``."""
        context = self._effective(context)
        return self._run(Subject("text", len(text.encode("utf-8", "surrogatepass")), text), context)

    def _effective(self, context: CheckContext) -> CheckContext:
        if context.config == self.config:
            return context
        return dataclasses.replace(context, config=self.config.strictest(context.config))

    def _run(self, subject: Subject, context: CheckContext, not_decoded: str = "", detail: str = "") -> GateReport:
        findings: list[Finding] = []
        ran: list[str] = []
        for check in self.checks:
            check_id = check.check_id
            if subject.kind not in check.kinds or (check.needs_value and not subject.decoded):
                continue
            ran.append(check_id)
            try:
                produced = list(check.check(subject, context))
                bad = [f for f in produced if not isinstance(f, Finding)]
                if bad:
                    raise TypeError(f"check returned {type(bad[0]).__name__}, not Finding")
            except Exception as exc:
                produced = [Finding(
                    check_id, "withhold",
                    f"the {check_id} check could not complete, so the result is withheld; "
                    "the operator has been given the details",
                    _describe(exc),
                )]
            findings.extend(produced)
        if not subject.decoded:
            findings.append(_gate_finding(f"the result was not inspected because {not_decoded}", detail))
        elif not ran:
            findings.append(_gate_finding(f"no leakage check applies to {subject.kind} results", ""))
        return GateReport(tuple(_scrub(f, context) for f in findings), tuple(ran))


def _gate_finding(reason: str, detail: str) -> Finding:
    return Finding(GATE_CHECK_ID, "withhold", f"{reason}, so it is withheld ({GATE_CHECK_ID})", detail)


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-4000:]


def _scrub(finding: Finding, context: CheckContext) -> Finding:
    """Replace a public message that quotes indexed private text (defence in depth)."""
    cfg = context.config
    for index in context.text_indexes:
        try:
            hits = index.find_matches(
                finding.public_message, min_words=cfg.verbatim_min_words, min_chars=cfg.verbatim_min_chars,
                whole_item_min_words=max(cfg.whole_item_min_words, index.anchor_words),
            )
        except Exception as exc:  # a broken index must not leak either
            hits, note = [True], _describe(exc)
        else:
            note = "; ".join(f"{m.item_id}: {m.matched_text!r}" for m in hits[:5])
        if hits:
            return dataclasses.replace(
                finding,
                public_message=f"the {finding.check_id} check objected (its message was withheld because it "
                "quoted licensed content)",
                private_detail=f"{finding.private_detail}\n[public message withheld: {finding.public_message!r}; "
                f"matches: {note}]",
            )
    return finding
