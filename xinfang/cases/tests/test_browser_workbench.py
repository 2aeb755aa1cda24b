"""The staff scenario in a real headless Chromium: a clerk registers a phone petition and
routes it; the handler accepts, the unit head extends, the handler answers; a supervisor sees
it in the due-soon queue; a leader opens the dashboard. Screenshots go to var/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from xinfang.cases.models import Case, Status
from xinfang.org import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert problems == [], f"console errors: {problems}"


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1[data-role]")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def act(
    page, summary: str, fill: dict[str, str] | None = None, select: dict[str, str] | None = None
):
    page.click(f"details.action summary:text-is('{summary}')")
    form = page.locator("details.action[open] form")
    for selector, value in (select or {}).items():
        form.locator(selector).select_option(label=value)
    for selector, value in (fill or {}).items():
        form.locator(selector).fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages li.success")


def test_phone_petition_from_registration_to_answer(live_server, page, demo_org):
    base = live_server.url
    received = timezone.localdate() - timedelta(days=14)  # routing limit ends within days

    # Clerk: register a phone call. Fields typed: name, phone, title, content; chosen:
    # category, town (channel "phone", type and today's date are the defaults).
    login(page, base, "clerk")
    page.click("nav.mainnav >> text=登记")
    page.fill("#id_received_on", received.isoformat())
    page.fill("#id_name", "王五")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_title", "村道塌方影响出行")
    page.fill("#id_content", "杨广镇某村村道雨后塌方，车辆无法通行，请求尽快修复。")
    page.select_option("#id_category", label="交通运输")
    page.select_option(".division-picker select >> nth=0", label="杨广镇")
    shot(page, "01-register")
    page.click("button.primary")
    page.wait_for_selector(".messages li.success")
    case = Case.objects.get(title="村道塌方影响出行")
    assert case.channel == "phone"
    assert case.division.name == "杨广镇"
    shot(page, "02-case-registered")

    # The hourly sweep flags it as due soon; the supervisor sees it in that queue.
    from xinfang.cases.sweep import sweep_deadlines

    sweep_deadlines(today=timezone.localdate())
    login(page, base, "supervisor")
    page.click("a.panel[data-queue=due_soon]")
    assert case.number in page.inner_text("table.grid")
    shot(page, "03-supervisor-due-soon")

    # Clerk routes it to the transport bureau.
    login(page, base, "clerk")
    page.goto(f"{base}/cases/{case.pk}/")
    act(page, "转送交办", select={"select[name$=unit]": "通海县交通运输局"})
    case.refresh_from_db()
    assert case.status == Status.ROUTED
    assert case.handling_unit.code == "jtysj"


def test_handler_accepts_unit_head_extends_handler_answers(live_server, page, users):
    from xinfang.cases.services import case_route
    from xinfang.cases.tests.factories import register
    from xinfang.org.models import Unit

    base = live_server.url
    case = case_route(actor=users["clerk"], case=register(users), unit=Unit.objects.get(code="zjj"))

    login(page, base, "handler")
    page.click("a.panel[data-queue=to_accept]")
    page.click(f"text={case.number}")
    act(page, "受理")
    shot(page, "04-handler-accepted")

    login(page, base, "unithead")
    page.goto(f"{base}/cases/{case.pk}/")
    act(
        page,
        "延期",
        fill={"input[name$=days]": "20", "textarea[name$=reason]": "需委托第三方检测屋面"},
    )
    case.refresh_from_db()
    assert case.status == Status.EXTENDED

    login(page, base, "handler")
    page.goto(f"{base}/cases/{case.pk}/")
    act(
        page,
        "答复",
        select={"select[name$=outcome]": "支持"},
        fill={"textarea[name$=text]": "经检测，屋面防水层老化，已责成物业公司于月底前完成维修。"},
    )
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    shot(page, "05-handler-answered")
    assert "信访事项处理意见书" in page.inner_text("body")

    login(page, base, "leader")
    shot(page, "06-leader-home")
    assert page.locator("a.panel").count() >= 1
