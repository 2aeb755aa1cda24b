from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import client_address


class AuditContextMiddleware:
    """Makes the client address available to audit records written during the request.

    REMOTE_ADDR is used as is: behind a reverse proxy, configure it to pass the real
    address (e.g. gunicorn's --forwarded-allow-ips with nginx's X-Forwarded-For).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
