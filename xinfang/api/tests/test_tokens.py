"""Token authentication for systems, and the browser session (with CSRF on writes)."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from xinfang.api.models import ApiToken
from xinfang.api.services import api_token_issue, api_token_revoke
from xinfang.audit.models import AuditRecord
from xinfang.core.errors import DomainError

pytestmark = pytest.mark.django_db


def bearer(key: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def test_only_a_digest_of_the_token_is_stored_and_its_issue_is_audited(users):
    issued = api_token_issue(actor=None, user=users["clerk"], name="12345 platform")
    token = ApiToken.objects.get()
    assert issued.key.startswith("xft_")
    assert len(issued.key) > 40
    assert token.digest == hashlib.sha256(issued.key.encode()).hexdigest()
    assert issued.key[:12] == token.prefix
    stored = [
        str(v)
        for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()
    ]
    assert issued.key not in stored
    record = AuditRecord.objects.get(action="api.token.issue")
    assert record.after["user"] == "clerk"
    assert issued.key not in str(record.after)


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_a_token_authenticates_as_its_user(users, keyword):
    key = api_token_issue(actor=None, user=users["handler"], name="city app").key
    response = bearer(key, keyword).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "handler"
    assert body["unit"]["code"] == "zjj"
    assert "handle_case" in body["capabilities"]


def test_use_is_noted_at_most_once_a_minute(users):
    key = api_token_issue(actor=None, user=users["clerk"], name="x").key
    client = bearer(key)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/me/")
        first = ApiToken.objects.get().last_used_at
        assert first == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("/api/v1/me/")
        assert ApiToken.objects.get().last_used_at == first
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        client.get("/api/v1/me/")
        assert ApiToken.objects.get().last_used_at == start + timedelta(minutes=2)


@pytest.mark.security
def test_revoked_expired_unknown_and_malformed_tokens_are_refused(users):
    revoked = api_token_issue(actor=None, user=users["clerk"], name="old")
    api_token_revoke(actor=None, token=revoked.token)
    assert AuditRecord.objects.filter(action="api.token.revoke").count() == 1
    expiring = api_token_issue(actor=None, user=users["clerk"], name="short", days=1)
    inactive_user = users["handler2"]
    of_inactive = api_token_issue(actor=None, user=inactive_user, name="gone")
    inactive_user.is_active = False
    inactive_user.save()
    later = timezone.now() + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        for header in [
            f"Bearer {revoked.key}",
            f"Bearer {expiring.key}",
            f"Bearer {of_inactive.key}",
            "Bearer xft_" + "A" * 43,
            "Bearer not-even-ours",
            "Bearer",
            f"Bearer {revoked.key} extra",
        ]:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=header)
            response = client.get("/api/v1/me/")
            assert response.status_code == 401, header
            assert response.json()["code"] == "authentication_failed", header
            assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_answer_401_with_the_scheme(db):
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_tokens_are_refused_to_administrators_and_inactive_accounts(users):
    with pytest.raises(DomainError) as exc:
        api_token_issue(actor=None, user=users["admin"], name="x")
    assert exc.value.code == "token_for_admin"
    users["clerk"].is_active = False
    with pytest.raises(DomainError) as exc:
        api_token_issue(actor=None, user=users["clerk"], name="x")
    assert exc.value.code == "user_inactive"
    with pytest.raises(DomainError):
        api_token_issue(actor=None, user=users["leader"], name="  ")
    with pytest.raises(DomainError):
        api_token_issue(actor=None, user=users["leader"], name="x", days=0)
    assert not ApiToken.objects.exists()


def test_management_command_issues_lists_and_revokes(users):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token",
        "issue",
        "supervisor",
        "--name",
        "provincial system",
        "--days",
        "90",
        stdout=out,
        stderr=err,
    )
    key = out.getvalue().strip()
    assert key.startswith("xft_")
    assert "not shown again" in err.getvalue()
    assert bearer(key).get("/api/v1/me/").json()["username"] == "supervisor"

    listing = io.StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "provincial system" in listing.getvalue()
    assert key not in listing.getvalue()
    assert key[:12] in listing.getvalue()

    token = ApiToken.objects.get()
    call_command("api_token", "revoke", str(token.pk), stdout=io.StringIO())
    assert bearer(key).get("/api/v1/me/").status_code == 401

    with pytest.raises(CommandError):
        call_command("api_token", "issue", "nobody", "--name", "x")
    with pytest.raises(CommandError):
        call_command("api_token", "issue", "admin", "--name", "x")
    with pytest.raises(CommandError):
        call_command("api_token", "revoke", "999999")


@pytest.mark.security
def test_the_browser_session_works_and_writes_need_the_csrf_token(users):
    from xinfang.cases.tests.factories import register

    case = register(users)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["clerk"])
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    refused = client.post(f"/api/v1/cases/{case.pk}/route/", {"unit": "zjj"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["message"]
    case.refresh_from_db()
    assert case.status == "registered"

    page = client.get("/cases/")  # any page sets the CSRF cookie
    token = (
        page.cookies["csrftoken"].value
        if "csrftoken" in page.cookies
        else client.cookies["csrftoken"].value
    )
    done = client.post(
        f"/api/v1/cases/{case.pk}/route/", {"unit": "zjj"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "routed"
