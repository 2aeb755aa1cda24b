"""Each dashboard in a real headless Chromium: charts drawn by the local ECharts under the
site's CSP (no console errors), drill-down from numbers and from a chart bar to the case
list, a warning acknowledged and assigned, a report generated and downloaded, the public
page. Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from xinfang.analytics.models import EarlyWarning, WarningKind
from xinfang.org import demo
from xinfang.org.models import Unit

from .scenario import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(("http://localhost", "http://127.0.0.1"))
            else None
        ),
    )
    yield page
    context.close()
    assert problems == [], f"console errors: {problems}"
    assert outside == [], f"fetched from outside: {outside}"


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


def case_rows(page) -> int:
    page.wait_for_selector("table.grid tbody")
    return page.locator("table.grid tbody td.mono").count()


def test_dashboards_draw_charts_and_drill_down(live_server, page, users):
    build(users)
    base = live_server.url

    # Leader: the county overview for March 2026.
    login(page, base, "leader")
    page.click("nav.mainnav a[href='/analytics/']")
    page.goto(f"{base}/analytics/?period=2026-03")
    for chart in ("trend", "towns", "categories", "ranking"):
        page.wait_for_selector(f"#chart-{chart}[data-rendered] canvas")
    timely = page.locator("[data-indicator='timely_acceptance']")
    assert "66.7%" in timely.locator("[data-value]").inner_text()
    assert "kpi-bad" in (timely.get_attribute("class") or "")
    shot(page, "analytics-leader")
    timely.locator("a[data-metric='acc_due']").click()
    page.wait_for_url("**/cases/?*metric=acc_due*")
    assert case_rows(page) == 6
    page.go_back()

    # A click on the town bar opens that town's cases.
    page.wait_for_selector("#chart-towns[data-drill] canvas")
    point = page.evaluate(
        """() => {
            const el = document.getElementById('chart-towns');
            el.scrollIntoView({block: 'center'});
            const chart = echarts.getInstanceByDom(el);
            const p = chart.convertToPixel({seriesIndex: 0}, [3, 0]);
            const box = el.getBoundingClientRect();
            return {x: box.left + p[0], y: box.top + p[1]};
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/cases/?*town=*")
    assert case_rows(page) == 7  # all of March's cases are in 秀山街道

    # Supervisor: where work is slipping; the overdue figure of 住建局 opens its cases.
    login(page, base, "supervisor")
    page.goto(f"{base}/analytics/supervision/?period=2026-Q2")
    zjj = Unit.objects.get(code="zjj")
    row = page.locator(f"tr[data-unit='{zjj.pk}']")
    late = row.locator("a[data-metric='hnd_late']")
    assert late.inner_text() == "1"  # C answered late
    shot(page, "analytics-supervision")
    late.click()
    page.wait_for_url("**/cases/?*metric=hnd_late*")
    assert case_rows(page) == 1

    # Unit head: their own unit only.
    login(page, base, "unithead")
    page.goto(f"{base}/analytics/unit/?period=2026-03")
    page.wait_for_selector("#chart-categories[data-rendered] canvas")
    card = page.locator("[data-indicator='timely_acceptance']")
    assert card.locator("a[data-metric='acc_due']").inner_text() == "5"
    shot(page, "analytics-unit")
    card.locator("a[data-metric='acc_due']").click()
    page.wait_for_url("**/cases/?*metric=acc_due*")
    assert case_rows(page) == 5


def test_a_warning_is_acknowledged_and_assigned(live_server, page, users):
    warning = EarlyWarning.objects.create(
        kind=WarningKind.RISING_CATEGORY,
        key="rising_category:test",
        title="热点问题上升：劳动和社会保障",
        evidence={
            "method": "poisson_upper_tail",
            "window_days": 7,
            "window": ["2026-05-25", "2026-05-31"],
            "observed": 8,
            "history": [1, 1, 1, 1, 1, 1, 1, 1],
            "baseline_rate": 1.0,
            "p_value": 0.00011,
            "case_list": {},
        },
        last_detected_at=timezone.now(),
        detected_on=timezone.localdate(),
    )
    login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/analytics/warnings/")
    page.click(f"a[href='/analytics/warnings/{warning.pk}/']")
    page.fill("form[action$='/acknowledge/'] textarea", "已阅，请人社局核查")
    page.click("form[action$='/acknowledge/'] button")
    page.wait_for_selector("[data-status='acknowledged']")
    page.select_option("form[action$='/assign/'] select", str(users["leader"].pk))
    page.click("form[action$='/assign/'] button")
    page.wait_for_selector("[data-status='assigned']")
    shot(page, "analytics-warning")
    warning.refresh_from_db()
    assert warning.assigned_to == users["leader"]


def test_a_report_is_generated_and_downloaded(live_server, page, users):
    build(users)
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/analytics/reports/")
    page.select_option("#id_kind", "monthly")
    page.fill("#id_year", "2026")
    page.fill("#id_month", "3")
    page.fill("#id_suggestions", "建议加强受理时限管理。")
    page.click("form.grid-form button[type=submit]")
    page.wait_for_selector("a[data-format='pdf']", timeout=30000)
    with page.expect_download() as download:
        page.click("a[data-format='pdf']")
    path = download.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    with page.expect_download() as download:
        page.click("a[data-format='docx']")
    assert Path(download.value.path()).read_bytes().startswith(b"PK")


def test_the_public_statistics_page(live_server, page, users):
    build(users)
    page.goto(f"{live_server.url}/analytics/public/?year=2026")
    page.wait_for_selector("#chart-categories[data-rendered] canvas")
    assert page.locator("[data-public='registered']").inner_text() == "8"
    assert page.locator("#chart-towns[data-drill]").count() == 0  # nothing to open
    shot(page, "analytics-public")
