"""The real senders against real local servers started by the tests: an SMTP server
(aiosmtpd) that receives the e-mail, and an HTTP server standing in for the SMS gateway."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from xinfang.cases.tests.factories import register
from xinfang.notify.models import Event, Message, MessageStatus
from xinfang.notify.services import contact_set, message_retry, notify_petitioner

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "xinfang@tonghai.example"
    yield inbox
    controller.stop()


def test_an_email_reaches_a_real_smtp_server(
    users, smtp_server, django_capture_on_commit_callbacks
):
    case = register(users)
    contact_set(actor=None, case=case, email="zhang.san@example.com", sms=False)
    with django_capture_on_commit_callbacks(execute=True):
        [message] = notify_petitioner(case=case, event=Event.REGISTERED, language="zh-hans")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT, message.error
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["zhang.san@example.com"]
    assert envelope.mail_from == "xinfang@tonghai.example"
    mail = message_from_bytes(envelope.original_content, policy=default_policy)
    assert mail["Message-ID"] == message.provider_id
    assert case.number in str(mail["Subject"])
    body = mail.get_body().get_content()
    assert case.query_code in body
    assert "通海县信访局" in body  # signature
    assert message.recipient_masked == "z********@example.com"
    assert message.recipient == ""


def test_an_unreachable_smtp_server_is_recorded_as_failed(users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    case = register(users)
    contact_set(actor=None, case=case, email="zhang.san@example.com", sms=False)
    [message] = notify_petitioner(case=case, event=Event.ACCEPTED)
    from xinfang.notify.services import message_send

    message = message_send(message_id=message.pk)
    assert message.status == MessageStatus.FAILED
    assert "Connection" in message.error or "refused" in message.error.lower()
    assert "zhang.san@example.com" not in message.error
    assert message.recipient == "zhang.san@example.com"  # kept for a retry


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        payload = json.loads(self.rfile.read(length).decode("utf-8"))
        self.server.received.append(  # type: ignore[attr-defined]
            {"path": self.path, "headers": dict(self.headers), "json": payload}
        )
        status = self.server.answer_status  # type: ignore[attr-defined]
        body = json.dumps({"id": f"gw-{len(self.server.received)}"}).encode()  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), GatewayHandler)
    server.received = []  # type: ignore[attr-defined]
    server.answer_status = 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.XINFANG_NOTIFY = {
        **settings.XINFANG_NOTIFY,
        "SMS_BACKEND": "xinfang.notify.backends.HttpGatewaySMSBackend",
        "SMS_GATEWAY_URL": f"http://127.0.0.1:{server.server_address[1]}/sms/send",
        "SMS_GATEWAY_TOKEN": "gateway-secret",
    }
    yield server
    server.shutdown()
    server.server_close()


def test_an_sms_is_posted_as_json_to_the_http_gateway(
    users, gateway, django_capture_on_commit_callbacks
):
    case = register(users)
    with django_capture_on_commit_callbacks(execute=True):
        [message] = notify_petitioner(case=case, event=Event.REGISTERED)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT, message.error
    assert message.provider_id == "gw-1"
    [request] = gateway.received
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer gateway-secret"
    assert request["json"]["to"] == "13800001111"
    assert request["json"]["signature"] == "通海县信访局"
    assert case.query_code in request["json"]["text"]


def test_a_gateway_error_is_stored_and_the_message_can_be_sent_again(
    users, gateway, django_capture_on_commit_callbacks
):
    gateway.answer_status = 503
    case = register(users)
    with django_capture_on_commit_callbacks(execute=True):
        [message] = notify_petitioner(case=case, event=Event.ACCEPTED)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "HTTP 503" in message.error
    gateway.answer_status = 200
    with django_capture_on_commit_callbacks(execute=True):
        message_retry(actor=users["clerk"], message=message)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert len(gateway.received) == 2
    assert Message.objects.filter(case=case).count() == 1


def test_an_unconfigured_gateway_fails_cleanly(users, settings):
    settings.XINFANG_NOTIFY = {
        **settings.XINFANG_NOTIFY,
        "SMS_BACKEND": "xinfang.notify.backends.HttpGatewaySMSBackend",
        "SMS_GATEWAY_URL": "",
    }
    from xinfang.notify.services import message_send

    [message] = notify_petitioner(case=register(users), event=Event.ACCEPTED)
    message = message_send(message_id=message.pk)
    assert message.status == MessageStatus.FAILED
    assert "not configured" in message.error
