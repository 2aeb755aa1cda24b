from __future__ import annotations

import pytest
from django.conf import settings

from xinfang.audit.models import AuditRecord
from xinfang.org import demo

pytestmark = [pytest.mark.security, pytest.mark.django_db]


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_locks_after_repeated_failures_and_is_audited(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/", {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
    response = client.post(
        "/accounts/login/",
        {"username": "clerk", "password": demo.DEMO_PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    assert "30" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    failures = AuditRecord.objects.filter(action="auth.login_failed", object_repr="clerk")
    assert failures.count() >= settings.AXES_FAILURE_LIMIT
    # Another address is not locked out by someone else's failures.
    ok = client.post(
        "/accounts/login/",
        {"username": "clerk", "password": demo.DEMO_PASSWORD},
        REMOTE_ADDR="10.0.0.10",
    )
    assert ok.status_code == 302


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "onchange=" not in response.content.decode()


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_password_rules_refuse_weak_passwords(client, users):
    client.force_login(users["clerk"])
    response = client.post(
        "/accounts/password/",
        {
            "old_password": demo.DEMO_PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
