"""Every staff action of the lifecycle through the API, with the services' rules and codes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from xinfang.api.actions import SPECS
from xinfang.api.presenters import ACTION_SLUGS
from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.models import Case, PetitionType, Status
from xinfang.cases.tests.factories import register
from xinfang.cases.transitions import Action
from xinfang.org.models import Role, Unit
from xinfang.org.permissions import ROLE_CAPABILITIES

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db

ANSWER = "经查，楼顶防水层老化属实，已责成物业公司于4月底前完成维修。"


def act(client, case: Case, slug: str, **body):
    case.refresh_from_db()
    return client.post(f"/api/v1/cases/{case.pk}/{slug}/", {"version": case.version, **body})


def ok(response, status: str | None = None):
    assert response.status_code == 200, response.json()
    if status:
        assert response.json()["status"] == status
    return response.json()


def routed(users, code: str = "zjj", **kw) -> Case:
    return s.case_route(
        actor=users["clerk"], case=register(users, **kw), unit=Unit.objects.get(code=code)
    )


def test_the_whole_lifecycle_through_the_api(api, users, march_2026):
    clerk, handler, head, supervisor = (
        api("clerk"),
        api("handler"),
        api("unithead"),
        api("supervisor"),
    )
    created = clerk.post(
        "/api/v1/cases/",
        {
            "channel": "letter",
            "petition_type": "appeal",
            "category": "urban-rural",
            "title": "小区楼顶漏水无人维修",
            "content": "秀山街道某小区5栋楼顶漏水两年。",
            "division": "530423001",
            "petitioners": [{"name": "张三", "phone": "13800001111"}],
        },
    )
    assert created.status_code == 201
    case = Case.objects.get(pk=created.json()["id"])

    body = ok(act(clerk, case, "route", unit="zjj", co_units=["rsj"]), "routed")
    assert body["co_units"] == [{"code": "rsj", "name": Unit.objects.get(code="rsj").name}]
    ok(act(clerk, case, "joint-handling", lead="zjj", co_units=["rsj", "swj"]), "routed")
    ok(act(handler, case, "accept"), "in_handling")
    ok(act(head, case, "extend", days=20, reason="需现场勘验"), "extended")
    body = ok(act(handler, case, "reply", outcome="supported", text=ANSWER), "replied")
    assert body["reply_text"] == ANSWER
    ok(act(clerk, case, "evaluate", rating="unsatisfied", comment="仍在漏水"), "evaluated")
    ok(act(clerk, case, "request-review", reason="维修未完成"), "review_requested")
    ok(act(supervisor, case, "decide-review", outcome="supported", text=ANSWER), "review_decided")
    ok(act(clerk, case, "request-rereview", reason="仍未修好"), "rereview_requested")
    body = ok(
        act(supervisor, case, "decide-rereview", outcome="explained", text=ANSWER, hearing_days=3),
        "terminated",
    )
    assert [r["level"] for r in body["reviews"]] == ["review", "rereview"]
    assert body["reviews"][1]["hearing_days"] == 3
    assert body["actions"] == []
    expected = [
        "register", "route", "joint", "accept", "extend", "reply", "evaluate",
        "request_review", "decide_review", "request_rereview", "decide_rereview",
    ]  # fmt: skip
    assert [e["action"] for e in body["timeline"]] == expected
    audited = set(
        AuditRecord.objects.filter(object_id=str(case.pk), action__startswith="case.").values_list(
            "action", flat=True
        )
    )
    assert {f"case.{a}" for a in expected} <= audited
    kinds = {d["kind"] for d in body["documents"]}
    assert {"transfer_letter", "acceptance_notice", "extension_notice", "reply"} <= kinds


def test_return_hands_the_case_back_and_it_leaves_the_unit_view(api, users, march_2026):
    case = routed(users)
    handler = api("handler")
    response = act(handler, case, "return", reason="不属于本单位职责")
    assert response.status_code == 204
    case.refresh_from_db()
    assert case.status == Status.RETURNED
    assert case.handling_unit is None
    assert handler.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    ok(act(api("clerk"), case, "route", unit="rsj"), "routed")


def test_not_accept_by_the_bureau_and_by_the_unit(api, users, march_2026):
    registered = register(users)
    ok(act(api("clerk"), registered, "not-accept", reason="不属于信访事项"), "not_accepted")
    case = routed(users)
    body = ok(act(api("handler"), case, "not-accept", reason="已进入诉讼程序"), "not_accepted")
    assert body["not_accepted_reason"] == "已进入诉讼程序"
    assert any(d["kind"] == "non_acceptance_notice" for d in body["documents"])


def test_divert_merge_and_close(api, users, march_2026):
    clerk = api("clerk")
    body = ok(
        act(clerk, register(users), "divert", to="litigation", reason="属民事纠纷"), "diverted"
    )
    assert body["diverted_to"] == "litigation"
    earlier = routed(users)
    repeat = register(users)
    body = ok(act(clerk, repeat, "merge", into=earlier.pk), "merged")
    assert body["repeat_of"] == earlier.pk
    assert body["is_repeat"]
    itself = register(users)
    refused = act(clerk, itself, "merge", into=itself.pk)
    assert refused.status_code == 400
    assert refused.json()["code"] == "merge_self"
    answered = s.case_reply(
        actor=users["handler"],
        case=s.case_accept(actor=users["handler"], case=routed(users)),
        outcome="explained",
        text=ANSWER,
    )
    ok(act(clerk, answered, "close"), "closed")


def test_merge_into_an_unknown_case_is_a_field_error(api, users, march_2026):
    ours = register(users)
    response = act(api("clerk"), ours, "merge", into=ours.pk + 10_000)
    assert response.status_code == 400
    assert response.json()["fields"]["into"][0]["code"] == "does_not_exist"


@pytest.mark.security
def test_a_stale_version_is_refused_with_409_and_changes_nothing(api, users, march_2026):
    case = routed(users)
    stale = case.version
    ok(act(api("handler"), case, "accept"), "in_handling")
    response = api("unithead").post(
        f"/api/v1/cases/{case.pk}/extend/", {"version": stale, "days": 10, "reason": "勘验"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    case.refresh_from_db()
    assert case.status == Status.IN_HANDLING
    assert case.extension_days == 0


def test_an_illegal_transition_answers_409(api, users, march_2026):
    case = register(users)
    response = act(api("clerk"), case, "close")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_domain_refusals_answer_400_with_code_and_field(api, users, march_2026):
    case = routed(users)
    response = act(api("handler"), case, "return", reason="  ")
    assert response.status_code == 400
    assert response.json() == {
        "code": "missing_reason",
        "message": response.json()["message"],
        "field": "reason",
    }
    accusation = register(users, petition_type=PetitionType.ACCUSATION)
    accusation.accused_units.add(Unit.objects.get(code="zjj"))
    refused = act(api("clerk"), accusation, "route", unit="zjj")
    assert refused.status_code == 400
    assert refused.json()["code"] == "accused_unit"


def test_late_rating_is_refused_by_the_service(api, users):
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=SHANGHAI), tick=False):
        case = routed(users)
        case = s.case_accept(actor=users["handler"], case=case)
        case = s.case_reply(actor=users["handler"], case=case, outcome="supported", text=ANSWER)
    with time_machine.travel(datetime(2026, 5, 3, 9, tzinfo=SHANGHAI), tick=False):
        response = act(api("clerk"), case, "evaluate", rating="satisfied")
    assert response.status_code == 400
    assert response.json()["code"] == "evaluation_window_closed"
    assert case.evaluation_due < date(2026, 5, 3)


def test_action_bodies_are_validated(api, users, march_2026):
    case = routed(users)
    response = api("unithead").post(
        f"/api/v1/cases/{case.pk}/extend/", {"days": 31, "version": "x"}
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"days", "version", "reason"}
    assert fields["reason"][0]["code"] == "required"
    unknown_unit = act(api("clerk"), register(users), "route", unit="nope", co_units=["zjj", "x"])
    assert set(unknown_unit.json()["fields"]) == {"unit", "co_units"}
    not_an_object = api("handler").post(
        f"/api/v1/cases/{case.pk}/accept/", ["version", 1], format="json"
    )
    assert not_an_object.status_code == 400
    assert "non_field_errors" in not_an_object.json()["fields"]


@pytest.mark.security
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.action.value)
def test_roles_without_the_capability_get_403_and_nothing_changes(api, users, spec, march_2026):
    case = routed(users)
    before = (case.status, case.version)
    lacking = [
        role
        for role in Role.values
        if spec.capability not in ROLE_CAPABILITIES[role] and role != Role.ADMIN
    ]
    for role in lacking:
        username = next(u for u, user in users.items() if user.role == role)
        response = api(username).post(
            f"/api/v1/cases/{case.pk}/{ACTION_SLUGS[spec.action]}/", {"version": case.version}
        )
        assert response.status_code == 403, (role, response.json())
        assert response.json()["code"] == "permission_denied"
    case.refresh_from_db()
    assert (case.status, case.version) == before


@pytest.mark.security
def test_the_service_refuses_what_the_capability_alone_allows(api, users, march_2026):
    """handler2 may handle cases, but not those of another unit: 404 (not visible), and a
    case routed to another unit but co-handled stays the lead unit's to accept."""
    case = routed(users, "zjj")
    response = act(api("handler2"), case, "accept")
    assert response.status_code == 404
    s.case_set_joint_handling(
        actor=users["clerk"],
        case=case,
        lead=Unit.objects.get(code="zjj"),
        co_units=[Unit.objects.get(code="rsj")],
    )
    co_handler = act(api("handler2"), case, "accept")
    assert co_handler.status_code == 403
    assert co_handler.json()["code"] == "permission_denied"
    assert Case.objects.get(pk=case.pk).status == Status.ROUTED


