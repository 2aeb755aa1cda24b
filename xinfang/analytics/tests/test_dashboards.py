"""The dashboards: every number links to the case list behind it, and that list exports to a
ledger with exactly as many rows; unit heads see their own unit only; query counts stay flat
as cases grow."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from xinfang.cases.tests.factories import register

from .scenario import build

pytestmark = pytest.mark.django_db
LATE = datetime(2026, 7, 31, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Links(HTMLParser):
    """Every <a data-metric=...> with its href and text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "data-metric" in a:
            self._open = {"metric": a["data-metric"], "href": a["href"], "text": ""}

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self._open["text"] = self._open["text"].strip()
            self.links.append(self._open)
            self._open = None


def links_of(html: str) -> list[dict[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


def ledger_rows(client, href: str) -> int:
    query = urlsplit(href).query
    response = client.get(f"/cases/export.xlsx?{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    return sum(1 for r in rows if r and r[1])


def list_count(client, href: str) -> int:
    html = client.get(href).content.decode()
    return html.count('<td class="mono"><a href="/cases/')


@pytest.fixture
def world(users):
    return build(users)


@pytest.fixture
def late():
    with time_machine.travel(LATE, tick=False):
        yield


def check_numbers_equal_the_ledger(client, url: str) -> list[dict[str, str]]:
    html = client.get(url).content.decode()
    links = links_of(html)
    assert links, "no drill-down links on the page"
    for link in links:
        count = int(link["text"])
        assert list_count(client, link["href"]) == count, link
        assert ledger_rows(client, link["href"]) == count, link
    return links


@pytest.mark.parametrize("period", ["2026-03", "2026-Q2", "2026"])
def test_leader_dashboard_numbers_equal_the_exported_ledger(client, users, world, late, period):
    client.force_login(users["leader"])
    links = check_numbers_equal_the_ledger(client, f"/analytics/?period={period}")
    metrics = {link["metric"] for link in links}
    assert "registered" in metrics


def test_the_indicator_cards_show_the_hand_counted_values(client, users, world, late):
    client.force_login(users["leader"])
    html = client.get("/analytics/?period=2026-03").content.decode()
    card = re.search(r'data-indicator="timely_acceptance".*?</article>', html, re.S)
    assert card is not None
    assert "66.7%" in card.group(0)
    assert "kpi-bad" in html.split('data-indicator="timely_acceptance"')[0][-60:]
    links = {link["metric"]: link for link in links_of(card.group(0))}
    assert links["acc_on_time"]["text"] == "4"
    assert links["acc_due"]["text"] == "6"
    assert links["acc_late"]["text"] == "2"
    assert ledger_rows(client, links["acc_late"]["href"]) == 2  # C late, F never decided


def test_supervision_dashboard_numbers_equal_the_ledger(client, users, world, late):
    client.force_login(users["supervisor"])
    links = check_numbers_equal_the_ledger(client, "/analytics/supervision/?period=2026-Q2")
    assert {"overdue", "hnd_late", "acc_late"} <= {link["metric"] for link in links}


def test_unit_head_sees_only_their_units_cases(client, users, world, late):
    client.force_login(users["unithead"])  # 住建局: A, B, C, E, F; D went to 人社局
    html = client.get("/analytics/unit/?period=2026-03").content.decode()
    card = re.search(r'data-indicator="timely_acceptance".*?</article>', html, re.S).group(0)
    links = {link["metric"]: link["text"] for link in links_of(card)}
    assert (links["acc_on_time"], links["acc_due"]) == ("3", "5")
    check_numbers_equal_the_ledger(client, "/analytics/unit/?period=2026-03")
    # The overview shows a unit head the same own-unit numbers, never the county's.
    overview = client.get("/analytics/?period=2026-03").content.decode()
    assert "只统计本单位" in overview or "Only the cases of your unit" in overview


def test_county_roles_choose_the_unit(client, users, world, late):
    from xinfang.org.models import Unit

    client.force_login(users["leader"])
    rsj = Unit.objects.get(code="rsj")
    html = client.get(f"/analytics/unit/?period=2026-03&unit={rsj.pk}").content.decode()
    card = re.search(r'data-indicator="timely_acceptance".*?</article>', html, re.S).group(0)
    assert {link["metric"]: link["text"] for link in links_of(card)}["acc_due"] == "1"


def test_the_analyst_sees_figures_without_drill_down(client, users, world, late):
    client.force_login(users["analyst"])
    html = client.get("/analytics/?period=2026-03").content.decode()
    assert links_of(html) == []
    assert "66.7%" in html


def test_filters_narrow_every_number_and_its_ledger(client, users, world, late):
    from xinfang.org.models import Division

    client.force_login(users["leader"])
    town = Division.objects.get(code="530423002")
    links = check_numbers_equal_the_ledger(client, f"/analytics/?period=2026&town={town.pk}")
    registered = next(link for link in links if link["metric"] == "registered")
    assert registered["text"] == "1"
    assert parse_qs(urlsplit(registered["href"]).query)["town"] == [str(town.pk)]


def test_chart_data_island_and_local_scripts(client, users, world, late):
    client.force_login(users["leader"])
    html = client.get("/analytics/?period=2026").content.decode()
    island = re.search(
        r'<script id="analytics-data" type="application/json">(.*?)</script>', html, re.S
    )
    data = json.loads(island.group(1))
    assert len(data["trend"]["months"]) == 12
    assert sum(data["trend"]["registered"]) == 8
    assert {t["name"] for t in data["towns"]} == {"秀山街道", "九龙街道"}
    assert "/static/analytics/vendor/echarts.min.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def _queries(client, django_assert_max_num_queries, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("leader", "/analytics/?period=2026"),
        ("supervisor", "/analytics/supervision/?period=2026"),
        ("unithead", "/analytics/unit/?period=2026"),
        (None, "/analytics/public/?year=2026"),
    ],
)
def test_query_counts_do_not_grow_with_the_cases(
    client, users, world, late, django_assert_max_num_queries, username, url
):
    if username:
        client.force_login(users[username])
    before = _queries(client, django_assert_max_num_queries, url)
    for i in range(15):
        register(users, title=f"批量 {i}", received_on=date(2026, 2, 1 + i))
    after = _queries(client, django_assert_max_num_queries, url)
    assert after == before
    assert after <= 35  # the page, its filters and the navigation's queue counts


def test_public_statistics_show_no_personal_data(client, users, world, late):
    response = client.get("/analytics/public/?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "张三" not in html  # the petitioners' name
    assert "13800001111" not in html
    assert "138" not in html
    assert "楼顶漏水" not in html  # no case titles
    assert "XF530423" not in html  # no case numbers
    assert 'data-public="registered">8<' in html
    assert "/cases/" not in html
