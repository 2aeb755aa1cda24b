"""Pluggable senders. Settings name the class per channel (XINFANG_NOTIFY["SMS_BACKEND"],
["EMAIL_BACKEND"]); a backend has one method, ``send``, that returns the provider's message id
(or "") and raises :class:`SendError` when the message was not accepted."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.utils.module_loading import import_string

from .conf import conf
from .masking import mask_recipient

logger = logging.getLogger("xinfang.notify")


class SendError(Exception):
    """The message was not accepted; the text is stored with the message."""


class Backend(Protocol):
    def send(self, *, to: str, subject: str, body: str) -> str: ...


def backend_for(channel: str) -> Backend:
    path = conf("SMS_BACKEND") if channel == "sms" else conf("EMAIL_BACKEND")
    cls: Any = import_string(path)
    return cls()  # type: ignore[no-any-return]


def backend_name(channel: str) -> str:
    return str(conf("SMS_BACKEND") if channel == "sms" else conf("EMAIL_BACKEND"))


class LoggingSMSBackend:
    """Development and demo: writes the SMS to the log instead of sending it."""

    def send(self, *, to: str, subject: str, body: str) -> str:
        logger.info("SMS to %s: %s", mask_recipient(to), body)
        return ""


class HttpGatewaySMSBackend:
    """An SMS gateway reached over HTTP: POSTs ``{"to": ..., "text": ..., "signature": ...}`` as
    JSON to XINFANG_NOTIFY["SMS_GATEWAY_URL"], with a bearer token when one is configured.

    Any 2xx answer means accepted; the gateway's id is taken from a JSON answer's
    "id"/"message_id"/"msgid" when present. Other answers and network errors raise SendError.
    """

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = url if url is not None else str(conf("SMS_GATEWAY_URL"))
        self.token = token if token is not None else str(conf("SMS_GATEWAY_TOKEN"))
        self.timeout = float(conf("SMS_GATEWAY_TIMEOUT"))

    def send(self, *, to: str, subject: str, body: str) -> str:
        if urlsplit(self.url).scheme not in {"http", "https"}:
            raise SendError("SMS gateway URL not configured (XINFANG_SMS_GATEWAY_URL)")
        payload = json.dumps(
            {"to": to, "text": body, "signature": str(conf("SIGNATURE"))}, ensure_ascii=False
        ).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")  # noqa: S310 (scheme checked above)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace")
            raise SendError(f"SMS gateway answered HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SendError(f"SMS gateway unreachable: {exc}") from exc
        try:
            answer = json.loads(raw.decode("utf-8") or "{}")
        except ValueError:
            return ""
        if isinstance(answer, dict):
            for key in ("id", "message_id", "msgid"):
                if answer.get(key):
                    return str(answer[key])[:200]
        return ""


class DjangoEmailBackend:
    """E-mail through Django's e-mail framework (EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT,
    EMAIL_USE_TLS ...): in production a real SMTP server."""

    def send(self, *, to: str, subject: str, body: str) -> str:
        message_id = make_msgid(domain="xinfang")
        email = EmailMessage(
            subject=subject,
            body=body,
            from_email=str(conf("FROM_EMAIL")) or settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"Message-ID": message_id},
            connection=get_connection(fail_silently=False),
        )
        try:
            sent = email.send(fail_silently=False)
        except Exception as exc:  # smtplib, socket and SSL errors alike
            raise SendError(f"{type(exc).__name__}: {exc}") from exc
        if sent != 1:
            raise SendError("the e-mail backend did not accept the message")
        return message_id
