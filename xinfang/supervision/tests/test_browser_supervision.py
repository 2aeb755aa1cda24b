"""In Chromium: a leader gives an instruction, the unit finds it first in its queue and answers,
the leader accepts it; an inspector fails an answer on the checklist and the rework lands in
the unit's queue. Screenshots go to var/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from xinfang.org import demo
from xinfang.supervision.models import ItemKind, ItemStatus, SupervisionItem

from .factories import answered

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
    # A form sent back with its errors answers 400, which Chromium logs; the test counts the
    # ones it provokes on purpose.
    refused = [p for p in problems if "status of 400" in p]
    assert len(refused) == getattr(page, "expected_400", 0)
    assert [p for p in problems if p not in refused] == [], f"console errors: {problems}"


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


def test_instruction_answer_and_quality_rework(live_server, page, users):
    base = live_server.url
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    zjj = users["handler"].unit

    login(page, base, "supervisor")
    page.goto(f"{base}/supervision/items/new/order/")
    page.fill("#id_title", "督办：小区路灯")
    page.fill("#id_text", "请一周内修复并反馈。")
    page.select_option("#id_unit", str(zjj.pk))
    page.fill("#id_due_on", (timezone.localdate() + timedelta(days=9)).isoformat())
    page.click("main button.primary")
    page.wait_for_selector("[data-status=open]")

    login(page, base, "leader")
    assert page.locator("nav.mainnav a[href='/supervision/']").count() == 1
    page.goto(f"{base}/supervision/items/new/instruction/")
    page.click("main button.primary")  # empty: errors beside the fields
    page.expected_400 = 1
    assert page.locator("[data-field=title] .error").count() == 1
    page.fill("#id_title", "县长批示：老旧小区漏水")
    page.fill("#id_text", "请住建局五日内拿出维修方案。")
    page.select_option("#id_unit", str(zjj.pk))
    page.fill("#id_due_on", due)
    page.select_option("#id_priority", "urgent")
    page.click("main button.primary")
    page.wait_for_selector("[data-status=open]")
    instruction = SupervisionItem.objects.get(kind=ItemKind.INSTRUCTION)
    assert instruction.leader == users["leader"]

    login(page, base, "handler")
    page.goto(f"{base}/supervision/unit/")
    rows = page.locator("table.items tbody tr[data-item]")
    assert rows.first.get_attribute("data-item") == instruction.number  # urgent first
    shot(page, "supervision-unit-queue")
    page.click(f"text={instruction.number}")
    page.fill("#id_answer", "已制定维修方案，下周开工。")
    page.click("button[name=submit-answer]")
    page.wait_for_selector("[data-status=answered]")

    login(page, base, "leader")
    page.goto(f"{base}/supervision/leader/")
    assert instruction.number in page.inner_text("main")
    page.click(f"text={instruction.number}")
    page.locator("details.action", has=page.locator("button[name=submit-accept]")).locator(
        "summary"
    ).click()
    page.click("button[name=submit-accept]")
    page.wait_for_selector("[data-status=done]")
    page.goto(f"{base}/supervision/leader/")
    assert instruction.number not in page.inner_text("main")

    case = answered(
        users, on=timezone.localdate() - timedelta(days=10), replied_on=timezone.localdate()
    )
    login(page, base, "inspector")
    page.goto(f"{base}/supervision/quality/")
    page.fill("#id_number", case.number)
    page.click("form[action$='/quality/select/'] button")
    page.wait_for_selector("table.checklist")
    for code in ["facts_clear", "law_correct", "procedure_complete"]:
        page.check(f"#id_met_{code}")
    page.fill("#id_note_answer_complete", "未说明法律依据")
    page.fill("#id_note_point_by_point", "未逐项回应诉求")
    shot(page, "supervision-checklist")
    page.click("main form button.primary")
    page.wait_for_selector("[data-result=fail]")
    rework = SupervisionItem.objects.get(kind=ItemKind.REWORK)
    assert rework.status == ItemStatus.OPEN

    login(page, base, "handler")
    page.goto(f"{base}/supervision/unit/")
    assert rework.number in page.inner_text("main")
    # The case itself is back with the unit: it answers the case, which closes the rework.
    page.goto(f"{base}/supervision/items/{rework.pk}/")
    assert page.is_visible("#answered-on-the-case")
    page.goto(f"{base}/cases/{case.pk}/")
    assert page.is_visible("li[data-action=rework]")
    page.click("#actions summary:has-text('答复'), #actions summary:has-text('Answer')")
    page.select_option("#id_reply-outcome", "supported")
    page.fill("#id_reply-text", "已补充法律依据，并逐项答复信访人的全部诉求。")
    page.click("button[name=submit-reply]")
    page.wait_for_selector("li[data-action=reply] >> nth=1")
    rework.refresh_from_db()
    assert rework.status == ItemStatus.DONE
    login(page, base, "supervisor")
    page.goto(f"{base}/supervision/overview/")
    shot(page, "supervision-overview")
