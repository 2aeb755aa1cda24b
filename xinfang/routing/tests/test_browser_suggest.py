"""The suggestions panel on the real registration form (cases/case_register.html includes
routing/_suggest_panel.html), in headless Chromium: typing a petition shows the top-3 categories
with their confidence and usual units and the petitioner's earlier case; choosing a suggestion
sets the category, and the clerk can still pick another one and register."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinfang.cases.models import Case, Category
from xinfang.org import demo
from xinfang.org.models import Division

from .test_services import ROOF, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert problems == [], f"console errors: {problems}"


def test_clerk_sees_suggestions_and_the_earlier_case_while_typing(
    live_server, page, routing_settings, users
):
    from xinfang.cases.tests.factories import register

    earlier = register(users, title="楼顶漏水", content=ROOF, petitioners=person())
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1[data-role]")
    page.goto(f"{base}/cases/register/")
    assert page.locator("form.register [data-routing-suggest]").count() == 1
    assert page.locator("[data-routing-suggest]").is_hidden()  # nothing typed yet
    page.fill("#id_name", "张三")
    page.fill("#id_phone", "13800001111")
    page.fill("#id_title", "楼顶又漏水了")
    page.fill("#id_content", ROOF)
    page.wait_for_selector("[data-routing-suggest][data-ready]:not([hidden])")

    choices = page.locator("[data-routing-categories] button")
    assert choices.count() == 3
    assert "城乡建设" in choices.first.inner_text()
    assert re.search(r"\d+%", choices.first.inner_text())  # the confidence
    assert (
        "通海县住房和城乡建设局" in page.locator("[data-routing-categories] li").first.inner_text()
    )
    similar = page.locator("[data-routing-similar] li").first.inner_text()
    assert earlier.number in similar

    choices.first.click()
    urban = Category.objects.get(code="urban-rural")
    assert page.locator("#id_category").input_value() == str(urban.pk)
    assert choices.first.get_attribute("aria-pressed") == "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "routing-suggestions.png"), full_page=True)

    # The clerk decides: another category than the suggestion is kept on registration.
    environment = Category.objects.get(code="environment")
    page.select_option("#id_category", str(environment.pk))
    town = Division.objects.get(code="530423001")
    page.select_option(".division-picker select >> nth=0", label=town.name)
    page.click("form.register button[type=submit]")
    page.wait_for_selector("section.matches")  # the server-side repeat check asks first
    page.check(f"input[name=repeat_of][value='{earlier.pk}']")
    page.click("form.register button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    newest = Case.objects.order_by("-pk").first()
    assert newest.title == "楼顶又漏水了"
    assert newest.category == environment
    assert newest.repeat_of == earlier
