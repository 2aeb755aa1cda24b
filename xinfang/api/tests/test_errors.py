"""Every error is JSON with a stable code and a message, whatever went wrong."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from rest_framework import serializers

from xinfang.api.errors import exception_handler, flatten
from xinfang.cases.tests.factories import register

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str)
    assert body["message"]
    assert set(body) <= {"code", "message", "field", "fields"}
    return body


def test_unknown_paths_under_api_answer_json_404(api, users):
    client = api("clerk")
    assert_error(client.get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(client.post("/api/v2/cases/", {}), 404, "not_found")
    hint = assert_error(client.get("/api/v1/cases"), 404, "not_found")
    assert "/api/v1/cases/" in hint["message"]
    assert_error(api("clerk").get("/api/v1/cases/99999999999999999999999999/"), 404, "not_found")


def test_wrong_method_media_type_and_json(api, users, march_2026):
    case = register(users)
    client = api("clerk")
    wrong_method = assert_error(
        client.get(f"/api/v1/cases/{case.pk}/route/"), 405, "method_not_allowed"
    )
    assert wrong_method
    form = client.post(f"/api/v1/cases/{case.pk}/route/", {"unit": "zjj"}, format="multipart")
    assert_error(form, 415, "unsupported_media_type")
    broken = client.generic(
        "POST", f"/api/v1/cases/{case.pk}/route/", "{not json", content_type="application/json"
    )
    assert_error(broken, 400, "parse_error")


def test_permission_and_authentication_errors(api, users, march_2026):
    case = register(users)
    assert_error(api().get(f"/api/v1/cases/{case.pk}/"), 401, "not_authenticated")
    assert_error(api("analyst").get(f"/api/v1/cases/{case.pk}/"), 403, "permission_denied")
    assert_error(
        api("handler").post(f"/api/v1/cases/{case.pk}/route/", {"unit": "zjj"}),
        403,
        "permission_denied",
    )


def test_messages_follow_the_request_language(api, users, march_2026):
    case = register(users)
    client = api("clerk")
    english = client.post(f"/api/v1/cases/{case.pk}/close/", {}, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.post(
        f"/api/v1/cases/{case.pk}/close/", {}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    assert english["code"] == chinese["code"] == "illegal_transition"
    assert "not possible" in english["message"]
    assert chinese["message"] != english["message"]


def test_nested_validation_errors_are_flattened_to_paths():
    class Person(serializers.Serializer):
        name = serializers.CharField()

    class Body(serializers.Serializer):
        people = Person(many=True)
        tags = serializers.ListField(child=serializers.IntegerField())
        units = serializers.ListField(child=serializers.CharField(max_length=2))

    body = Body(data={"people": [{"name": "a"}, {}], "tags": [1, "x"], "units": "no"})
    assert not body.is_valid()
    fields = flatten(body.errors)
    assert set(fields) == {"people.1.name", "tags.1", "units"}
    assert fields["people.1.name"] == [
        {"code": "required", "message": str(body.errors["people"][1]["name"][0])}
    ]
    non_field = flatten(["top-level problem"])
    assert list(non_field) == ["non_field_errors"]


def test_an_unexpected_error_is_logged_and_answered_as_json(caplog):
    class View:
        pass

    with caplog.at_level(logging.ERROR, logger="xinfang.api"):
        try:
            raise RuntimeError("bug")
        except RuntimeError as exc:
            response = exception_handler(exc, {"view": View()})
    assert response.status_code == 500
    assert response.data["code"] == "server_error"
    assert "bug" not in response.data["message"]  # no internals to the caller
    assert "RuntimeError: bug" in caplog.text


def test_the_schema_and_docs_stay_public_when_credentials_are_wrong(db):
    client = Client(HTTP_AUTHORIZATION="Bearer xft_wrong")
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_null_characters_are_refused_at_the_edge(api, users, march_2026):
    """No text column can hold NUL (PostgreSQL refuses it): a code or a look-up with one is
    a field error, not a server error, on every database."""
    client = api("clerk")
    listed = client.get("/api/v1/cases/", {"category": "lab\x00our", "q": "a\x00"})
    assert listed.status_code == 400
    assert {k: v[0]["code"] for k, v in listed.json()["fields"].items()} == {
        "category": "null_characters_not_allowed",
        "q": "null_characters_not_allowed",
    }
    checked = client.post(
        "/api/v1/intake/check/",
        {"title": "t", "content": "c", "division": "5304\x0023", "petitioners": [{"name": "\x00"}]},
    )
    assert checked.status_code == 400
    assert set(checked.json()["fields"]) == {"division", "petitioners.0.name"}
