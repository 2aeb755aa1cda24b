"""The GeoReport v2 endpoint in detail: formats, errors, filters, states, tokens and what a
reader may see (confidentiality)."""

from __future__ import annotations

import json
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command

from xinfang.audit.models import AuditRecord
from xinfang.cases.models import Case, PetitionType, Status
from xinfang.cases.services import case_accept, case_reply, case_route
from xinfang.cases.tests.factories import register
from xinfang.open311.models import ApiClient, Scope, ServiceRequest
from xinfang.org.models import Unit

BASE = "/open311/v2"

pytestmark = pytest.mark.django_db


def post(client, key, fmt="json", **fields):
    data = {
        "service_code": "urban-rural",
        "address_string": "秀山街道某路口",
        "description": "路灯连续一周不亮，夜间出行不便。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800001111",
        "attribute[division]": "530423001",
    }
    if key is not None:
        data["api_key"] = key
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data)


def submit(client, key, **fields):
    response = post(client, key, **fields)
    assert response.status_code == 201, response.content
    return response.json()[0]["service_request_id"]


def xml(response):
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(body)  # noqa: S314 (our own output)


def test_discovery_names_the_endpoint_and_both_formats(client, demo_org):
    data = client.get(f"{BASE}/discovery.json").json()
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_are_our_categories_in_json_and_xml(client, demo_org):
    from xinfang.cases.models import Category

    response = client.get(f"{BASE}/services.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    assert [s["service_code"] for s in services] == list(
        Category.objects.order_by("code").values_list("code", flat=True)
    )
    first = services[0]
    assert set(first) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert first["metadata"] is True
    assert first["type"] == "realtime"
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert len(root.findall("service")) == len(services)
    assert root.find("service/metadata").text == "true"


def test_service_definition_lists_values_and_unknown_codes_answer_404(client, demo_org):
    definition = client.get(f"{BASE}/services/labour.json").json()
    petition_type = definition["attributes"][0]
    assert petition_type["datatype"] == "singlevaluelist"
    assert {v["key"] for v in petition_type["values"]} == set(PetitionType.values)
    root = xml(client.get(f"{BASE}/services/labour.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None
    missing = client.get(f"{BASE}/services/no-such.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404
    missing_xml = client.get(f"{BASE}/services/no-such.xml")
    assert xml(missing_xml).tag == "errors"


def test_post_needs_a_valid_key_with_the_open311_scope(client, app_key):
    from xinfang.open311.services import api_client_issue

    assert post(client, None).status_code == 403
    assert post(client, "xf_wrong").status_code == 403
    _c, hotline_only = api_client_issue(actor=None, name="hotline", scopes=[Scope.HOTLINE])
    refused = post(client, hotline_only, fmt="xml")
    assert refused.status_code == 403
    assert xml(refused).find("error/code").text == "403"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"service_code": "no-such"}, 404),
        ({"service_code": ""}, 400),
        ({"address_string": "", "lat": None}, 400),
        ({"lat": "24.1"}, 400),  # lat without long
        ({"lat": "124.1", "long": "102.7"}, 400),
        ({"first_name": "", "last_name": ""}, 400),
        ({"description": ""}, 400),
        ({"description": "x" * 4001}, 400),
        ({"attribute[petition_type]": "gossip"}, 400),
        ({"attribute[division]": "110101001"}, 400),
        ({"media_url": "file:///etc/passwd"}, 400),
        ({"jurisdiction_id": "example.org"}, 404),
    ],
)
def test_invalid_posts_are_refused_and_change_nothing(client, app_key, fields, status):
    _c, key = app_key
    response = post(client, key, **fields)
    assert response.status_code == status, response.content
    assert response.json()[0]["description"]
    assert not Case.objects.exists()
    assert not ServiceRequest.objects.exists()


def test_post_registers_an_audited_online_case_and_answers_in_xml(client, app_key):
    api_client, key = app_key
    response = post(client, key, fmt="xml", lat="24.112345", long="102.754321", account_id="a7")
    assert response.status_code == 201
    root = xml(response)
    number = root.find("request/service_request_id").text
    assert root.find("request/account_id").text == "a7"
    case = Case.objects.get(number=number)
    assert case.channel == "online"
    assert case.status == Status.REGISTERED
    assert case.registered_by == api_client.user
    person = case.petitioners.get()
    assert (person.name, person.phone) == ("张三", "13800001111")
    sr = case.open311
    assert (str(sr.lat), str(sr.long)) == ("24.112345", "102.754321")
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"case.register", "open311.request.create", "open311.apiclient.issue"} <= actions


def test_public_reads_never_show_personal_data_or_description(client, app_key):
    _c, key = app_key
    number = submit(client, key, email="zs@example.org", media_url="https://img.example.org/1.jpg")
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}/requests/{number}.{fmt}").content.decode()
        for secret in ("张三", "13800001111", "zs@example.org", "路灯连续", "img.example.org"):
            assert secret not in body, (fmt, secret)
    public = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert public["description"] is None
    assert public["lat"] is None
    assert public["address"] == "秀山街道, 通海县"


def test_the_submitting_system_reads_its_own_description_others_do_not(client, app_key, other_key):
    _c, key = app_key
    _o, other = other_key
    number = submit(client, key, lat="24.1", long="102.7")
    own = client.get(f"{BASE}/requests/{number}.json", {"api_key": key}).json()[0]
    assert own["description"] == "路灯连续一周不亮，夜间出行不便。"
    assert own["address"] == "秀山街道某路口"
    assert own["lat"] == 24.1
    foreign = client.get(f"{BASE}/requests/{number}.json", {"api_key": other}).json()[0]
    assert foreign["description"] is None
    assert foreign["lat"] is None
    assert "张三" not in json.dumps(own, ensure_ascii=False)  # not even to the submitter


