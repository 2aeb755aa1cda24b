"""Work queues, full-text search, ledgers (xlsx) and batch actions."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.models import Case, Status
from xinfang.cases.queues import queue_cases, queue_counts
from xinfang.cases.search import search, segment
from xinfang.org.models import Unit

from .factories import register

pytestmark = pytest.mark.django_db


def zjj() -> Unit:
    return Unit.objects.get(code="zjj")


def test_segmentation_splits_chinese_words():
    tokens = segment("小区楼顶漏水无人维修")
    assert "漏水" in tokens
    assert "维修" in tokens


def test_full_text_search_finds_words_inside_title_and_content(users):
    leak = register(users, title="小区楼顶漏水无人维修")
    wage = register(users, title="工地拖欠农民工工资", content="杨广镇某工地拖欠三个月工资。")
    qs = Case.objects.all()
    assert list(search(qs, "漏水")) == [leak]
    assert list(search(qs, "拖欠工资")) == [wage]
    assert list(search(qs, "农民工")) == [wage]
    assert set(search(qs, "工地")) == {wage}
    assert not search(qs, "噪音扰民").exists()


def test_queues_follow_the_case_and_count_in_one_query(users, django_assert_num_queries):
    today = timezone.localdate()
    fresh = register(users, received_on=today)
    routed = s.case_route(actor=users["clerk"], case=register(users, received_on=today), unit=zjj())
    assert set(queue_cases(users["clerk"], "to_route", today=today)) == {fresh}
    assert set(queue_cases(users["handler"], "to_accept", today=today)) == {routed}
    assert not queue_cases(users["handler2"], "to_accept", today=today).exists()
    with django_assert_num_queries(1):
        counts = queue_counts(users["handler"], today=today)
    assert counts["to_accept"] == 1
    assert counts["overdue"] == 0
    old = register(users, received_on=date(2026, 1, 5))
    assert old in queue_cases(users["clerk"], "overdue", today=today)


def test_list_filters_sort_and_search_through_the_page(client, users):
    register(users, title="小区楼顶漏水无人维修")
    register(users, title="工地拖欠农民工工资", channel="phone")
    client.force_login(users["clerk"])
    html = client.get("/cases/", {"q": "工资"}).content.decode()
    assert "工地拖欠农民工工资" in html
    assert "小区楼顶漏水" not in html
    html = client.get("/cases/", {"channel": "phone", "sort": "number"}).content.decode()
    assert "工地拖欠农民工工资" in html
    assert "小区楼顶漏水" not in html
    html = client.get("/cases/").content.decode()
    assert 'data-queue="to_route"' in html


def test_ledger_export_is_masked_by_default_and_audited(client, users):
    register(users)
    client.force_login(users["clerk"])
    response = client.get("/cases/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][1] == "事项编号"
    assert rows[2][7] == "张*"
    assert rows[2][8] == "138****1111"
    record = AuditRecord.objects.filter(action="case.export").last()
    assert record.after["rows"] == 1
    assert record.after["unmasked"] is False


def test_unmasked_export_needs_the_right_and_a_reason(client, users):
    register(users)
    client.force_login(users["clerk"])
    response = client.get("/cases/export.xlsx", {"unmask": "1", "reason": "邮寄答复"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[2][7] == "张三"
    assert AuditRecord.objects.filter(action="case.export").last().after["reason"] == "邮寄答复"
    client.force_login(users["inspector"])  # sees cases, not personal data
    assert client.get("/cases/export.xlsx", {"unmask": "1", "reason": "x"}).status_code == 403


def test_ledger_rows_equal_the_filtered_list(client, users):
    for _ in range(3):
        register(users)
    s.case_route(actor=users["clerk"], case=register(users), unit=zjj())
    client.force_login(users["clerk"])
    response = client.get("/cases/export.xlsx", {"status": "registered"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) - 2 == Case.objects.filter(status=Status.REGISTERED).count() == 3


def test_batch_route_and_print(client, users):
    cases = [register(users) for _ in range(3)]
    client.force_login(users["clerk"])
    response = client.post(
        "/cases/batch/", {"ids": [c.pk for c in cases], "unit": zjj().pk, "op": "route"}
    )
    assert response.status_code == 302
    assert Case.objects.filter(status=Status.ROUTED).count() == 3
    response = client.post("/cases/batch/", {"ids": [c.pk for c in cases], "op": "print"})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert text.count("信访事项转送函") == 3


def test_ledger_export_reads_in_chunks_and_loses_no_row(client, users, monkeypatch):
    from xinfang.cases import exports

    monkeypatch.setattr(exports, "CHUNK", 2)
    numbers = {register(users, title=f"第{i}件").number for i in range(5)}
    client.force_login(users["clerk"])
    response = client.get("/cases/export.xlsx", {"sort": "number"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {row[1] for row in rows[2:]} == numbers
    assert [row[0] for row in rows[2:]] == [1, 2, 3, 4, 5]
    assert {row[7] for row in rows[2:]} == {"张*"}  # every petitioner reached across chunks
