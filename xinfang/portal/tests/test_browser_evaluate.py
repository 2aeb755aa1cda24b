"""Issue 4's browser step "the citizen evaluates via the query code", in a real headless
Chromium: the handler answers in the staff workbench; the petitioner opens the portal on a
phone (390 px wide), looks the case up with its number and query code, reads the answer and
rates it 基本满意 with a comment; the case is then "evaluated" and the handler's case page
shows the rating. Run with JavaScript on, and off (the portal needs no script at all).
Screenshots go to var/screenshots/ (not committed)."""

from __future__ import annotations

import pytest

from xinfang.cases.models import Rating, Status
from xinfang.cases.services import case_accept, case_route
from xinfang.cases.tests.factories import register
from xinfang.notify.models import Event, Message
from xinfang.org import demo
from xinfang.org.models import Unit

from .conftest import fits_the_screen, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "经检测，屋面防水层老化，已责成物业公司于月底前完成维修，维修后由街道办验收。"
COMMENT = "维修进度还可以更快。"


def staff_answers(page, base: str, case) -> None:
    """The handler logs in to the workbench and answers the case (信访处理意见书)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "handler")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1[data-role]")
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("details.action summary:text-is('答复')")
    form = page.locator("details.action[open] form")
    form.locator("select[name$=outcome]").select_option(label="支持")
    form.locator("textarea[name$=text]").fill(ANSWER)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages li.success")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_citizen_rates_the_answer_with_the_query_code_on_a_phone(
    live_server, open_page, users, javascript
):
    base = live_server.url
    case = register(users)
    case = case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"))
    case = case_accept(actor=users["handler"], case=case, today=case.routed_on)

    staff = open_page(phone=False)
    staff_answers(staff, base, case)
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    # The petitioner was told by SMS, after the answer was committed.
    assert Message.objects.filter(case=case, event=Event.REPLIED, status="sent").exists()

    suffix = "js" if javascript else "nojs"
    phone = open_page(phone=True, javascript=javascript)
    phone.goto(f"{base}/portal/")
    phone.tap("a[data-action=track]")
    phone.fill("#id_number", case.number.lower())  # typed in lower case: still found
    phone.fill("#id_code", case.query_code)
    phone.tap("form.p-form button[type=submit]")
    phone.wait_for_selector(".p-status[data-status]")
    assert phone.get_attribute(".p-status", "data-status") == Status.REPLIED
    assert ANSWER in phone.inner_text("#answer")
    assert users["handler"].full_name not in phone.inner_text("main")
    assert fits_the_screen(phone)
    shot(phone, f"portal-evaluate-{suffix}-1-answer")

    phone.tap("#rate label:has-text('基本满意')")
    phone.fill("#id_comment", COMMENT)
    assert fits_the_screen(phone)
    phone.tap("#rate button[type=submit]")
    phone.wait_for_selector(f"[data-rating={Rating.BASICALLY}]")
    assert phone.locator("#rate").count() == 0  # rated once; the form is gone
    assert COMMENT in phone.inner_text("main")
    shot(phone, f"portal-evaluate-{suffix}-2-rated")

    case.refresh_from_db()
    assert case.status == Status.EVALUATED
    assert (case.rating, case.rating_comment) == (Rating.BASICALLY, COMMENT)
    assert case.rated_on is not None

    # The handler sees the petitioner's rating on the case page.
    staff.goto(f"{base}/cases/{case.pk}/")
    assert "基本满意" in staff.inner_text("main")
    shot(staff, f"portal-evaluate-{suffix}-3-staff")
