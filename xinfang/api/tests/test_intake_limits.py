"""Limits of a request body are those of the schema, on the string as sent (DRF trims
whitespace before it checks the length; the schema does not)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/intake/check/", "/api/v1/cases/"])
def test_a_name_over_the_limit_is_refused_even_if_trimming_would_fit(api, users, path):
    body = {
        "title": "路灯不亮",
        "content": "秀山街道路灯连续一周不亮。",
        "channel": "phone",
        "petition_type": "appeal",
        "category": "urban-rural",
        "received_on": "2026-03-02",
        "division": "530423001",
        "petitioners": [{"name": "\u00a0" + "张" * 40}],
    }
    response = api("clerk").post(path, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["petitioners.0.name"]  # nothing else is wrong
    # and the same body with the name in bounds goes through
    body["petitioners"] = [{"name": "\u00a0" + "张" * 39}]
    assert api("clerk").post(path, body).status_code in (200, 201)
