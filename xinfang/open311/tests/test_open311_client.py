"""Open311 GeoReport v2 from the outside: independently written client libraries from PyPI,
used unmodified, against a live server.

- ``georeport`` (Apache-2.0) lists services, reads service definitions, requests and a request
  by id, in JSON and in XML (it cannot submit);
- ``civicbot`` (MIT; its ``civicbot.open311`` GeoReport v2 client) lists services, validates
  against our service definition, submits a request and reads it back (JSON only).
No Python 3 library on PyPI submits in XML (``three`` and ``open311`` are Python 2 only), so
the request submitted through civicbot is read back in XML through georeport, and
test_open311_api.py checks the XML answer to a POST with an XML parser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server):
    return f"{live_server.url}/open311/v2"


@pytest.fixture
def civic(endpoint):
    from civicbot.http import HttpTransport, RateLimiter
    from civicbot.open311 import Open311Client
    from civicbot.registry import Endpoint

    city = Endpoint(id="tonghai", name="通海县", base_url=endpoint, write=True)
    # No politeness delay against our own test server.
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0.0))
    return Open311Client(city, transport=transport)


def _submit(civic, key, **extra):
    prepared = civic.create_request(
        "urban-rural",
        dry_run=False,
        confirm="SEND",
        api_key=key,
        validate_remote=True,  # fetches services and our service definition first
        address_string="秀山街道文庙社区5栋",
        description="小区5栋楼顶漏水两年，物业一直未修，雨天墙面渗水。",
        first_name="三",
        last_name="张",
        phone="13800001111",
        email="zhangsan@example.org",
        attributes={"division": "530423001", "request": "要求维修楼顶防水层"},
        **extra,
    )
    assert prepared.dry_run is False
    [answer] = prepared.response
    return answer


def test_client_libraries_list_submit_and_read_back_in_json_and_xml(endpoint, civic, app_key):
    from georeport import GeoReport

    from xinfang.cases.models import Case, Category, Channel

    _client, key = app_key
    codes = set(Category.objects.values_list("code", flat=True))

    # services, as civicbot (JSON) and georeport (JSON and XML) see them
    assert {s["service_code"] for s in civic.list_services()} == codes
    as_json = GeoReport(endpoint, output_format="json")
    as_xml = GeoReport(endpoint, output_format="xml")
    assert {s["service_code"] for s in as_json.get_service_list()} == codes
    xml_services = as_xml.get_service_list()
    assert {s["service_code"] for s in xml_services} == codes
    assert {s["metadata"] for s in xml_services} == {"true"}
    definition = as_xml.get_service_definition("urban-rural")
    assert definition["service_code"] == "urban-rural"
    xml_codes = [a["code"] for a in definition["attributes"]["attribute"]]
    assert xml_codes[:3] == ["petition_type", "division", "request"]
    assert as_json.get_service_definition("urban-rural")["attributes"][1]["code"] == "division"

    # submit (civicbot, JSON): the request becomes an online petition case
    answer = _submit(civic, key)
    number = answer["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.channel == Channel.ONLINE
    assert case.category.code == "urban-rural"
    assert case.division.code == "530423001"
    assert case.request == "要求维修楼顶防水层"
    assert case.petitioners.get().name == "张三"
    assert "token" not in answer
    assert answer["service_notice"]

    # read it back: civicbot and georeport in JSON, georeport in XML
    back = civic.get_request(number)
    assert back["service_request_id"] == number
    assert back["status"] == "open"
    assert back["service_code"] == "urban-rural"
    assert back["address"] == "秀山街道, 通海县"
    assert back["description"] is None  # public read: no description
    json_back = as_json.get_service_request(number)
    assert json_back["requested_datetime"].endswith("+08:00")
    assert json_back["expected_datetime"] is not None
    xml_back = as_xml.get_service_request(number)
    assert xml_back["service_request_id"] == number
    assert xml_back["status"] == "open"
    assert xml_back["service_name"] == "城乡建设"
    assert xml_back["agency_responsible"] == "通海县信访局"
    listed = as_xml.get_service_requests(service_request_id=number)
    assert listed["service_request_id"] == number  # one request: xmltodict gives a dict
    both = as_json.get_service_requests(status="open", service_code="urban-rural")
    assert [r["service_request_id"] for r in both] == [number]
    # nothing personal travels back, in either format
    for body in (str(back), str(json_back), str(xml_back)):
        assert "张三" not in body
        assert "13800001111" not in body
        assert "example.org" not in body


def test_client_library_sees_a_refused_key(civic, other_key, app_key):
    from civicbot.http import HttpError

    from xinfang.open311.services import api_client_revoke

    client, key = other_key
    api_client_revoke(actor=None, client=client)
    with pytest.raises(HttpError) as refused:
        _submit(civic, key)
    assert refused.value.status == 403
    with pytest.raises(HttpError) as unknown:
        civic.get_request("XF530423-2026-999999")
    assert unknown.value.status == 404
