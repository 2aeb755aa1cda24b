"""Each workflow of the dispute and stability work once in a real headless Chromium:
a town mediates a dispute to a signed agreement; a campaign is run; a major matter is assessed
and decided; a zero-report period is declared and reported in; a suggestion is drafted from a
note, sent and adopted. Selectors use ids and data attributes, not wording, so the tests hold
in every language. Screenshots go to var/screenshots/."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from xinfang.disputes.models import Dispute, Status
from xinfang.org import demo
from xinfang.org.models import Unit

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


def submit(page, form_selector: str) -> None:
    page.locator(f"{form_selector} button[type=submit]").first.click()
    try:
        page.wait_for_selector(".messages li.success", timeout=5000)
    except Exception:
        errors = page.locator(".error").all_inner_texts()
        raise AssertionError(f"{form_selector} refused: {errors}") from None


def open_action(page, selector: str) -> None:
    page.click(f"{selector} > summary")


@pytest.fixture
def dispute_staff(demo_org):
    from xinfang.disputes.demo import seed_demo_dispute_users

    seed_demo_dispute_users()


def today() -> str:
    return timezone.localdate().isoformat()


def test_a_town_mediates_a_dispute_to_a_signed_agreement(live_server, page, dispute_staff):
    base = live_server.url
    login(page, base, "yangguang")
    page.click("nav.mainnav a[href='/disputes/']")
    page.wait_for_selector("h1[data-page=disputes-home]")
    page.click("a[href='/disputes/ledger/new/'] >> nth=0")
    page.fill("#id_title", "承包地边界纠纷")
    page.fill("#id_summary", "两户村民因承包地边界发生争执。")
    page.select_option("#id_dispute_type", "land_forest")
    page.select_option("#id_division", label="杨广镇 · 杨广镇演示村1")
    page.select_option("#id_risk_level", "medium")
    page.fill("#id_responsible_leader", "分管副镇长")
    page.fill("#id_a_name", "张三丰")
    page.fill("#id_a_phone", "13800001111")
    page.fill("#id_b_name", "李四海")
    shot(page, "disputes-01-enter")
    submit(page, "#dispute-form")
    dispute = Dispute.objects.get(title="承包地边界纠纷")
    assert dispute.reporting_unit.code == "gov-530423101"

    open_action(page, "details[data-action=meeting]")
    form = "details[data-action=meeting] form"
    page.fill(f"{form} [name=meeting-mediators]", "调解员甲、调解员乙")
    page.fill(f"{form} [name=meeting-content]", "双方陈述，现场查看边界。")
    page.select_option(f"{form} [name=meeting-result]", "agreed")
    submit(page, form)

    open_action(page, "details[data-action=agreement]")
    form = "details[data-action=agreement] form"
    page.fill(f"{form} [name=agreement-terms]", "以确权图为界。\n甲方补偿乙方青苗损失800元。")
    page.fill(f"{form} [name=agreement-performance]", "现金一次性支付。")
    page.fill(
        f"{form} [name=agreement-perform_by]",
        (timezone.localdate() + timedelta(days=10)).isoformat(),
    )
    page.fill(f"{form} [name=agreement-mediators]", "调解员甲、调解员乙")
    submit(page, form)
    assert page.get_attribute(".lead", "data-status") == Status.AGREED
    shot(page, "disputes-02-agreement")
    href = page.get_attribute("a[data-agreement]", "href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "人民调解协议书" in text
    assert "张三丰" in text
    assert "杨广镇人民调解委员会" in text

    login(page, base, "hexi")  # another town does not see it
    page.goto(f"{base}/disputes/ledger/")
    assert dispute.number not in page.inner_text("#ledger")
    assert page.request.get(f"{base}/disputes/ledger/{dispute.pk}/").status == 404


def test_a_special_campaign_with_progress_from_the_responsible_unit(
    live_server, page, dispute_staff
):
    base = live_server.url
    login(page, base, "mediator")
    page.goto(f"{base}/disputes/campaigns/")
    open_action(page, "#new-campaign")
    page.fill("#id_title", "根治欠薪专项行动")
    page.fill("#id_starts_on", today())
    page.fill("#id_ends_on", (timezone.localdate() + timedelta(days=60)).isoformat())
    page.select_option("#id_lead_unit", label="通海县人力资源和社会保障局")
    submit(page, "#new-campaign form")
    open_action(page, "#add-target")
    page.fill("#add-target [name=title]", "某工地拖欠农民工工资")
    page.select_option("#add-target [name=responsible_unit]", label="通海县人力资源和社会保障局")
    page.fill("#add-target [name=responsible_leader]", "副局长")
    page.fill("#add-target [name=due_on]", (timezone.localdate() + timedelta(days=30)).isoformat())
    submit(page, "#add-target form")
    campaign_url = page.url

    login(page, base, "handler2")
    page.goto(campaign_url)
    open_action(page, "details[data-progress-for]")
    page.fill("details[data-progress-for] input[name$=progress]", "60")
    page.fill("details[data-progress-for] textarea[name$=text]", "已追回工资的六成。")
    submit(page, "details[data-progress-for] form")
    assert page.get_attribute("#targets progress", "value") == "60"
    assert page.inner_text("#board [data-progress]") == "60%"
    shot(page, "disputes-03-campaign")


def test_a_major_matter_is_assessed_reported_and_decided(live_server, page, dispute_staff):
    base = live_server.url
    login(page, base, "mediator")
    page.goto(f"{base}/disputes/risk/new/")
    page.fill("#id_title", "城区农贸市场搬迁")
    page.select_option("#id_kind", "project")
    page.fill("#id_description", "农贸市场整体搬迁至新址。")
    page.select_option("#id_division", label="秀山街道")
    page.select_option("#id_proposing_unit", label="通海县商务局")
    page.fill("#id_plan", "走访商户，召开座谈会。")
    submit(page, "#assessment-form")

    def step(name: str, fill: dict[str, str] | None = None, select: dict[str, str] | None = None):
        open_action(page, f"details[data-step={name}]")
        form = f"details[data-step={name}] form"
        for field, value in (select or {}).items():
            page.select_option(f"{form} [name={name}-{field}]", value)
        for field, value in (fill or {}).items():
            page.fill(f"{form} [name={name}-{field}]", value)
        submit(page, form)

    step("consult")
    step(
        "opinion",
        fill={
            "support": "85",
            "objection": "10",
            "strong_opposition": "5",
            "summary": "多数支持。",
        },
        select={"method": "forum"},
    )
    step("analyse")
    step(
        "risk",
        fill={"description": "部分商户担心租金上涨。"},
        select={"aspect": "reasonableness", "level": "low"},
    )
    step("grade", select={"level": "low"})
    step("report")
    assert page.get_attribute(".lead", "data-status") == "reported"
    assert page.locator("[data-allowed=approved]").count() == 1
    report = page.request.get(f"{base}{page.get_attribute('a[data-report]', 'href')}")
    assert "社会稳定风险评估报告" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(report.body())).pages
    )
    step(
        "decide",
        fill={"decided_by": "县人民政府常务会议", "note": "由商务局逐户解释租金政策。"},
        select={"decision": "approved"},
    )
    assert page.get_attribute("[data-decision]", "data-decision") == "approved"
    shot(page, "disputes-04-assessment")


def test_a_zero_report_period_is_declared_and_reported_in(live_server, page, dispute_staff):
    base = live_server.url
    login(page, base, "mediator")
    page.goto(f"{base}/disputes/zero-reports/")
    open_action(page, "#declare")
    page.fill("#declare [name=title]", "重要会议期间零报告")
    page.fill("#declare [name=starts_on]", today())
    page.fill("#declare [name=ends_on]", (timezone.localdate() + timedelta(days=2)).isoformat())
    for code in ("gov-530423101", "gov-530423102"):
        page.check(f"#declare input[name=units][value='{Unit.objects.get(code=code).pk}']")
    submit(page, "#declare form")
    period_url = page.url

    login(page, base, "yangguang")
    page.goto(f"{base}/disputes/")
    page.click("[data-due-today] a")
    page.check("#id_nothing_to_report")
    submit(page, "#submit-report form")
    cell = f"tr[data-unit=gov-530423101] td[data-day='{today()}']"
    assert page.get_attribute(cell, "data-state") == "nothing"
    assert page.url == period_url
    page.goto(f"{base}/disputes/")
    assert page.locator("[data-due-today]").count() == 0  # done for today
    shot(page, "disputes-05-zero-report")


def test_a_suggestion_from_a_note_is_sent_and_adopted(live_server, page, dispute_staff):
    from xinfang.disputes.tests.factories import report
    from xinfang.org.models import User

    dispute = report({u.username: u for u in User.objects.select_related("unit")})
    base = live_server.url
    login(page, base, "mediator")
    page.goto(f"{base}/disputes/opinion/")
    open_action(page, "#new-note")
    page.fill("#new-note [name=title]", "群众反映承包地边界不清")
    page.fill("#new-note [name=content]", "多个村反映确权图与实地不符。")
    page.select_option("#new-note [name=source]", "screening")
    page.fill("#new-note [name=dispute_numbers]", dispute.number)
    submit(page, "#new-note form")

    page.goto(f"{base}/disputes/suggestions/new/")
    page.fill("#id_title", "开展承包地确权成果复核")
    page.fill("#id_problem", "承包地边界纠纷集中出现。")
    page.fill("#id_suggestion", "建议对确权成果开展复核。")
    page.select_option("#id_to_unit", label="通海县住房和城乡建设局")
    page.check("#suggestion-form input[name=notes]")
    submit(page, "#suggestion-form")
    submit(page, "form[data-action=send]")
    assert page.get_attribute(".lead", "data-status") == "sent"
    suggestion_url = page.url

    login(page, base, "handler")
    page.goto(suggestion_url)
    page.select_option("[name=respond-adoption]", "adopted")
    page.fill("[name=respond-response]", "已部署复核工作。")
    submit(page, "details[data-action=respond] form")
    assert page.get_attribute(".lead", "data-status") == "adopted"
    page.goto(f"{base}/disputes/suggestions/")
    assert page.inner_text("[data-count]") == "1/10"
    shot(page, "disputes-06-suggestion")
