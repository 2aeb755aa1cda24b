"""Every error of the API is JSON with a stable code and a human message:

    {"code": "illegal_transition", "message": "…"}
    {"code": "missing_reason", "message": "…", "field": "reason"}
    {"code": "invalid", "message": "…",
     "fields": {"petitioners.0.name": [{"code": "blank", "message": "…"}]}}

Domain errors keep the code the service gave them (xinfang.core.errors): 400 for a refused
action, 403 PermissionDeniedError, 409 ConflictError (someone changed the case: optimistic
locking) and IllegalTransition (not possible in the case's state). Codes are listed in
docs/api.md.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from xinfang.cases.transitions import IllegalTransition
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError

logger = logging.getLogger("xinfang.api")

NON_FIELD = "non_field_errors"


def domain_status(exc: DomainError) -> int:
    if isinstance(exc, PermissionDeniedError):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, ConflictError | IllegalTransition):
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def flatten(detail: Any, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """DRF's nested error details as ``{"a.0.b": [{"code", "message"}]}``."""
    out: dict[str, list[dict[str, str]]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for path, errors in flatten(value, name).items():
                out.setdefault(path, []).extend(errors)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                for path, errors in flatten(
                    item, f"{prefix}.{index}" if prefix else str(index)
                ).items():
                    out.setdefault(path, []).extend(errors)
            else:
                out.setdefault(prefix or NON_FIELD, []).append(
                    {"code": str(getattr(item, "code", None) or "invalid"), "message": str(item)}
                )
    else:
        out.setdefault(prefix or NON_FIELD, []).append(
            {"code": str(getattr(detail, "code", None) or "invalid"), "message": str(detail)}
        )
    return out


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **{k: v for k, v in extra.items() if v}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(
            error_body(exc.code, exc.message, field=exc.field), status=domain_status(exc)
        )
    # DRF's handler sets the status and headers (WWW-Authenticate, Allow, Retry-After) of the
    # errors it knows; the body is replaced by ours.
    response = (
        drf_exception_handler(exc, context)
        if isinstance(exc, Http404 | PermissionDenied | exceptions.APIException)
        else None
    )
    if response is not None:
        if isinstance(exc, exceptions.ValidationError):
            response.data = error_body(
                "invalid", _("Some fields are not valid."), fields=flatten(exc.detail)
            )
            return response
        if isinstance(exc, Http404):
            code, message = "not_found", _("Not found.")
        elif isinstance(exc, PermissionDenied):
            code = "permission_denied"
            message = str(exc) or str(exceptions.PermissionDenied.default_detail)
        elif isinstance(exc, exceptions.APIException):
            detail = exc.detail
            code = str(getattr(detail, "code", None) or exc.default_code)
            message = (
                str(detail) if not isinstance(detail, list | dict) else str(exc.default_detail)
            )
        else:  # unreachable: DRF answers only the three kinds above
            code, message = "error", str(exc)
        response.data = error_body(code, message)
        return response
    # Anything else is our fault: log it with its traceback, answer JSON all the same.
    logger.exception("API error in %s", context.get("view").__class__.__name__)
    set_rollback()
    return Response(
        error_body("server_error", _("Something went wrong on our side; it has been logged.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


class FieldErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable machine-readable code (docs/api.md).")
    message = serializers.CharField(help_text="Human message in the request's language.")
    field = serializers.CharField(
        required=False, help_text="The request field a domain rule refused, if any."
    )
    fields = serializers.DictField(  # type: ignore[assignment]  # a field, not .fields
        child=serializers.ListField(child=FieldErrorSerializer()),
        required=False,
        help_text='Validation errors by field path, e.g. "petitioners.0.name".',
    )


ERROR_DESCRIPTIONS = {
    400: "Invalid input (code 'invalid', with 'fields') or refused by a rule (code from the "
    "service, e.g. 'missing_reason').",
    401: "No or invalid credentials ('not_authenticated', 'authentication_failed').",
    403: "The role lacks the capability, or the rule refuses this user ('permission_denied').",
    404: "No such object among those visible to the user ('not_found').",
    409: "Not possible in the case's state ('illegal_transition'), or the case changed since "
    "the given version ('conflict').",
    415: "The body is not JSON ('unsupported_media_type').",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an operation."""
    return {c: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[c]) for c in codes}
