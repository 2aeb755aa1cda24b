"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py).

The API answers an anonymous request with 401 and a JSON error, never with the login redirect
the web pages give: ANON_STATUS lists every protected API URL with that answer. The schema and
its documentation page are public (200). Action URLs take POST only (405 to a GET from a role
that may read cases)."""

from __future__ import annotations

from typing import Any

from xinfang.cases.url_samples import sample_attachment, sample_case

from .presenters import ACTION_SLUGS

ACTION_URLS = {f"api:case-{slug}" for slug in ACTION_SLUGS.values()}


def _visible(user: Any, users: dict[str, Any]) -> bool:
    from xinfang.cases.selectors import cases_visible_to

    return cases_visible_to(user).filter(pk=sample_case(users).pk).exists()


def _case(users: dict[str, Any]) -> dict[str, Any]:
    return {"pk": sample_case(users).pk}


URL_KWARGS = {
    "api:case-detail": _case,
    "api:case-document": lambda users: {
        "pk": sample_case(users).pk,
        "doc_pk": sample_case(users).documents.first().pk,
    },
    "api:case-attachment": lambda users: {
        "pk": sample_case(users).pk,
        "att_pk": sample_attachment(users).pk,
    },
    **{name: _case for name in ACTION_URLS},
}
OBJECT_URLS = {"api:case-detail", "api:case-document", "api:case-attachment"}
POST_ONLY = ACTION_URLS | {"api:intake-check"}
VISIBLE = {name: _visible for name in OBJECT_URLS}

# Every API URL except the public schema ("api:schema") and its page ("api:docs").
ANON_STATUS = {
    name: 401
    for name in {
        "api:me",
        "api:cases",
        "api:units",
        "api:divisions",
        "api:categories",
        "api:intake-check",
        *OBJECT_URLS,
        *ACTION_URLS,
    }
}
