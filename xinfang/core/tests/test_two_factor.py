from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.audit.models import AuditRecord
from xinfang.org import demo

pytestmark = [pytest.mark.security, pytest.mark.django_db]


def _login(client, username):
    return client.post("/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD})


def test_administrator_must_enrol_and_verify_a_second_factor(client, users):
    _login(client, "admin")
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/")
    page = client.get(response.url).content.decode()
    assert "data:image/svg+xml;base64," in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=users["admin"])
    assert not device.confirmed
    wrong = client.post("/accounts/2fa/?next=/audit/", {"token": "000000"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a failure
    good = client.post("/accounts/2fa/?next=/audit/", {"token": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302
    assert good.url == "/audit/"
    assert client.get("/audit/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert len(secret) >= 16
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"auth.2fa.enrol", "auth.2fa.verify", "auth.2fa.failed"} <= actions


def test_next_cannot_send_the_user_off_site(client, users):
    _login(client, "admin")
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=users["admin"])
    response = client.post(
        "/accounts/2fa/?next=https://evil.example/", {"token": f"{totp(device.bin_key):06d}"}
    )
    assert response.url == "/"


def test_staff_without_a_device_are_not_asked(client, users):
    _login(client, "clerk")
    assert client.get("/cases/").status_code == 200
