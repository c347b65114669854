"""The policy pack: the Cedar schema and the default workspace policies, loaded once and hashed.

``policies/`` (data, never executed) holds ``schema.cedarschema``, ``default/*.cedar`` (the
workspace pack), ``licenses/*.json`` (license templates), ``dataset/*.cedar`` (example policies a
rights holder may attach) and ``examples/*.json`` (requests with their expected outcomes, run by
``sealroom policy test``).

Every policy carries ``@id`` and ``@reason``; a ``forbid`` carries ``@effect("deny")`` or
``@effect("review")``; ``@public("false")`` hides a reason from the data scientist. ``read_policies``
checks all of that and validates the text against the schema, refusing with the validator's
message; ``PolicyPack.load`` applies it to the default pack, so a broken pack never loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cedarpy

from sealroom.core.errors import ConfigurationError, InvalidInput
from sealroom.core.hashing import sha256_json

EFFECTS = ("permit", "review", "deny")
MAX_POLICY_CHARS = 20_000


@dataclass(frozen=True)
class PolicyMeta:
    """What a policy's annotations say: its id, effect, reason, and who may see the reason."""

    policy_id: str
    effect: str  # one of EFFECTS
    reason: str
    public: bool = True
    source: str = "workspace"  # "workspace" or "dataset:<name>"


def policies_dir() -> Path:
    """The shipped ``policies/`` directory (in the wheel as ``sealroom/_policies``)."""
    import sealroom

    package = Path(sealroom.__file__).resolve().parent
    for candidate in (package / "_policies", package.parent / "policies"):
        if (candidate / "schema.cedarschema").is_file():
            return candidate
    raise ConfigurationError("the Cedar policy pack is missing: no policies/schema.cedarschema next to the sealroom package")


def read_policies(text: str, schema_text: str, *, source: str) -> list[PolicyMeta]:
    """Validate Cedar ``text`` against the schema and read its annotations (raises InvalidInput)."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the policy text is empty")
    if len(text) > MAX_POLICY_CHARS:
        raise InvalidInput(f"the policy text is longer than {MAX_POLICY_CHARS} characters")
    try:
        document = json.loads(cedarpy.policies_to_json_str(text))
    except ValueError as exc:
        raise InvalidInput(f"the policy does not parse: {_first_line(exc)}") from None
    if document.get("templates"):
        raise InvalidInput("policy templates (with ?principal/?resource slots) are not supported; write static policies")
    validation = cedarpy.validate_policies(text, schema_text)
    if not validation.validation_passed:
        ids = validation.id_annotations_by_policy_id
        messages = [f"{ids.get(e.policy_id, e.policy_id) or 'policy'}: {e.error}" for e in validation.errors]
        raise InvalidInput("the policy does not validate against the Sealroom schema: " + "; ".join(messages))
    metas = [_meta(body, source) for body in document.get("staticPolicies", {}).values()]
    if not metas:
        raise InvalidInput("the text holds no policy")
    seen: set[str] = set()
    for meta in metas:
        if meta.policy_id in seen:
            raise InvalidInput(f"two policies share the @id {meta.policy_id!r}; every @id must be unique")
        seen.add(meta.policy_id)
    return metas


def _meta(body: dict, source: str) -> PolicyMeta:
    notes = body.get("annotations") or {}
    policy_id = (notes.get("id") or "").strip()
    if not policy_id:
        raise InvalidInput('every policy needs an @id("...") annotation naming it')
    reason = (notes.get("reason") or "").strip()
    if not reason:
        raise InvalidInput(f'policy {policy_id!r} needs a @reason("...") annotation: the explanation people see')
    if body.get("effect") == "permit":
        if notes.get("effect", "permit") != "permit":
            raise InvalidInput(f'policy {policy_id!r} is a permit; only forbids take @effect("deny") or @effect("review")')
        effect = "permit"
    else:
        effect = notes.get("effect", "")
        if effect not in ("deny", "review"):
            raise InvalidInput(f'forbid policy {policy_id!r} needs @effect("deny") or @effect("review")')
    public = notes.get("public", "true")
    if public not in ("true", "false"):
        raise InvalidInput(f'policy {policy_id!r}: @public takes "true" or "false"')
    return PolicyMeta(policy_id=policy_id, effect=effect, reason=reason, public=public == "true", source=source)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@dataclass(frozen=True)
class PolicyPack:
    """The schema (text + parsed handle) and the workspace policies with their annotations."""

    directory: Path
    schema_text: str
    policies_text: str
    metas: dict[str, PolicyMeta]
    sha256: str

    @classmethod
    def load(cls, directory: Path | None = None) -> "PolicyPack":
        root = directory or policies_dir()
        schema_path = root / "schema.cedarschema"
        files = sorted((root / "default").glob("*.cedar"))
        if not schema_path.is_file() or not files:
            raise ConfigurationError(f"{root} holds no schema.cedarschema or default/*.cedar policies")
        schema_text = schema_path.read_text()
        texts = {f.name: f.read_text() for f in files}
        policies_text = "\n".join(texts.values())
        try:
            metas = read_policies(policies_text, schema_text, source="workspace")
        except InvalidInput as exc:
            raise ConfigurationError(f"the workspace policy pack in {root} is invalid: {exc.public_message}") from None
        digest = sha256_json({"schema": schema_text, "policies": texts})
        return cls(directory=root, schema_text=schema_text, policies_text=policies_text, metas={m.policy_id: m for m in metas}, sha256=digest)

    def example_files(self) -> list[Path]:
        return sorted((self.directory / "examples").glob("*.json"))
