"""The lifecycle through the web pages (Django test client), as staff would click it."""

from __future__ import annotations

import pytest

from xinfang.cases.models import Case, Category, Status
from xinfang.org.models import Division, Unit

from .factories import register

pytestmark = pytest.mark.django_db


def act(client, case: Case, action: str, **fields):
    case.refresh_from_db()
    data = {f"{action}-version": case.version, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(f"/cases/{case.pk}/act/{action}/", data)


def login(client, users, name):
    client.force_login(users[name])


def test_register_route_accept_extend_answer_rate_review_rereview(client, users):
    login(client, users, "clerk")
    response = client.post(
        "/cases/register/",
        {
            "channel": "visit",
            "petition_type": "appeal",
            "category": Category.objects.get(code="labour").pk,
            "title": "工地拖欠农民工工资",
            "content": "在杨广镇某工地务工三个月，工资至今未结清。",
            "request": "要求结清工资",
            "division": Division.objects.get(code="530423101").pk,
            "received_on": "2026-03-02",
            "name": "李四",
            "id_number": "53042319850505123X",
            "phone": "13900002222",
            "people_count": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(title="工地拖欠农民工工资")
    assert case.petitioners.get().id_number == "53042319850505123X"
    page = client.get(response.url).content.decode()
    assert case.query_code in page
    assert "转送" in page or "Route" in page

    rsj = Unit.objects.get(code="rsj")
    assert act(client, case, "route", unit=rsj.pk).status_code == 302
    login(client, users, "handler2")
    assert act(client, case, "accept").status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_HANDLING
    assert (
        act(
            client,
            case,
            "reply",
            outcome="supported",
            text="经调查，已督促施工方于三日内结清全部工资。",
        ).status_code
        == 302
    )
    login(client, users, "clerk")
    assert act(client, case, "evaluate", rating="basically", comment="已结清").status_code == 302
    assert act(client, case, "request_review", reason="利息未支付").status_code == 302
    login(client, users, "supervisor")
    assert (
        act(
            client,
            case,
            "decide_review",
            outcome="explained",
            text="利息诉求无合同依据，已解释说明。",
        ).status_code
        == 302
    )
    login(client, users, "clerk")
    assert act(client, case, "request_rereview", reason="仍要求支付利息").status_code == 302
    login(client, users, "leader")
    assert (
        act(
            client,
            case,
            "decide_rereview",
            outcome="explained",
            text="经复核，维持复查意见，本事项终结。",
            hearing_days=0,
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == Status.TERMINATED
    page = client.get(f"/cases/{case.pk}/").content.decode()
    for action in ["register", "route", "accept", "reply", "evaluate", "decide_rereview"]:
        assert action in page
    doc = case.documents.get(kind="acceptance_notice")
    download = client.get(f"/cases/{case.pk}/documents/{doc.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"


def test_refused_action_shows_the_error_beside_the_field_and_changes_nothing(client, users):
    case = register(users)
    login(client, users, "clerk")
    response = act(client, case, "route", unit=Unit.objects.get(code="zjj").pk)
    assert response.status_code == 302
    login(client, users, "unithead")
    act(client, case, "accept")
    response = act(client, case, "extend", days=45, reason="复杂")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    case.refresh_from_db()
    assert case.status == Status.IN_HANDLING
    assert case.extension_days == 0


def test_stale_form_is_refused_with_a_conflict_message(client, users):
    case = register(users)
    login(client, users, "clerk")
    stale = case.version
    act(client, case, "route", unit=Unit.objects.get(code="zjj").pk)
    zjj, rsj = Unit.objects.get(code="zjj"), Unit.objects.get(code="rsj")
    response = client.post(
        f"/cases/{case.pk}/act/joint/",
        {"joint-version": stale, "joint-lead": zjj.pk, "joint-co_units": [rsj.pk]},
    )
    assert response.status_code == 400
    assert (
        "changed this case meanwhile" in response.content.decode()
        or "已被他人修改" in response.content.decode()
    )


@pytest.mark.parametrize(
    ("action", "who", "fields", "status"),
    [
        ("not_accept", "clerk", {"reason": "不属于信访事项"}, Status.NOT_ACCEPTED),
        ("divert", "clerk", {"to": "arbitration", "reason": "属于劳动仲裁范围"}, Status.DIVERTED),
        ("close", "clerk", {}, None),
    ],
)
def test_bureau_actions_from_the_web(client, users, action, who, fields, status):
    case = register(users)
    login(client, users, who)
    response = act(client, case, action, **fields)
    case.refresh_from_db()
    if status is None:  # closing a registered case is not allowed
        assert response.status_code == 400
        assert case.status == Status.REGISTERED
    else:
        assert response.status_code == 302
        assert case.status == status


def test_merge_return_and_joint_handling_from_the_web(client, users):
    original = register(users)
    repeat = register(users)
    login(client, users, "clerk")
    assert act(client, repeat, "merge", into=original.number).status_code == 302
    repeat.refresh_from_db()
    assert repeat.status == Status.MERGED
    response = act(client, register(users), "merge", into="XF-NOPE")
    assert response.status_code == 400
    zjj, rsj = Unit.objects.get(code="zjj"), Unit.objects.get(code="rsj")
    act(client, original, "route", unit=zjj.pk)
    assert act(client, original, "joint", lead=zjj.pk, co_units=[rsj.pk]).status_code == 302
    login(client, users, "handler")
    # routed today, so returned well within the 5 working days (art. 23)
    assert act(client, original, "return", reason="牵头单位应为人社局").status_code == 302
    original.refresh_from_db()
    assert original.status == Status.RETURNED


def test_merge_into_a_case_out_of_sight_answers_like_an_unknown_number(client, users):
    """An accusation against the clerk's own bureau is hidden from the clerk; guessing its
    number on the merge form must not reveal (or use) it."""
    from xinfang.cases.models import PetitionType

    hidden = register(
        users, petition_type=PetitionType.ACCUSATION, accused_units=[users["clerk"].unit]
    )
    repeat = register(users)
    login(client, users, "clerk")
    response = act(client, repeat, "merge", into=hidden.number)
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="id_merge-into_error"' in response.content.decode()
    repeat.refresh_from_db()
    assert repeat.status != Status.MERGED
