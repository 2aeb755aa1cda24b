"""The OpenAPI schema: served, complete, honest about errors; the local documentation page."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from schemathesis.core.failures import FailureGroup

from xinfang.api.actions import SPECS
from xinfang.api.presenters import ACTION_SLUGS
from xinfang.cases.transitions import Action

from .conftest import Conformance


def test_every_lifecycle_action_has_an_endpoint():
    assert {spec.action for spec in SPECS} == set(Action)
    assert set(ACTION_SLUGS) == set(Action)


def test_schema_is_openapi_3_and_lists_every_api_url(openapi, db):
    assert openapi["openapi"].startswith("3.")
    paths = openapi["paths"]
    templates = [re.sub(r"\{\w+\}", "1", p) for p in paths]
    for name, kwargs in [
        ("api:cases", {}),
        ("api:case-detail", {"pk": 1}),
        ("api:case-document", {"pk": 1, "doc_pk": 1}),
        ("api:case-attachment", {"pk": 1, "att_pk": 1}),
        ("api:me", {}),
        ("api:units", {}),
        ("api:divisions", {}),
        ("api:categories", {}),
        ("api:intake-check", {}),
        *[(f"api:case-{slug}", {"pk": 1}) for slug in ACTION_SLUGS.values()],
    ]:
        assert reverse(name, kwargs=kwargs) in templates, name
    operations = [(p, m, op) for p, item in paths.items() for m, op in item.items()]
    assert len(operations) == 10 + len(ACTION_SLUGS)  # 10: lists, detail, files, reference
    assert len({op["operationId"] for _p, _m, op in operations}) == len(operations)


def test_every_operation_needs_credentials_and_documents_its_errors(openapi):
    schemes = openapi["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, item in openapi["paths"].items():
        for method, op in item.items():
            assert {"bearerAuth": []} in op["security"], (path, method)
            assert "401" in op["responses"], (path, method)
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == error_ref
            if "{id}" in path:
                assert "404" in op["responses"], (path, method)
            if method == "post" and path not in {"/api/v1/cases/", "/api/v1/intake/check/"}:
                assert {"400", "403", "409"} <= set(op["responses"]), path
                body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                version = openapi["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]
                assert "version" in version, path
    error = openapi["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message"}


def test_schema_is_public_and_json(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(response.content)["info"]["title"] == "Xinfang REST API"


def test_conformance_check_catches_wrong_answers(api, conformance: Conformance, users):
    """The response check the API tests rely on does fail on a wrong body or status."""
    from rest_framework.test import APIClient

    from xinfang.api.services import api_token_issue

    client = APIClient()
    key = api_token_issue(actor=None, user=users["clerk"], name="t").key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get("/api/v1/me/")
    conformance.check(response)  # the real answer passes
    response.content = json.dumps({"username": 1}).encode()
    with pytest.raises(FailureGroup) as wrong_body:
        conformance.check(response)
    assert {f.title for f in wrong_body.value.exceptions} == {"Response violates schema"}
    response.status_code = 418
    with pytest.raises(FailureGroup) as wrong_status:
        conformance.check(response)
    assert "Undocumented" in str([f.title for f in wrong_status.value.exceptions])


def test_docs_page_uses_only_local_assets(db):
    client = Client()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "://" not in html  # nothing from a CDN
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert "<style" not in html
    assert "<script>" not in html
    for source in sources:
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/").split("?")[0]), source
    script = next(s for s in sources if "script" in s and "swagger-ui" not in s)
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "/api/v1/openapi.json" in init.content.decode()
