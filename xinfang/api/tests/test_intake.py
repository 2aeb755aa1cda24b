"""Intake through the API in one request: registration answers with the routing suggestions
and the repeat check; the same advice is available before registering."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps

from xinfang.cases.models import Case, Category
from xinfang.cases.tests.factories import register
from xinfang.org.models import Division

from .test_cases_api import REGISTRATION

pytestmark = pytest.mark.django_db


def test_registration_answers_with_the_repeat_check(api, users, march_2026):
    earlier = register(users, title="拖欠工资", received_on=date(2026, 2, 1))
    body = api("clerk").post(
        "/api/v1/cases/",
        {
            **REGISTRATION,
            "petitioners": [{"name": "张三", "phone": "13800001111"}],  # the earlier petitioner
        },
    )
    assert body.status_code == 201, body.json()
    advice = body.json()["intake"]
    found = {c["id"]: c for c in advice["earlier_cases"]}
    assert body.json()["id"] not in found  # never the case just registered
    assert earlier.pk in found
    assert found[earlier.pk]["number"] == earlier.number
    assert found[earlier.pk]["url"] == f"/api/v1/cases/{earlier.pk}/"
    assert found[earlier.pk]["reason"] in {"same_person", "repeat"}
    assert advice["suggestions"] == []  # no classifier in this test
    assert advice["routing_model"] is None
    assert advice["model_status"] in {"unavailable", "not_installed"}


def test_a_new_person_with_a_new_matter_has_no_earlier_cases(api, users, march_2026):
    register(users)
    body = api("clerk").post(
        "/api/v1/cases/",
        {
            **REGISTRATION,
            "title": "化肥质量问题",
            "content": "在河西镇农资店购买的化肥结块，施用后秧苗枯黄。",
            "petitioners": [{"name": "赵六", "phone": "13700009999"}],
        },
    )
    assert body.json()["intake"]["earlier_cases"] == []


@pytest.mark.security
def test_the_repeat_check_shows_only_cases_the_user_may_see(api, users, march_2026):
    """An accusation is hidden from the accused unit; so is it from the advice (the check runs
    as the caller). Here: a unit cannot register at all, and the clerk sees every case."""
    assert (
        api("handler").post("/api/v1/intake/check/", {"title": "x", "content": "y"}).status_code
        == 403
    )
    earlier = register(users)
    check = api("clerk").post(
        "/api/v1/intake/check/",
        {"title": "t", "content": "c", "petitioners": [{"name": "张三", "phone": "13800001111"}]},
    )
    assert [c["id"] for c in check.json()["earlier_cases"]] == [earlier.pk]


def test_check_before_registering_writes_nothing(api, users, march_2026):
    earlier = register(users)
    before = Case.objects.count()
    response = api("clerk").post(
        "/api/v1/intake/check/",
        {
            "title": earlier.title,
            "content": earlier.content,
            "division": "530423001",
            "petitioners": [{"name": "张三", "id_number": "530423199001011234"}],
        },
    )
    assert response.status_code == 200, response.json()
    assert [c["id"] for c in response.json()["earlier_cases"]] == [earlier.pk]
    assert Case.objects.count() == before
    assert api("clerk").get("/api/v1/intake/check/").status_code == 405
    assert api().post("/api/v1/intake/check/", {"title": "t", "content": "c"}).status_code == 401


def test_wrong_json_types_are_refused_not_coerced(api, users, march_2026):
    response = api("clerk").post(
        "/api/v1/cases/",
        {
            **REGISTRATION,
            "division": 530423101,  # a number where the code (a string) is expected
            "people_count": "2",
            "is_collective": "yes",
            "petitioners": [{"name": 0, "representative": 1}],
        },
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert {name: errors[0]["code"] for name, errors in fields.items()} == {
        "division": "wrong_type",
        "people_count": "wrong_type",
        "is_collective": "wrong_type",
        "petitioners.0.name": "wrong_type",
        "petitioners.0.representative": "wrong_type",
    }
    assert not Case.objects.exists()
    co_units_as_object = api("clerk").post(
        f"/api/v1/cases/{register(users).pk}/route/", {"unit": "zjj", "co_units": {"rsj": 1}}
    )
    assert co_units_as_object.json()["fields"]["co_units"][0]["code"] == "wrong_type"


def test_registration_is_one_request_with_bounded_queries(
    api, users, march_2026, django_assert_max_num_queries
):
    """The benchmark drives intake through the API: registration, advice and the answer take a
    fixed number of queries, however many cases exist."""
    client = api("clerk")
    client.get("/api/v1/me/")  # the token's first use is noted once
    with django_assert_max_num_queries(60) as few:
        assert client.post("/api/v1/cases/", REGISTRATION).status_code == 201
    for i in range(20):
        register(users, title=f"第{i}件拖欠工资", received_on=date(2026, 2, 1))
    with django_assert_max_num_queries(len(few.captured_queries) + 3):
        assert client.post("/api/v1/cases/", REGISTRATION).status_code == 201


needs_routing = pytest.mark.skipif(
    not apps.is_installed("xinfang.routing"), reason="the routing area is not installed"
)


@needs_routing
def test_registration_answers_with_the_routing_suggestions(api, users, march_2026, routing_model):
    assert routing_model is not None
    response = api("clerk").post(
        "/api/v1/cases/",
        {
            **REGISTRATION,
            "title": "工地老板拖欠农民工工资三个月",
            "content": "我们在杨广镇工地干活三个月，老板一直拖欠工资不给，要求劳动监察部门处理。",
        },
    )
    assert response.status_code == 201, response.json()
    advice = response.json()["intake"]
    assert advice["routing_model"] == routing_model.version
    assert advice["model_status"] == "ready"
    suggestions = advice["suggestions"]
    assert 1 <= len(suggestions) <= 3
    confidences = [s["confidence"] for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= c <= 1 for c in confidences)
    # the labels map to our categories and their usual units, as on the registration page
    known = {c.name: c for c in Category.objects.select_related("default_unit")}
    for suggestion in suggestions:
        category = known.get(suggestion["label"])
        if category is not None:
            assert suggestion["category"] == {"code": category.code, "name": category.name}
            unit = category.default_unit
            assert suggestion["unit"] == (
                {"code": unit.code, "name": unit.name} if unit is not None else None
            )


@needs_routing
def test_near_identical_matter_of_another_petitioner_is_found(api, users, march_2026):
    text = "秀山街道某小区5栋楼顶漏水两年，多次反映物业未处理，雨天家中墙面发霉，要求尽快维修。"
    earlier = register(users, title="小区楼顶漏水", content=text)
    response = api("clerk").post(
        "/api/v1/cases/",
        {
            **REGISTRATION,
            "title": "小区楼顶漏水",
            "content": text,
            "division": Division.objects.get(code="530423001").code,
            "petitioners": [{"name": "孙七", "phone": "13600007777"}],
        },
    )
    found = {c["id"]: c for c in response.json()["intake"]["earlier_cases"]}
    assert found[earlier.pk]["reason"] == "similar_matter"
    assert found[earlier.pk]["similarity"] >= 0.3


@pytest.mark.parametrize("kind", ["plain", "accusation", "repeat_of_terminated"])
def test_the_registration_answer_is_what_a_read_of_the_case_shows(api, users, march_2026, kind):
    """The answer is built from what registration wrote, without reading it all back; it must
    be exactly what GET /api/v1/cases/{id}/ then shows (people, accused units, documents,
    timeline, deadlines, actions)."""
    from xinfang.cases.models import Status

    body = dict(REGISTRATION)
    if kind == "accusation":
        body.update(petition_type="accusation", accused_units=["zjj", "rsj"])
    if kind == "repeat_of_terminated":
        earlier = register(users, received_on=date(2026, 2, 1))
        Case.objects.filter(pk=earlier.pk).update(status=Status.TERMINATED)
        body["repeat_of"] = earlier.pk
    client = api("clerk")
    registered = client.post("/api/v1/cases/", body)
    assert registered.status_code == 201, registered.json()
    answer = registered.json()
    answer.pop("intake")
    read = client.get(f"/api/v1/cases/{answer['id']}/").json()
    assert answer == read
    if kind == "accusation":
        assert {u["code"] for u in answer["accused_units"]} == {"zjj", "rsj"}
    if kind == "repeat_of_terminated":
        assert answer["status"] == "not_accepted"
        assert answer["due_on"] is None
        assert [d["kind"] for d in answer["documents"]] == ["termination_notice"]


def test_registration_through_the_api_takes_few_queries(api, users, march_2026):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api("clerk")
    client.get("/api/v1/me/")  # the token's first use is noted once
    with CaptureQueriesContext(connection) as queries:
        assert client.post("/api/v1/cases/", REGISTRATION).status_code == 201
    # Was 54 before registration wrote each row once and the answer stopped re-reading them.
    assert len(queries) <= 30, [q["sql"][:80] for q in queries]
