"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py).

Every Open311 URL is public; the samples are a category and a request submitted through
Open311 (an appeal, so it is publicly listed)."""

from __future__ import annotations

from typing import Any


def sample_request(users: dict[str, Any]) -> Any:
    from xinfang.cases.models import Category
    from xinfang.open311.models import Scope, ServiceRequest
    from xinfang.open311.services import RequestInput, api_client_issue, service_request_create
    from xinfang.org.models import Division

    existing = ServiceRequest.objects.order_by("pk").first()
    if existing is not None:
        return existing
    client, _key = api_client_issue(actor=None, name="sample app", scopes=[Scope.OPEN311])
    return service_request_create(
        client=client,
        data=RequestInput(
            category=Category.objects.get(code="urban-rural"),
            description="路灯不亮，夜间出行不便。",
            name="张三",
            division=Division.objects.get(code="530423001"),
            address_string="秀山街道某路",
        ),
    )


def _fmt(users: dict[str, Any]) -> dict[str, str]:
    return {"fmt": "json"}


URL_KWARGS = {
    "open311:discovery": _fmt,
    "open311:services": _fmt,
    "open311:requests": _fmt,
    "open311:service_definition": lambda users: {"fmt": "xml", "service_code": "urban-rural"},
    "open311:request": lambda users: {
        "fmt": "json",
        "service_request_id": sample_request(users).case.number,
    },
    "open311:token": lambda users: {"fmt": "xml", "token": sample_request(users).token},
}