def test_accusations_are_never_public(client, app_key, other_key):
    _c, key = app_key
    _o, other = other_key
    appeal = submit(client, key)
    accusation = submit(
        client, key, **{"attribute[petition_type]": "accusation", "description": "举报某局长受贿"}
    )
    listed = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    assert listed == [appeal]
    assert client.get(f"{BASE}/requests/{accusation}.json").status_code == 404
    assert client.get(f"{BASE}/requests/{accusation}.xml", {"api_key": other}).status_code == 404
    own = client.get(f"{BASE}/requests/{accusation}.json", {"api_key": key}).json()[0]
    assert own["status"] == "open"
    assert own["description"] is None
    assert own["address"] is None
    assert own["agency_responsible"] is None
    assert "受贿" not in client.get(f"{BASE}/requests.xml", {"api_key": key}).content.decode()


def test_cases_from_other_channels_are_not_published(client, users, app_key):
    letter = register(users)
    _c, key = app_key
    number = submit(client, key)
    listed = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    assert listed == [number]
    assert client.get(f"{BASE}/requests/{letter.number}.json").status_code == 404


def test_states_map_to_open_and_closed_with_status_notes(client, users, app_key):
    _c, key = app_key
    number = submit(client, key)
    case = Case.objects.get(number=number)
    zjj = Unit.objects.get(code="zjj")
    case = case_route(actor=users["clerk"], case=case, unit=zjj)
    routed = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert routed["status"] == "open"
    assert routed["agency_responsible"] == zjj.name
    assert zjj.name in routed["status_notes"]
    assert routed["expected_datetime"].startswith(case.due_on.isoformat())
    case = case_accept(actor=users["handler"], case=case)
    case = case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="经现场核实，路灯线路老化，已于三月五日更换并恢复照明。",
    )
    answered = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert answered["status"] == "closed"
    assert case.replied_on.isoformat() in answered["status_notes"]
    assert answered["expected_datetime"] is None
    assert answered["updated_datetime"] >= routed["updated_datetime"]
    assert "路灯线路老化" not in json.dumps(answered, ensure_ascii=False)  # the answer is private
    closed = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [number]
    assert client.get(f"{BASE}/requests.json", {"status": "open"}).json() == []


def test_list_filters_and_limits(client, app_key, settings):
    _c, key = app_key
    first = submit(client, key)
    second = submit(client, key, service_code="labour")
    by_code = client.get(f"{BASE}/requests.json", {"service_code": "labour"}).json()
    assert [r["service_request_id"] for r in by_code] == [second]
    both = client.get(
        f"{BASE}/requests.json",
        {"service_request_id": f"{first},{second}", "service_code": "labour"},
    ).json()
    assert {r["service_request_id"] for r in both} == {first, second}  # ids override
    old = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"},
    ).json()
    assert old == []
    too_long = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-12-01T00:00:00Z"},
    )
    assert too_long.status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code == 400
    settings.XINFANG_OPEN311 = {**settings.XINFANG_OPEN311, "MAX_RESULTS": 1}
    assert len(client.get(f"{BASE}/requests.json").json()) == 1


def test_list_page_makes_a_fixed_number_of_queries(client, app_key, django_assert_max_num_queries):
    _c, key = app_key
    for _ in range(5):
        submit(client, key)
    with django_assert_max_num_queries(6):
        assert len(client.get(f"{BASE}/requests.json").json()) == 5


def test_batch_mode_returns_a_token_that_gives_the_id(client, app_key, settings):
    settings.XINFANG_OPEN311 = {**settings.XINFANG_OPEN311, "SERVICE_TYPE": "batch"}
    _c, key = app_key
    response = post(client, key)
    answer = response.json()[0]
    assert "service_request_id" not in answer
    token = answer["token"]
    found = client.get(f"{BASE}/tokens/{token}.json").json()
    number = ServiceRequest.objects.get(token=token).case.number
    assert found == [{"service_request_id": number, "token": token}]
    root = xml(client.get(f"{BASE}/tokens/{token}.xml"))
    assert root.find("request/service_request_id").text == number
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404
    assert client.get(f"{BASE}/services.json").json()[0]["type"] == "batch"


def test_other_methods_are_refused(client, demo_org):
    response = client.put(f"{BASE}/requests.json")
    assert response.status_code == 405
    assert client.post(f"{BASE}/services.json").status_code == 405


def test_issue_and_revoke_keys_from_the_command_line(demo_org, capsys):
    call_command("issue_api_key", "12345 platform", "--scope", "hotline", "--scope", "open311")
    key = capsys.readouterr().out.strip()
    client = ApiClient.objects.get(name="12345 platform")
    assert key.startswith("xf_")
    assert len(key) > 40
    assert key not in str(list(ApiClient.objects.values()))  # only the hash is stored
    assert client.scopes == ["hotline", "open311"]
    assert not client.user.has_usable_password()
    assert client.user.unit.code == "rx12345"
    from xinfang.open311.services import client_for_key

    assert client_for_key(key, scope="open311") == client
    call_command("revoke_api_key", "12345 platform")
    assert client_for_key(key, scope="open311") is None
    assert date.today()  # noqa: DTZ011
