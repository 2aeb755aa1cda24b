"""Submitting a petition online: registered as channel "online" by the portal's system
account, files kept, consent recorded, query code shown and sent."""

from __future__ import annotations

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.cases.models import Attachment, Case, Channel, Status
from xinfang.cases.services import case_register
from xinfang.core.errors import PermissionDeniedError
from xinfang.notify.models import Message, MessageStatus
from xinfang.org.models import Role, User
from xinfang.portal.models import Submission
from xinfang.portal.services import PRIVACY_NOTICE_VERSION, portal_account

from .conftest import VALID_ID, petition_post, png

pytestmark = pytest.mark.django_db


def test_a_citizen_submits_and_gets_the_number_and_query_code(
    client, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/submit/", {**petition_post(users), "attachments": [png()]})
    assert response.status_code == 302
    assert response["Location"] == "/portal/submitted/"
    case = Case.objects.get(title="村道塌方影响出行")
    assert case.channel == Channel.ONLINE
    assert case.status == Status.REGISTERED
    assert case.route_due is not None  # the 15-day routing limit started
    person = case.petitioners.get()
    assert (person.name, person.id_number, person.phone) == ("李四", VALID_ID, "13912345678")
    assert person.address == "通海县秀山街道文庙街12号"
    assert case.request == "请尽快修复村道。"

    receipt = client.get("/portal/submitted/")
    html = receipt.content.decode()
    assert case.number in html
    assert case.query_code in html
    assert receipt["Cache-Control"].startswith("no-store")

    attachment = Attachment.objects.get(case=case)
    assert attachment.original_name == "照片.png"
    assert attachment.kind == "image"

    submission = Submission.objects.get(case=case)
    assert submission.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert submission.sensitive_consent is True

    # The query code goes out by SMS and e-mail (logging SMS backend, test e-mail outbox).
    sent = {m.channel: m for m in Message.objects.filter(case=case)}
    assert set(sent) == {"sms", "email"}
    assert all(m.status == MessageStatus.SENT for m in sent.values())
    assert case.query_code in sent["sms"].body
    assert sent["sms"].recipient_masked == "139****5678"


def test_the_portal_account_registers_it_and_the_audit_says_via_citizen_portal(client, users):
    client.post("/portal/submit/", petition_post(users))
    case = Case.objects.get()
    account = User.objects.get(username="portal")
    assert case.registered_by == account
    assert account.role == Role.CLERK
    assert not account.has_usable_password()
    for password in ("", "!", account.password):
        client.post("/accounts/login/", {"username": "portal", "password": password})
        assert "_auth_user_id" not in client.session
    record = AuditRecord.objects.get(action="portal.case.submit")
    assert record.actor == account
    assert record.after["via"] == "citizen portal"
    assert record.object_id == str(case.pk)
    assert AuditRecord.objects.filter(action="org.user.create", object_id=str(account.pk)).exists()
    assert AuditRecord.objects.filter(action="case.register", object_id=str(case.pk)).exists()


def test_the_portal_account_is_created_once(users):
    first = portal_account()
    assert portal_account() == first
    assert User.objects.filter(username="portal").count() == 1
    created = AuditRecord.objects.filter(action="org.user.create", object_id=str(first.pk))
    assert created.count() == 1


def test_anonymous_users_still_cannot_register_directly(users):
    from xinfang.cases.tests.factories import register

    with pytest.raises(PermissionDeniedError):
        register(users, actor=None)
    assert case_register is not None


def test_a_deactivated_portal_account_closes_online_submission(client, users):
    account = portal_account()
    account.is_active = False
    account.save()
    response = client.post("/portal/submit/", petition_post(users))
    assert response.status_code == 400
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "110105194912310021"),  # wrong check character
        ("id_number", "110105194902301234"),  # 30 February
        ("id_number", "1101051949123"),
        ("phone", "12345"),
        ("name", ""),
        ("request", ""),
        ("consent", None),
        ("sensitive_consent", None),
    ],
)
def test_a_refused_form_registers_nothing(client, users, field, value):
    response = client.post("/portal/submit/", petition_post(users, **{field: value}))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="field-{field}"' in html
    assert 'aria-invalid="true"' in html or field.endswith("consent")
    assert Case.objects.count() == 0


def test_attachments_are_checked_by_content_and_counted(client, users):
    fake = png("扫描件.pdf")  # PNG bytes under a .pdf name
    response = client.post("/portal/submit/", {**petition_post(users), "attachments": [fake]})
    assert response.status_code == 400
    too_many = [png(f"{i}.png") for i in range(6)]
    response = client.post("/portal/submit/", {**petition_post(users), "attachments": too_many})
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_submissions_per_address_are_limited(client, users, settings):
    settings.XINFANG_PORTAL = {**settings.XINFANG_PORTAL, "SUBMISSIONS_PER_HOUR": 2}
    for _ in range(2):
        assert client.post("/portal/submit/", petition_post(users)).status_code == 302
    response = client.post("/portal/submit/", petition_post(users))
    assert response.status_code == 400
    assert Case.objects.count() == 2
    # another address is not affected
    other = client.post("/portal/submit/", petition_post(users), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_the_receipt_is_only_for_the_browser_that_submitted(client, users):
    client.post("/portal/submit/", petition_post(users))
    case = Case.objects.get()
    client.cookies.clear()
    html = client.get("/portal/submitted/").content.decode()
    assert case.query_code not in html


def test_the_form_and_the_privacy_notice_are_public(client, demo_org):
    html = client.get("/portal/submit/").content.decode()
    assert 'name="sensitive_consent"' in html
    assert 'data-source="/portal/divisions.json"' in html
    privacy = client.get("/portal/privacy/").content.decode()
    assert PRIVACY_NOTICE_VERSION in privacy
    divisions = client.get("/portal/divisions.json").json()["divisions"]
    assert {d["level"] for d in divisions} == {"county", "township", "village"}
