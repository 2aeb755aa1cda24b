"""Project-wide pytest fixtures and the skips for the special parts of the suite."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

CHROMIUM = os.environ.get("XINFANG_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = "postgres" in os.environ.get("DATABASE_URL", "")
    has_chromium = shutil.which(CHROMIUM) is not None
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (make test does)")
            )
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(
                pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (Debian package chromium)")
            )


@pytest.fixture
def demo_org(db: None) -> None:
    """Tonghai County's divisions, units and one account per role."""
    from xinfang.cases.reference import ensure_categories
    from xinfang.org.services import seed_demo_organisation, seed_demo_users

    seed_demo_organisation()
    seed_demo_users()
    ensure_categories()


@pytest.fixture
def users(demo_org: None) -> dict[str, object]:
    from xinfang.org.models import User

    return {u.username: u for u in User.objects.select_related("unit")}


@pytest.fixture
def vendor() -> str:
    return connection.vendor


@pytest.fixture(scope="session", autouse=True)
def _audit_guard_allows_test_flush() -> object:
    """Transactional tests end with a flush (DELETE FROM every table on SQLite), which the
    append-only triggers refuse. Lift the guard for the flush only, then put it back."""
    from django.db import connections
    from django.test import TransactionTestCase

    from xinfang.audit.db_guard import install_guard, remove_guard

    original = TransactionTestCase._fixture_teardown

    def teardown(self: TransactionTestCase) -> None:
        for alias in self._databases_names(include_mirrors=False):
            remove_guard(connections[alias])
        try:
            original(self)
        finally:
            for alias in self._databases_names(include_mirrors=False):
                install_guard(connections[alias])

    TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]
    yield
    TransactionTestCase._fixture_teardown = original  # type: ignore[method-assign]


def verified_login(client: object, user: object) -> None:
    """force_login, plus a confirmed TOTP device marked as verified in the session, as an
    administrator has after giving the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)  # type: ignore[attr-defined]
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session  # type: ignore[attr-defined]
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(scope="session", autouse=True)
def _remove_test_media() -> object:
    """The test profile stores files in a temporary MEDIA_ROOT; remove it afterwards."""
    yield
    import shutil
    import tempfile

    from django.conf import settings

    media = str(settings.MEDIA_ROOT)
    if media.startswith(tempfile.gettempdir()) and "xinfang-test-media-" in media:
        shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (tests marked ``browser``).

    Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    tests' own fixtures are synchronous and safe, so Django's async guard is lifted meanwhile.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
