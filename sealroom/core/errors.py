"""The one error family of Sealroom.

Every error that crosses a boundary (HTTP, CLI, kernel) is a ``SealroomError``. It carries two
texts:

- ``public_message``: safe for anyone who may call the operation, data scientists included. It
  names the problem and what to do about it, and never contains private content.
- ``detail``: for the rights holder, the operator and the logs on the trusted side. It may name
  files, policy internals or matched content. It never leaves the vault to a data scientist.

Each subclass fixes a ``code`` (a stable, machine-readable name) and the HTTP status the service
maps it to, so the service, CLI and kernel translate errors in exactly one place each.
"""

from __future__ import annotations


class SealroomError(Exception):
    """Base class: ``public_message`` is safe to show; ``detail`` stays on the trusted side."""

    code = "sealroom_error"
    http_status = 500

    def __init__(self, public_message: str, detail: str = "") -> None:
        super().__init__(public_message)
        self.public_message = public_message
        self.detail = detail

    def to_public_dict(self) -> dict[str, str]:
        """The JSON body a caller may see (never includes ``detail``)."""
        return {"error": self.code, "message": self.public_message}


class InvalidInput(SealroomError):
    """The caller sent something malformed or out of range."""

    code = "invalid_input"
    http_status = 400


class IngestError(InvalidInput):
    """A dataset could not be ingested; nothing was changed."""

    code = "ingest_error"


class UnknownOperation(InvalidInput):
    """A pointer query names an operation the operation registry does not declare for that type."""

    code = "unknown_operation"


class NotFound(SealroomError):
    """The named thing does not exist (or the caller may not know that it does)."""

    code = "not_found"
    http_status = 404


class AlreadyExists(SealroomError):
    """A unique name is already taken."""

    code = "already_exists"
    http_status = 409


class Unauthenticated(SealroomError):
    """No valid credentials were presented."""

    code = "unauthenticated"
    http_status = 401


class Forbidden(SealroomError):
    """The caller is known but may not do this."""

    code = "forbidden"
    http_status = 403


class InvalidTransition(SealroomError):
    """A request was asked to move to a state its lifecycle does not allow from where it is."""

    code = "invalid_transition"
    http_status = 409


class NotReleased(SealroomError):
    """A result was asked for that is not (or will never be) released; the message says why."""

    code = "not_released"
    http_status = 409


class SandboxError(SealroomError):
    """The sandbox could not run a job (setup failed, limits hit, job crashed)."""

    code = "sandbox_error"
    http_status = 500


class IntegrityError(SealroomError):
    """Stored data failed an integrity check (tampered ciphertext, broken audit chain)."""

    code = "integrity_error"
    http_status = 500


class ConfigurationError(SealroomError):
    """The workspace or deployment is misconfigured; the operator must fix it."""

    code = "configuration_error"
    http_status = 500
