"""Fixtures of the API tests: clients authenticated with real tokens, and a check of every
response against the OpenAPI schema the API serves (schemathesis' response checks)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine
from django.apps import apps
from django.test import Client
from rest_framework.test import APIClient

from xinfang.api.services import api_token_issue

SHANGHAI = ZoneInfo("Asia/Shanghai")


def load_openapi() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def path_parameters(template: str, path: str) -> dict[str, str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    match = re.fullmatch(pattern, path)
    assert match is not None, (template, path)
    return match.groupdict()


class Conformance:
    """Runs schemathesis' checks on a response of the Django test client: the operation and
    the status code are documented, the content type matches, the body fits its schema."""

    def __init__(self, raw: dict[str, Any]) -> None:
        import schemathesis
        from schemathesis.checks import not_a_server_error
        from schemathesis.specs.openapi.checks import (
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
            status_code_conformance,
        )

        self.schema = schemathesis.openapi.from_dict(raw)
        self.checks = [
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ]
        self.checked = 0

    def check(self, response: Any) -> None:
        from schemathesis.core.transport import Response

        request = response.wsgi_request
        operation = self.schema.find_operation_by_path(request.method, request.path)
        if operation is None:
            # Not an operation of the schema: it must be refused, in JSON.
            assert response.status_code in (404, 405), (request.method, request.path)
            assert response.json()["code"] in ("not_found", "method_not_allowed")
            return
        if response.streaming:
            content = b"".join(response.streaming_content)
            response.streaming_content = [content]
        else:
            content = response.content
        prepared = requests.Request(
            request.method, f"http://testserver{request.get_full_path()}"
        ).prepare()
        st_response = Response(
            status_code=response.status_code,
            headers={k.lower(): [v] for k, v in response.headers.items()},
            content=content,
            request=prepared,
            elapsed=0.0,
            verify=True,
        )
        operation.Case(
            path_parameters=path_parameters(operation.path, request.path)
        ).validate_response(st_response, checks=self.checks)
        self.checked += 1


class CheckedAPIClient(APIClient):
    """APIClient whose every answer under /api/v1/ is checked against the schema."""

    conformance: Conformance | None = None

    def request(self, **kwargs: Any) -> Any:
        response = super().request(**kwargs)
        path = response.wsgi_request.path
        schema_or_docs = "openapi.json" in path or path.startswith("/api/v1/docs/")
        if self.conformance and path.startswith("/api/v1/") and not schema_or_docs:
            self.conformance.check(response)
        return response


@pytest.fixture(scope="session")
def openapi(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():  # the schema view reads no data
        return load_openapi()


@pytest.fixture(scope="session")
def conformance(openapi: dict[str, Any]) -> Conformance:
    return Conformance(openapi)


@pytest.fixture
def api(users: dict[str, Any], conformance: Conformance) -> Callable[..., CheckedAPIClient]:
    """api("clerk") -> a client sending a fresh token of the demo clerk; api() -> anonymous."""

    def make(username: str | None = None) -> CheckedAPIClient:
        client = CheckedAPIClient()
        client.conformance = conformance
        if username:
            key = api_token_issue(actor=None, user=users[username], name="test").key
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


@pytest.fixture
def march_2026() -> Any:
    """Working days in March 2026, after the demo cases' receipt on 2 March."""
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_routing_model(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """No classifier unless a test asks for one (``routing_model``): answers do not depend on
    a model left in var/ by another run."""
    if not apps.is_installed("xinfang.routing"):
        yield None
        return
    from xinfang.routing import classifier

    settings.XINFANG_ROUTING = {
        **getattr(settings, "XINFANG_ROUTING", {}),
        "MODEL_DIR": tmp_path_factory.mktemp("no-routing-model"),
        "AUTO_TRAIN": False,
    }
    classifier._loaded.clear()
    yield None
    classifier._loaded.clear()


@pytest.fixture(scope="session")
def small_routing_model(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not apps.is_installed("xinfang.routing"):
        pytest.skip("the routing area (xinfang.routing) is not installed")
    from xinfang.routing.classifier import train_and_save

    directory = tmp_path_factory.mktemp("routing-model")
    train_and_save(directory=directory, limit=900, evaluation_limit=300, min_macro_f1=0.0)
    return directory


@pytest.fixture
def routing_model(settings: Any, small_routing_model: Any, _no_routing_model: None) -> Any:
    """A small classifier trained once per session (the routing area's test recipe)."""
    from xinfang.routing import classifier

    settings.XINFANG_ROUTING = {
        **settings.XINFANG_ROUTING,
        "MODEL_DIR": small_routing_model,
        "MIN_MACRO_F1": 0.0,
    }
    classifier._loaded.clear()
    return classifier.current_model(train_if_missing=False)
