"""One error type for refused domain actions, with stable codes.

The web shows ``message`` beside the field named by ``field`` (or at the top of the form);
the API answers ``{"code": ..., "message": ...}``.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str = "") -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.field = field


class PermissionDeniedError(DomainError):
    code = "permission_denied"


class ConflictError(DomainError):
    """The object changed since the user loaded it (optimistic locking)."""

    code = "conflict"
