"""Walk every URL of the site as anonymous and as every role (NetBox-style matrix).

The expected status is derived from the view's declared access rule, never hand-picked:
public -> 200, anonymous on a protected view -> 302 to login, a role with the capability ->
200, without it -> 403. A view that declares no rule fails the test (deny by default).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import verified_login
from xinfang.core.access import AUTHENTICATED, PUBLIC, access_rule_of
from xinfang.org.models import Role
from xinfang.org.permissions import ROLE_CAPABILITIES

# URL names whose GET is not a page (POST-only actions) and what GET answers instead.
GET_STATUS_OVERRIDES: dict[str, int] = {
    "logout": 405,
    "set_language": 302,
}


def _collect_samples() -> tuple[dict[str, Any], set[str], set[str]]:
    """Each app describes its parameterised URLs in xinfang/<app>/url_samples.py:

    URL_KWARGS = {"name": lambda users: {...}}   sample kwargs (objects the test creates)
    OBJECT_URLS = {...}   answer 404 to a user allowed in who may not see the sample object
    POST_ONLY = {...}     answer 405 to a GET from someone allowed in
    VISIBLE = {"name": lambda user, users: bool}   whether ``user`` may see the sample
    ANON_STATUS = {"name": 401}   what an anonymous GET answers instead of the login redirect
                                  (APIs answer 401, they do not redirect)
    """
    kwargs: dict[str, Any] = {}
    object_urls: set[str] = set()
    post_only: set[str] = set()
    for app in apps.get_app_configs():
        if not app.name.startswith("xinfang."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.url_samples")
        except ModuleNotFoundError:
            continue
        kwargs.update(getattr(module, "URL_KWARGS", {}))
        object_urls |= set(getattr(module, "OBJECT_URLS", set()))
        post_only |= set(getattr(module, "POST_ONLY", set()))
        VISIBLE.update(getattr(module, "VISIBLE", {}))
        ANON_STATUS.update(getattr(module, "ANON_STATUS", {}))
    return kwargs, object_urls, post_only


VISIBLE: dict[str, Callable[[Any, dict[str, Any]], bool]] = {}
ANON_STATUS: dict[str, int] = {}
URL_KWARGS, OBJECT_URLS, POST_ONLY = _collect_samples()


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry, ns)
        elif entry.name:
            yield f"{prefix}{entry.name}", entry


def all_routes() -> list[tuple[str, URLPattern]]:
    return [(name, p) for name, p in _walk(get_resolver()) if not name.startswith("djdt")]


def test_every_view_declares_an_access_rule():
    missing = [name for name, pattern in all_routes() if access_rule_of(pattern.callback) is None]
    assert missing == [], f"views without a declared access rule: {missing}"


def expected_status(rule: str, role: str | None) -> int:
    if rule == PUBLIC:
        return 200
    if role is None:
        return 302
    role = "handler" if role == "handler2" else role
    if rule == AUTHENTICATED or rule in ROLE_CAPABILITIES[role]:
        return 200
    return 403


@pytest.mark.security
@pytest.mark.parametrize("role", [None, *Role.values, "handler2"])
def test_every_url_as_every_role(client, users, role):
    user = None
    if role is not None:
        user = (
            users["handler2"]
            if role == "handler2"
            else next(u for u in users.values() if u.role == role and u.username != "handler2")
        )
        verified_login(client, user)
    failures = []
    for name, pattern in all_routes():
        rule = access_rule_of(pattern.callback)
        assert rule is not None
        if pattern.pattern.regex.groups and name not in URL_KWARGS:
            failures.append(f"{name}: parameterised URL without sample kwargs in URL_KWARGS")
            continue
        kwargs = URL_KWARGS[name](users) if name in URL_KWARGS else {}
        url = reverse(name, kwargs=kwargs)
        want = GET_STATUS_OVERRIDES.get(name, expected_status(rule, role))
        if role is None and want == 302 and name in ANON_STATUS:
            want = ANON_STATUS[name]
        if want == 200 and name in POST_ONLY:
            want = 405  # the method is checked before the object
        elif want == 200 and name in OBJECT_URLS and not VISIBLE[name](user, users):
            want = 404
        got = client.get(url).status_code
        if got != want:
            failures.append(f"{name} {url}: expected {want}, got {got} (rule {rule})")
    assert failures == []


@pytest.mark.security
def test_a_handler_of_another_unit_gets_404_for_a_case_and_its_documents(client, users):
    from xinfang.cases.url_samples import sample_case

    case = sample_case(users)
    client.force_login(users["handler2"])
    doc = case.documents.first()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/cases/{case.pk}/documents/{doc.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/act/accept/", {"accept-version": 2}).status_code == 404
    client.force_login(users["handler"])
    assert client.get(f"/cases/{case.pk}/").status_code == 200
