"""Early warning: the statistical test, each detector on built data, storing warnings with
their evidence, and acknowledging, assigning and closing them (audited)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from xinfang.analytics import detection, services
from xinfang.analytics.detection import poisson_upper_tail, rise_test
from xinfang.analytics.models import EarlyWarning, WarningKind, WarningStatus
from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.models import Category
from xinfang.cases.services import PetitionerData
from xinfang.cases.tests.factories import register
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.core.schedule import PERIODIC_JOBS
from xinfang.org.models import Division, Unit

pytestmark = pytest.mark.django_db
D = date
TODAY = D(2026, 6, 1)  # a Monday


def test_poisson_upper_tail_known_values():
    assert poisson_upper_tail(0, 3.0) == 1.0
    assert poisson_upper_tail(1, 2.0) == pytest.approx(1 - math.exp(-2))
    # P(X >= 5 | 1) = 1 - e^-1 (1 + 1 + 1/2 + 1/6 + 1/24)
    assert poisson_upper_tail(5, 1.0) == pytest.approx(1 - math.exp(-1) * (65 / 24))
    assert poisson_upper_tail(60, 10.0) < 1e-15


def test_rise_test_needs_an_unusual_count_and_a_minimum():
    quiet = [1, 0, 2, 1, 0, 1, 1, 0]
    assert rise_test(8, quiet).alert is True
    assert rise_test(8, quiet).high is True
    assert rise_test(3, quiet).alert is False  # unusual, but fewer than MIN_COUNT
    assert rise_test(5, [4, 5, 3, 4, 5, 4, 4, 3]).alert is False  # usual for it
    assert rise_test(6, [0] * 8).alert is True  # from nothing to 6


def _week_of(users, *, category: str, day: date, n: int, division: str = "530423101") -> None:
    for i in range(n):
        register(
            users,
            title=f"{category} {day} {i}",
            category=Category.objects.get(code=category),
            division=Division.objects.get(code=division),
            received_on=day,
        )


def test_a_category_and_a_town_rising_against_their_own_history(users):
    for week in range(1, 9):  # one labour case a week in 杨广镇 for eight weeks
        _week_of(users, category="labour", day=TODAY - timedelta(days=7 * week + 3), n=1)
    for week in range(0, 9):  # environment: steady at four a week in 纳古镇
        _week_of(
            users,
            category="environment",
            day=TODAY - timedelta(days=7 * week + 2),
            n=4,
            division="530423104",
        )
    _week_of(users, category="labour", day=TODAY - timedelta(days=2), n=8)  # this week: 8
    found = {f.key: f for f in detection.rising(TODAY)}
    labour = Category.objects.get(code="labour")
    assert f"rising_category:{labour.pk}" in found
    assert "rising_town:530423101" in found  # 杨广镇, where the labour cases are
    environment = Category.objects.get(code="environment")
    assert f"rising_category:{environment.pk}" not in found
    assert "rising_town:530423104" not in found
    evidence = found[f"rising_category:{labour.pk}"].evidence
    assert evidence["observed"] == 8
    assert evidence["history"] == [1] * 8
    assert evidence["p_value"] < detection.ALPHA
    assert evidence["case_list"]["category"] == str(labour.pk)


def _petition(users, i: int, text: str, day: date) -> None:
    register(
        users,
        title=text[:20],
        content=text,
        received_on=day,
        petitioners=[PetitionerData(name=f"村民{i}", id_number=f"5304231980010100{i:02d}")],
    )


def test_similar_matters_from_many_petitioners_form_a_cluster(users):
    text = "河西镇某村土地征收补偿款至今未发放到位，村民多次反映无果，要求尽快发放补偿款。"
    for i in range(6):
        _petition(users, i, text + ("" if i % 2 else "请领导关注。"), TODAY - timedelta(days=i))
    _petition(users, 50, "九龙街道小区电梯长期故障无人维修，老人上下楼困难。", TODAY)
    _petition(users, 51, "学校门口交通拥堵，上下学时段存在安全隐患，建议设置信号灯。", TODAY)
    found = detection.clusters(TODAY)
    assert len(found) == 1
    cluster = found[0]
    assert cluster.kind == WarningKind.CLUSTER
    assert len(cluster.evidence["case_ids"]) == 6
    assert cluster.evidence["people"] == 6


def test_similar_matters_from_one_petitioner_are_not_a_collective_warning(users):
    text = "河西镇某村土地征收补偿款至今未发放到位，要求尽快发放补偿款。"
    for _i in range(4):
        register(users, title="补偿款", content=text, received_on=TODAY)
    assert detection.clusters(TODAY) == []


def test_the_plain_tfidf_finds_the_same_pairs_as_scikit_learn():
    texts = ["土地 补偿 发放 村民", "土地 补偿 发放 村民 领导", "电梯 故障 维修", "学校 交通"]
    plain = {(i, j) for i, j, _s in detection._similar_pairs_plain(texts)}
    assert plain == {(0, 1)}
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return
    assert {(i, j) for i, j, _s in detection._similar_pairs(texts)} == plain


def test_cases_at_risk_of_going_overdue(users):
    zjj = Unit.objects.get(code="zjj")
    case = register(users, received_on=D(2026, 5, 12))
    s.case_route(
        actor=users["clerk"], case=case, unit=zjj, today=D(2026, 5, 15)
    )  # due 05-30 -> 06-01
    found = detection.overdue_risk(TODAY)
    assert [f.key for f in found] == [f"overdue_risk:{zjj.pk}"]
    assert found[0].evidence["case_ids"] == [case.pk]
    assert found[0].unit_id == zjj.pk


def test_detection_stores_refreshes_and_clears_warnings(users):
    zjj = Unit.objects.get(code="zjj")
    case = register(users, received_on=D(2026, 5, 12))
    case = s.case_route(actor=users["clerk"], case=case, unit=zjj, today=D(2026, 5, 15))
    first = detection.detect_warnings(today=TODAY)
    assert len(first.opened) == 1
    again = detection.detect_warnings(today=TODAY)
    assert again.opened == []
    assert again.refreshed == first.opened
    assert EarlyWarning.objects.count() == 1
    s.case_accept(actor=users["handler"], case=case, today=TODAY)  # no longer at risk
    cleared = detection.detect_warnings(today=TODAY + timedelta(days=1))
    assert cleared.cleared == first.opened
    assert EarlyWarning.objects.get().status == WarningStatus.CLEARED
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"analytics.warning.open", "analytics.warning.clear"} <= actions


def test_the_detection_job_is_registered_and_runs(users):
    from xinfang.analytics.tasks import detect_warnings

    assert any(j.task_path == "xinfang.analytics.tasks.detect_warnings" for j in PERIODIC_JOBS)
    result = detect_warnings.enqueue(TODAY.isoformat()).return_value
    assert result["opened"] == 0


@pytest.fixture
def warning(users):
    return EarlyWarning.objects.create(
        kind=WarningKind.OVERDUE_RISK,
        key="overdue_risk:test",
        title="3 cases due",
        unit=Unit.objects.get(code="zjj"),
        evidence={"case_ids": []},
        last_detected_at="2026-06-01T08:00:00+08:00",
        detected_on=TODAY,
    )


def test_acknowledge_assign_and_close_are_audited(users, warning):
    w = services.warning_acknowledge(actor=users["supervisor"], warning=warning, note="已阅")
    assert w.status == WarningStatus.ACKNOWLEDGED
    assert w.acknowledged_by == users["supervisor"]
    w = services.warning_assign(
        actor=users["supervisor"], warning=w, assignee=users["unithead"], note="请跟进"
    )
    assert w.status == WarningStatus.ASSIGNED
    assert w.assigned_to == users["unithead"]
    assert Notification.objects.filter(user=users["unithead"], kind="analytics.warning").exists()
    with pytest.raises(DomainError):
        services.warning_close(actor=users["unithead"], warning=w, note="")
    w = services.warning_close(actor=users["unithead"], warning=w, note="已全部按期受理")
    assert w.status == WarningStatus.CLOSED
    assert "已全部按期受理" in w.note
    actions = list(
        AuditRecord.objects.filter(object_id=str(w.pk), action__startswith="analytics.warning")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "analytics.warning.acknowledge",
        "analytics.warning.assign",
        "analytics.warning.close",
    ]
    with pytest.raises(DomainError):  # closed: nothing more
        services.warning_acknowledge(actor=users["supervisor"], warning=w)


def test_warnings_of_other_units_are_out_of_reach(users, warning, client):
    warning.unit = Unit.objects.get(code="rsj")
    warning.save()
    with pytest.raises(PermissionDeniedError):
        services.warning_acknowledge(actor=users["unithead"], warning=warning)
    client.force_login(users["unithead"])
    assert client.get(f"/analytics/warnings/{warning.pk}/").status_code == 404
    with pytest.raises(DomainError):  # a unit head of 住建局 cannot take 人社局's warning
        services.warning_assign(
            actor=users["supervisor"], warning=warning, assignee=users["unithead"]
        )
    with pytest.raises(DomainError):  # a clerk does not follow up warnings
        services.warning_assign(actor=users["supervisor"], warning=warning, assignee=users["clerk"])


def test_warning_pages_act_and_hide_cases_from_those_who_may_not_open_them(users, client):
    zjj = Unit.objects.get(code="zjj")
    case = register(users, received_on=D(2026, 5, 12))
    s.case_route(actor=users["clerk"], case=case, unit=zjj, today=D(2026, 5, 15))
    detection.detect_warnings(today=TODAY)
    w = EarlyWarning.objects.get()
    client.force_login(users["analyst"])
    html = client.get(f"/analytics/warnings/{w.pk}/").content.decode()
    assert case.number not in html
    client.force_login(users["supervisor"])
    html = client.get(f"/analytics/warnings/{w.pk}/").content.decode()
    assert case.number in html
    assert "Poisson" in client.get("/analytics/warnings/").content.decode()
    response = client.post(f"/analytics/warnings/{w.pk}/acknowledge/", {"note": "收到"})
    assert response.status_code == 302
    w.refresh_from_db()
    assert w.status == WarningStatus.ACKNOWLEDGED
    response = client.post(
        f"/analytics/warnings/{w.pk}/assign/", {"assignee": users["leader"].pk, "note": ""}
    )
    w.refresh_from_db()
    assert w.assigned_to == users["leader"]
