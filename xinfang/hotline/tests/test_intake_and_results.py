"""The JSON intake endpoint, the outbound status export and the status callbacks."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.audit.models import AuditRecord
from xinfang.cases.models import Case, Channel, PetitionType
from xinfang.cases.services import case_accept, case_reply, case_route
from xinfang.hotline.callbacks import report_back
from xinfang.hotline.models import HotlineOrder
from xinfang.open311.models import Scope
from xinfang.open311.services import api_client_issue
from xinfang.org.models import Unit

pytestmark = pytest.mark.django_db
URL = "/hotline/api/orders"
ANSWER = "经现场核查，已督促物业于三日内完成楼顶防水层维修，并已回访来电人。"


def order(number="RX1", **overrides):
    data = {
        "order_number": number,
        "order_type": "complaint",
        "urgent": False,
        "received_at": (timezone.localtime() - timedelta(hours=1)).isoformat(timespec="seconds"),
        "caller_name": "王伟",
        "caller_phone": "13900000000",
        "category": "urban-rural",
        "division": "530423001",
        "title": "楼顶漏水",
        "content": "小区5栋楼顶漏水两年未修。",
    }
    data.update(overrides)
    return data


@pytest.fixture
def hotline_key(demo_org):
    return api_client_issue(actor=None, name="12345平台", scopes=[Scope.HOTLINE])


def send(client, key, data):
    return client.post(
        URL, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {key}"
    )


def test_an_order_sent_by_the_platform_becomes_a_hotline_case_once(client, hotline_key):
    api_client, key = hotline_key
    response = send(client, key, order(order_type="举报", urgent="是"))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["case_number"])
    assert case.channel == Channel.HOTLINE
    assert case.petition_type == PetitionType.ACCUSATION
    assert case.registered_by == api_client.user
    assert body["status"] == "in_handling"
    assert body["created"] is True
    assert body["query_code"] == case.query_code
    again = send(client, key, order(order_type="举报", urgent="是"))
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["query_code"] is None
    assert HotlineOrder.objects.count() == 1
    assert Case.objects.count() == 1
    assert AuditRecord.objects.filter(action="hotline.order.intake").count() == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"order_type": "gossip"}, "invalid"),
        ({"caller_name": ""}, "invalid"),
        ({"legal_procedure": "仲裁中"}, "not_taken"),
        ({"received_at": "soon"}, "invalid"),
    ],
)
def test_invalid_or_not_taken_orders_are_refused(client, hotline_key, overrides, code):
    _c, key = hotline_key
    response = send(client, key, order(**overrides))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not HotlineOrder.objects.exists()
    assert not Case.objects.exists()


def test_a_matter_already_in_the_petition_channel_is_not_taken(client, hotline_key):
    _c, key = hotline_key
    assert send(client, key, order("RX1")).status_code == 201
    refused = send(client, key, order("RX2", title="还是漏水"))  # same caller, same subject
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_taken"
    assert HotlineOrder.objects.count() == 1


def test_intake_authentication(client, users, demo_org):
    _c, open311_only = api_client_issue(actor=None, name="app", scopes=[Scope.OPEN311])
    assert send(client, open311_only, order()).status_code == 403
    assert client.post(URL, json.dumps(order()), content_type="application/json").status_code == 403
    assert client.get(URL).status_code == 405
    client.force_login(users["handler"])  # no hotline capability
    assert client.post(URL, json.dumps(order()), content_type="application/json").status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["clerk"])
    refused = strict.post(URL, json.dumps(order()), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf"
    client.force_login(users["clerk"])
    assert client.post(URL, json.dumps(order()), content_type="application/json").status_code == 201
    assert client.post(URL, b"not json", content_type="application/json").status_code == 400


def _export(client):
    response = client.get("/hotline/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["order_number"]: row for row in csv.DictReader(io.StringIO(text))}


def test_status_export_reports_results_times_and_overdue_orders(client, users, hotline_key):
    _c, key = hotline_key
    send(client, key, order("RX1"))
    old = (timezone.localtime() - timedelta(days=20)).isoformat(timespec="seconds")
    send(client, key, order("RX2", received_at=old, caller_phone="13900000002"))
    case = HotlineOrder.objects.get(order_number="RX1").case
    case = case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"))
    case = case_accept(actor=users["handler"], case=case)
    case_reply(actor=users["handler"], case=case, outcome="supported", text=ANSWER)
    client.force_login(users["supervisor"])
    rows = _export(client)
    answered, late = rows["RX1"], rows["RX2"]
    assert answered["status"] == "answered"
    assert answered["case_status"] == "replied"
    assert ANSWER in answered["result"]
    assert answered["answered_at"]
    assert answered["overdue"] == "no"
    assert late["status"] == "in_handling"
    assert late["overdue"] == "yes"
    assert late["answered_at"] == ""
    assert late["due_at"] < answered["due_at"]
    assert "王伟" not in str(rows)
    assert "13900000000" not in str(rows)
    client.force_login(users["handler"])
    assert client.get("/hotline/export.csv").status_code == 403


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict, str]] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((body, self.headers["X-Xinfang-Signature"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hotline-results"
    server.shutdown()
    server.server_close()


def test_changed_statuses_are_posted_back_signed(client, users, demo_org, receiver):
    api_client, key = api_client_issue(
        actor=None, name="12345平台", scopes=[Scope.HOTLINE], callback_url=receiver
    )
    send(client, key, order("RX1"))
    assert report_back() == {"sent": 1, "failed": 0}
    assert report_back() == {"sent": 0, "failed": 0}  # nothing changed since
    case = HotlineOrder.objects.get().case
    case = case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"))
    case = case_accept(actor=users["handler"], case=case)
    case_reply(actor=users["handler"], case=case, outcome="explained", text=ANSWER)
    assert report_back() == {"sent": 1, "failed": 0}
    statuses = []
    for body, signature in Receiver.received:
        digest = hashlib.sha256(key.encode()).hexdigest()
        expected = "sha256=" + hmac.new(digest.encode(), body, hashlib.sha256).hexdigest()
        assert signature == expected
        statuses.append(json.loads(body)["status"])
    assert statuses == ["in_handling", "answered"]
    assert HotlineOrder.objects.get().reported_status == "answered"


def test_an_unreachable_callback_is_retried_later(client, demo_org):
    _c, key = api_client_issue(
        actor=None, name="p", scopes=[Scope.HOTLINE], callback_url="http://127.0.0.1:9/x"
    )
    send(client, key, order("RX1"))
    assert report_back() == {"sent": 0, "failed": 1}
    assert HotlineOrder.objects.get().reported_status == ""
