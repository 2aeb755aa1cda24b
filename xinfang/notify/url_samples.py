"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any


def sample_message(users: dict[str, Any]) -> Any:
    from xinfang.cases.url_samples import sample_case
    from xinfang.notify.models import Message

    case = sample_case(users)
    existing = Message.objects.filter(case=case).first()
    if existing is not None:
        return existing
    return Message.objects.create(
        case=case,
        event="registered",
        channel="sms",
        recipient="",
        recipient_masked="138****1111",
        body="sample",
        status="sent",
    )


def _visible(user: Any, users: dict[str, Any]) -> bool:
    from xinfang.cases.url_samples import _visible as case_visible

    return case_visible(user, users)


URL_KWARGS = {
    "notify:case_messages": lambda users: {"pk": sample_message(users).case_id},
    "notify:retry": lambda users: {
        "pk": sample_message(users).case_id,
        "message_pk": sample_message(users).pk,
    },
}
OBJECT_URLS = {"notify:case_messages", "notify:retry"}
POST_ONLY = {"notify:retry"}
VISIBLE = {name: _visible for name in OBJECT_URLS}
