"""Settings of the notifications to citizens, with defaults (settings.XINFANG_NOTIFY overrides
them; docs/notifications.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Dotted paths of the classes that send (xinfang.notify.backends); any class with the
    # same ``send`` method can be configured instead.
    "SMS_BACKEND": "xinfang.notify.backends.LoggingSMSBackend",
    "EMAIL_BACKEND": "xinfang.notify.backends.DjangoEmailBackend",
    # HTTP SMS gateway (HttpGatewaySMSBackend): JSON is POSTed to this URL.
    "SMS_GATEWAY_URL": "",
    "SMS_GATEWAY_TOKEN": "",  # sent as "Authorization: Bearer <token>" when set
    "SMS_GATEWAY_TIMEOUT": 10,  # seconds
    # Chinese SMS carry the sender's signature in 【】 (required by the carriers).
    "SIGNATURE": "通海县信访局",
    # Sender of e-mails; empty: Django's DEFAULT_FROM_EMAIL.
    "FROM_EMAIL": "",
    # Public address of the citizen portal's tracking page, put into messages when set,
    # e.g. "https://xinfang.example.gov.cn/portal/track/".
    "PORTAL_URL": "",
    # The periodic catch-up (xinfang.notify.dispatch) looks this far back for steps of a case
    # whose message was never queued (a lost task); older steps are not notified any more.
    "LOOKBACK_HOURS": 48,
}


def conf(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "XINFANG_NOTIFY", {})}[name]
