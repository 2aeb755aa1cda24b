"""Every demo role logs in through a real headless Chromium and lands on its home page."""

from __future__ import annotations

import pytest

from xinfang.org import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    external = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if not r.url.startswith(("http://localhost", "http://127.0.0.1"))
            else None
        ),
    )
    yield page
    context.close()
    assert external == [], f"page fetched from outside: {external}"


def test_each_role_logs_in_and_sees_its_home(live_server, page, demo_org):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for username, full_name, role, _unit in demo.DEMO_USERS:
        page.goto(f"{live_server.url}/")
        assert "/accounts/login/" in page.url
        page.fill("#id_username", username)
        page.fill("#id_password", demo.DEMO_PASSWORD)
        page.click("button[type=submit]")
        if role == "admin":  # administrators enrol and give a TOTP code
            page.wait_for_selector("#totp-secret")
            device = TOTPDevice.objects.get(user__username=username)
            page.fill("#id_token", f"{totp(device.bin_key):06d}")
            page.click("main button.primary")
        heading = page.locator("h1[data-role]")
        assert heading.get_attribute("data-role") == role
        assert full_name in heading.inner_text()
        page.click("text=退出登录")
        page.wait_for_url("**/accounts/login/")


def test_wrong_password_shows_an_error_in_chinese(live_server, page, demo_org):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "请输入一个正确的" in page.locator("[role=alert]").inner_text()
