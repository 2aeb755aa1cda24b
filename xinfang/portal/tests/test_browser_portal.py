"""The citizen's whole path on a phone-sized screen (390 x 844, touch) in a real headless
Chromium: submit → (staff route, accept, answer through the services) → track with the query
code → read the answer and its PDF → rate it; and the look-up lock-out. Screenshots go to
var/screenshots/ (not committed)."""

from __future__ import annotations

import pytest

from xinfang.cases.models import Case, Channel, Outcome, Rating, Status
from xinfang.cases.services import case_accept, case_reply, case_route
from xinfang.org.models import Unit

from .conftest import PNG, VALID_ID, fits_the_screen, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "经现场核查，村道塌方属实。县住建局已安排施工队，于本月25日前完成抢修并恢复通行。"


@pytest.fixture
def phone(open_page):
    return open_page(phone=True)


def test_citizen_submits_tracks_reads_and_rates_on_a_phone(live_server, phone, users):
    page, base = phone, live_server.url

    # Submit.
    page.goto(f"{base}/portal/")
    assert fits_the_screen(page)
    shot(page, "portal-01-home")
    page.tap("a[data-action=submit]")
    page.wait_for_selector("form.p-form")
    page.fill("#id_name", "李四")
    page.fill("#id_id_number", VALID_ID)
    page.fill("#id_phone", "13912345678")
    page.fill("#id_petitioner_address", "通海县杨广镇演示村1组8号")
    page.fill("#id_title", "村道塌方影响出行")
    page.select_option("#id_category", label="交通运输")
    page.select_option(".division-picker select >> nth=0", label="杨广镇")
    page.fill("#id_content", "雨后村道塌方，车辆无法通行已两周，多次向村委会反映未处理。")
    page.fill("#id_request", "请尽快修复村道，恢复通行。")
    page.set_input_files(
        "#id_attachments", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.tap("label[for=id_consent]")
    page.tap("label[for=id_sensitive_consent]")
    assert fits_the_screen(page)
    shot(page, "portal-02-form")
    page.tap("form.p-form button[type=submit]")
    page.wait_for_selector("#query-code")
    number = page.inner_text("#case-number").strip()
    code = page.inner_text("#query-code").strip()
    assert fits_the_screen(page)
    shot(page, "portal-03-receipt")

    case = Case.objects.get(number=number)
    assert case.query_code == code
    assert case.channel == Channel.ONLINE
    assert case.division.name == "杨广镇"
    assert case.attachments.count() == 1
    assert case.citizen_messages.filter(event="registered", status="sent").exists()

    # Staff: route, accept, answer (through the services).
    case = case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="jtysj"))
    handler = users["handler"]
    handler.unit = Unit.objects.get(code="jtysj")
    handler.save()
    case = case_accept(actor=handler, case=case)
    case_reply(actor=handler, case=case, outcome=Outcome.SUPPORTED, text=ANSWER)

    # Track from a fresh browser session, with the number and the query code.
    page.context.clear_cookies()
    page.goto(f"{base}/portal/")
    page.tap("a[data-action=track]")
    page.fill("#id_number", number)
    page.fill("#id_code", code.lower())
    page.tap("form.p-form button[type=submit]")
    page.wait_for_selector(".p-status[data-status]")
    assert page.get_attribute(".p-status", "data-status") == Status.REPLIED
    assert ANSWER in page.inner_text("#answer")
    assert page.locator("a[data-kind=transfer_letter]").count() == 0
    assert handler.full_name not in page.inner_text("main")
    href = page.get_attribute("a[data-kind=reply]", "href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert fits_the_screen(page)
    shot(page, "portal-04-answer")

    # Rate.
    page.tap("label[for=id_rating_0]")
    page.fill("#id_comment", "处理及时，感谢！")
    page.tap("#rate button[type=submit]")
    page.wait_for_selector("[data-rating=satisfied]")
    case.refresh_from_db()
    assert case.status == Status.EVALUATED
    assert (case.rating, case.rating_comment) == (Rating.SATISFIED, "处理及时，感谢！")
    shot(page, "portal-05-rated")


def test_wrong_query_codes_lock_the_look_up_on_a_phone(live_server, phone, users):
    from xinfang.cases.tests.factories import register

    page, base = phone, live_server.url
    case = register(users)
    page.goto(f"{base}/portal/track/")
    for _ in range(5):
        page.fill("#id_number", case.number)
        page.fill("#id_code", "WRONG234")
        page.tap("form.p-form button[type=submit]")
        page.wait_for_selector(".p-error-summary")
    assert page.locator(".p-error-summary.p-locked").count() == 1
    page.fill("#id_number", case.number)
    page.fill("#id_code", case.query_code)
    page.tap("form.p-form button[type=submit]")
    page.wait_for_selector(".p-error-summary.p-locked")
    assert page.locator(".p-status").count() == 0
    assert fits_the_screen(page)
    shot(page, "portal-06-locked")
