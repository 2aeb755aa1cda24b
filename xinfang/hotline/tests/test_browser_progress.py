"""The import page polls the background task's progress and moves its bar to the end."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()
    # ORM calls made while Playwright's event loop runs get their own connection (asgiref
    # locals are per context); close it, or PostgreSQL cannot drop the test database.
    from django.db import connections

    connections.close_all()


def test_progress_bar_follows_a_running_import(live_server, page, users, tmp_path, client):
    from django.core.files import File
    from django.core.management import call_command

    from conftest import verified_login
    from xinfang.hotline.services import import_create, import_run

    path = tmp_path / "orders.csv"
    call_command("generate_hotline_file", str(path), "--rows", "3000")
    with path.open("rb") as fh:
        job = import_create(
            actor=users["clerk"], upload=File(fh), name="orders.csv", register_cases=False
        )
    verified_login(client, users["clerk"])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/hotline/imports/{job.pk}/")
    assert page.locator("#rows-bar").get_attribute("value") == "0"
    # The background task runs (here in the test's thread, as a db_worker would) while the
    # page, served by the live server, polls its progress.
    import_run(job_id=job.pk, batch_size=500)
    # The page polls once a second and reloads when the job is done.
    page.wait_for_function(
        "() => document.querySelector('#import-progress').dataset.finished === '1'",
        timeout=15000,
    )
    bar = page.locator("#rows-bar")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "3001"
    assert page.locator('[data-field="imported"]').inner_text() == "3000"