@pytest.mark.security
def test_anonymous_writes_answer_401(api, users, march_2026):
    case = routed(users)
    for slug in ACTION_SLUGS.values():
        response = api().post(f"/api/v1/cases/{case.pk}/{slug}/", {})
        assert response.status_code == 401, slug
    assert Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.skipif(not hasattr(Action, "REWORK"), reason="no rework action in the lifecycle")
def test_rework_sends_an_answered_case_back_to_its_unit(api, users, march_2026):
    """返工: inspectors or supervisors (the service checks either); others get 403."""
    answered = s.case_reply(
        actor=users["handler"],
        case=s.case_accept(actor=users["handler"], case=routed(users)),
        outcome="supported",
        text=ANSWER,
    )
    body = {"reason": "答复未逐项回应诉求", "due_on": "2026-03-20"}
    refused = act(api("clerk"), answered, "rework", **body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    past = act(api("inspector"), answered, "rework", **{**body, "due_on": "2026-03-01"})
    assert past.status_code == 400
    assert past.json()["field"] == "due_on"
    reworked = ok(act(api("inspector"), answered, "rework", **body), "in_handling")
    assert reworked["replied_on"] is None
    assert reworked["due_on"] == "2026-03-20"
    assert reworked["timeline"][-1]["action"] == "rework"
    assert {a["action"] for a in api("handler").get(reworked["url"]).json()["actions"]} >= {"reply"}
