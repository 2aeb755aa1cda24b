from __future__ import annotations

import pytest
from django.core.management import call_command

from conftest import verified_login
from xinfang.org import demo
from xinfang.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", [u[0] for u in demo.DEMO_USERS if u[2] != "admin"])
def test_every_demo_account_logs_in_and_sees_its_home(client, users, username):
    response = client.post(
        "/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-role="{users[username].role}"' in html
    assert users[username].full_name in html


def test_login_failure_shows_a_chinese_error(client, users):
    response = client.post("/accounts/login/", {"username": "clerk", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_chinese_is_the_default_language(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html


def test_english_is_switchable(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_navigation_follows_the_role(client, users):
    verified_login(client, users["admin"])
    assert "/audit/" in client.get("/").content.decode()
    client.force_login(users["handler"])
    assert "/audit/" not in client.get("/").content.decode()


def test_role_labels_are_translated(client, users):
    client.force_login(users["inspector"])
    assert "质检员" in client.get("/").content.decode()
    assert str(Role.INSPECTOR.label)


def test_translations_are_complete_and_compiled():
    call_command("compile_translations", "--check")


def test_pages_use_only_local_assets(client, users):
    client.force_login(users["leader"])
    html = client.get("/").content.decode()
    assert "http://" not in html
    assert "https://" not in html
