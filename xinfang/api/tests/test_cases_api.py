"""Case list, registration, detail, files and reference data through the API."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.models import Case, Category, Channel, PetitionType, Status
from xinfang.cases.tests.factories import register
from xinfang.org.models import Division, Unit

pytestmark = pytest.mark.django_db


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def routed(users, code: str = "zjj", **kw) -> Case:
    return s.case_route(actor=users["clerk"], case=register(users, **kw), unit=unit(code))


REGISTRATION = {
    "channel": "visit",
    "petition_type": "appeal",
    "category": "labour",
    "title": "工地拖欠农民工工资",
    "content": "在杨广镇某工地务工三个月，工资至今未结清。",
    "request": "要求结清工资",
    "division": "530423101",
    "received_on": "2026-03-02",
    "petitioners": [
        {"name": "李四", "id_number": "53042319850505123x", "phone": "13900002222"},
    ],
}


# --- list ------------------------------------------------------------------------------------


def test_list_is_paginated_newest_first(api, users, march_2026):
    for i in range(5):
        register(users, title=f"第{i}件", received_on=date(2026, 2, 20 + i))
    client = api("clerk")
    first = client.get("/api/v1/cases/", {"page_size": 2}).json()
    assert first["count"] == 5
    assert [c["title"] for c in first["results"]] == ["第4件", "第3件"]
    assert "page=2" in first["next"]
    last = client.get("/api/v1/cases/", {"page_size": 2, "page": 3}).json()
    assert [c["title"] for c in last["results"]] == ["第0件"]
    assert last["next"] is None
    beyond = client.get("/api/v1/cases/", {"page_size": 2, "page": 4})
    assert beyond.status_code == 404
    assert beyond.json()["code"] == "not_found"


def test_list_filters(api, users, march_2026):
    a = routed(users, "zjj", title="楼顶漏水", received_on=date(2026, 2, 10))
    b = register(
        users,
        title="工资拖欠",
        channel=Channel.VISIT,
        petition_type=PetitionType.SUGGESTION,
        category=Category.objects.get(code="labour"),
        division=Division.objects.get(code="530423101"),
        received_on=date(2026, 3, 1),
    )
    Case.objects.filter(pk=b.pk).update(due_flag="soon")
    client = api("clerk")

    def ids(**params):
        response = client.get("/api/v1/cases/", params)
        assert response.status_code == 200, response.json()
        return {c["id"] for c in response.json()["results"]}

    assert ids() == {a.pk, b.pk}
    assert ids(status="routed") == {a.pk}
    assert ids(channel="visit") == {b.pk}
    assert ids(petition_type="suggestion") == {b.pk}
    assert ids(category="labour") == {b.pk}
    assert ids(unit="zjj") == {a.pk}
    assert ids(division="530423001") == {a.pk}  # the town and its villages
    assert ids(division="530423") == {a.pk, b.pk}  # the county
    assert ids(division="530423101") == {b.pk}
    assert ids(due_flag="soon") == {b.pk}
    assert ids(due_flag="on_time") == {a.pk}
    assert ids(queue="to_accept") == {a.pk}
    assert ids(queue="to_route") == {b.pk}
    assert ids(received_from="2026-02-15") == {b.pk}
    assert ids(received_to="2026-02-15") == {a.pk}
    assert ids(received_from="2026-02-01", received_to="2026-03-01") == {a.pk, b.pk}
    assert ids(q="漏水") == {a.pk}
    assert ids(q="拖欠", status="routed") == set()
    titles = [
        c["title"] for c in client.get("/api/v1/cases/", {"sort": "received"}).json()["results"]
    ]
    assert titles == ["楼顶漏水", "工资拖欠"]


def test_invalid_filters_answer_400_with_the_fields(api, users):
    response = api("clerk").get(
        "/api/v1/cases/", {"status": "lost", "category": "nope", "received_from": "yesterday"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"status", "category", "received_from"}
    assert body["fields"]["status"][0]["code"] == "invalid_choice"
    assert body["fields"]["category"][0]["code"] == "does_not_exist"


def test_list_shows_only_visible_cases(api, users, march_2026):
    ours = routed(users, "zjj")
    theirs = routed(users, "rsj")
    assert {c["id"] for c in api("handler").get("/api/v1/cases/").json()["results"]} == {ours.pk}
    assert {c["id"] for c in api("handler2").get("/api/v1/cases/").json()["results"]} == {theirs.pk}
    assert api("analyst").get("/api/v1/cases/").status_code == 403
    assert api().get("/api/v1/cases/").status_code == 401


def test_list_query_count_does_not_grow_with_the_page(api, users, django_assert_max_num_queries):
    for _ in range(3):
        routed(users)
    client = api("clerk")
    client.get("/api/v1/cases/")  # warm up (token touch, etc.)
    with django_assert_max_num_queries(6):
        small = client.get("/api/v1/cases/")
    for _ in range(10):
        routed(users)
    with django_assert_max_num_queries(6):
        large = client.get("/api/v1/cases/")
    assert small.json()["count"] == 3
    assert large.json()["count"] == 13


# --- registration -----------------------------------------------------------------------------


def test_register_gives_number_query_code_and_location(api, users, march_2026):
    response = api("clerk").post("/api/v1/cases/", REGISTRATION)
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/cases/{case.pk}/"
    assert body["number"] == case.number
    assert body["query_code"] == case.query_code
    assert body["status"] == Status.REGISTERED
    assert body["petitioners"][0]["id_number"] == "53042319850505123X"
    assert case.registered_by == users["clerk"]
    assert AuditRecord.objects.filter(action="case.register", object_id=str(case.pk)).exists()
    assert [a["action"] for a in body["actions"]][:1] == ["route"]


def test_register_validation_errors_name_the_fields(api, users, march_2026):
    bad = {
        **REGISTRATION,
        "channel": "pigeon",
        "title": "x" * 121,
        "received_on": "2026-03-04",
        "petitioners": [{"name": "王五", "id_number": "12345"}, {"phone": "abc"}],
    }
    response = api("clerk").post("/api/v1/cases/", bad)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {
        "channel",
        "title",
        "received_on",
        "petitioners.0.id_number",
        "petitioners.1.name",
        "petitioners.1.phone",
    }
    assert fields["received_on"][0]["code"] == "future_date"
    assert not Case.objects.exists()


def test_register_refusals_of_the_service_keep_their_code(api, users, march_2026):
    client = api("clerk")
    leader = client.post("/api/v1/cases/", {**REGISTRATION, "channel": "leader"})
    assert leader.status_code == 400
    assert leader.json() == {
        "code": "missing_assigned_deadline",
        "message": leader.json()["message"],
        "field": "deadline_assigned",
    }
    nobody = client.post("/api/v1/cases/", {**REGISTRATION, "petitioners": []})
    assert nobody.json()["code"] == "no_petitioner"
    assert not Case.objects.exists()
    assigned = client.post(
        "/api/v1/cases/",
        {**REGISTRATION, "channel": "leader", "deadline_assigned": "2028-01-01"},
    )
    assert assigned.json()["fields"]["deadline_assigned"][0]["code"] == "out_of_range"


def test_register_repeat_of_must_be_a_visible_case(api, users, march_2026):
    earlier = routed(users, "rsj")
    as_handler = api("handler").post("/api/v1/cases/", {**REGISTRATION, "repeat_of": earlier.pk})
    assert as_handler.status_code == 403  # handlers do not register
    as_clerk = api("clerk").post("/api/v1/cases/", {**REGISTRATION, "repeat_of": earlier.pk})
    assert as_clerk.status_code == 201
    assert as_clerk.json()["repeat_of"] == earlier.pk
    assert as_clerk.json()["is_repeat"]
    unknown = api("clerk").post("/api/v1/cases/", {**REGISTRATION, "repeat_of": 10**12})
    assert unknown.json()["fields"]["repeat_of"][0]["code"] == "does_not_exist"


# --- detail -----------------------------------------------------------------------------------


def test_detail_has_timeline_deadlines_documents_and_actions(api, users, march_2026):
    case = routed(users, "zjj")
    client = api("handler")
    body = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert [e["action"] for e in body["timeline"]] == ["register", "route"]
    assert body["timeline"][1]["to_status"] == "routed"
    assert body["timeline"][1]["data"]["unit"] == unit("zjj").name
    steps = {d["step"]: d for d in body["deadlines"]}
    assert steps["route"]["done_on"] == "2026-03-03"
    assert steps["route"]["remaining_working_days"] is None
    assert steps["acceptance"]["due"] == case.acceptance_due.isoformat()
    assert steps["acceptance"]["remaining_working_days"] > 0
    assert {a["action"] for a in body["actions"]} == {"accept", "return", "not_accept"}
    assert body["handling_unit"] == {"code": "zjj", "name": unit("zjj").name}

    (document,) = body["documents"]
    assert document["kind"] == "transfer_letter"
    pdf = client.get(document["url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert AuditRecord.objects.filter(action="case.document.download").count() == 1


def test_attachments_are_listed_and_downloadable(api, users, march_2026):
    import io

    from xinfang.cases.attachments import attachment_add

    case = routed(users)
    data = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    attachment_add(
        actor=users["clerk"], case=case, name="照片.png", stream=io.BytesIO(data), size=len(data)
    )
    client = api("handler")
    (item,) = client.get(f"/api/v1/cases/{case.pk}/").json()["attachments"]
    assert item["name"] == "照片.png"
    assert item["size"] == len(data)
    response = client.get(item["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == data
    assert api("handler2").get(item["url"]).status_code == 404


@pytest.mark.security
def test_foreign_cases_and_their_documents_answer_404(api, users, march_2026):
    case = routed(users, "zjj")
    document = case.documents.get()
    client = api("handler2")
    for url in [
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/documents/{document.pk}/",
        f"/api/v1/cases/{case.pk + 1000}/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    other_doc = routed(users, "rsj").documents.get()
    # a document id of a visible case's sibling is not reachable through another case
    assert client.get(f"/api/v1/cases/{case.pk}/documents/{other_doc.pk}/").status_code == 404


@pytest.mark.security
def test_personal_data_is_masked_without_the_capability_and_reads_are_audited(
    api, users, march_2026
):
    case = routed(users, "zjj")
    masked = api("inspector").get(f"/api/v1/cases/{case.pk}/").json()
    assert masked["personal_data_masked"] is True
    assert masked["query_code"] is None
    assert masked["petitioners"] == [
        {
            "role": "principal",
            "name": "张*",
            "id_number": "5304************34",
            "phone": "138****1111",
            "address": "",
        }
    ]
    assert not AuditRecord.objects.filter(action="case.personal_data.view").exists()

    full = api("handler").get(f"/api/v1/cases/{case.pk}/").json()
    assert full["personal_data_masked"] is False
    assert full["petitioners"][0]["id_number"] == "530423199001011234"
    assert full["query_code"] == case.query_code
    record = AuditRecord.objects.get(action="case.personal_data.view")
    assert record.actor == users["handler"]
    assert record.object_id == str(case.pk)
    # the list carries no personal data at all
    listed = api("inspector").get("/api/v1/cases/").json()["results"][0]
    assert "petitioners" not in listed
    assert "query_code" not in listed


# --- reference data ---------------------------------------------------------------------------


def test_reference_endpoints(api, users):
    client = api("handler")
    units = {u["code"]: u for u in client.get("/api/v1/units/").json()}
    assert units["zjj"]["name"] == unit("zjj").name
    categories = {c["code"]: c for c in client.get("/api/v1/categories/").json()}
    assert categories["labour"]["default_unit"] == "rsj"
    assert categories["other"]["default_unit"] is None
    towns = client.get("/api/v1/divisions/", {"level": "township", "page_size": 100}).json()
    assert towns["count"] == Division.objects.filter(level="township").count()
    assert {d["parent"] for d in towns["results"]} == {"530423"}
    villages = client.get("/api/v1/divisions/", {"parent": "530423001"}).json()["results"]
    assert villages
    assert all(d["code"].startswith("530423001") for d in villages)
    assert client.get("/api/v1/divisions/", {"parent": "999"}).status_code == 400
    assert api().get("/api/v1/units/").status_code == 401
    assert api("analyst").get("/api/v1/units/").status_code == 200  # any signed-in staff
