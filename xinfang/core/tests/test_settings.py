from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **env}.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        capture_output=True,
        text=True,
        timeout=120,
    )


PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "SECRET_KEY": "k" * 20 + "-production-secret-from-the-environment-0123456789",
    "ALLOWED_HOSTS": "xinfang.tonghai.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/xinfang-deploy-check.sqlite3",
    "XINFANG_DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}


@pytest.mark.security
def test_production_profile_passes_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.security
def test_production_profile_refuses_a_missing_secret_key():
    result = _manage("check", env={**PROD_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.security
def test_production_profile_refuses_a_missing_data_key():
    result = _manage("check", env={**PROD_ENV, "XINFANG_DATA_KEY": ""})
    assert result.returncode != 0
    assert "XINFANG_DATA_KEY" in result.stderr


@pytest.mark.security
def test_production_profile_never_seeds_demo_passwords():
    code = "from django.conf import settings; print('DEMO', settings.XINFANG['DEMO'])"
    result = _manage("shell", "-c", code, env={**PROD_ENV, "XINFANG_DEMO": "1"})
    assert "DEMO False" in result.stdout, result.stderr
