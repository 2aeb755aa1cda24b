"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any


def sample_case(users: dict[str, Any]) -> Any:
    """A case routed to the demo handler's unit (住建局), with a transfer letter."""
    from xinfang.cases.models import Case
    from xinfang.cases.services import case_route
    from xinfang.cases.tests.factories import register
    from xinfang.org.models import Unit

    case = Case.objects.order_by("pk").first()
    if case is None:
        case = case_route(
            actor=users["clerk"], case=register(users), unit=Unit.objects.get(code="zjj")
        )
    return case


def sample_attachment(users: dict[str, Any]) -> Any:
    import io

    from xinfang.cases.attachments import attachment_add

    case = sample_case(users)
    existing = case.attachments.first()
    if existing is not None:
        return existing
    data = b"%PDF-1.4 sample"
    return attachment_add(
        actor=users["clerk"], case=case, name="信件.pdf", stream=io.BytesIO(data), size=len(data)
    )


def _visible(user: Any, users: dict[str, Any]) -> bool:
    from xinfang.cases.selectors import cases_visible_to

    return cases_visible_to(user).filter(pk=sample_case(users).pk).exists()


URL_KWARGS = {
    "cases:detail": lambda users: {"pk": sample_case(users).pk},
    "cases:act": lambda users: {"pk": sample_case(users).pk, "action": "accept"},
    "cases:document": lambda users: {
        "pk": sample_case(users).pk,
        "doc_pk": sample_case(users).documents.first().pk,
    },
    "cases:attachment": lambda users: {
        "pk": sample_case(users).pk,
        "att_pk": sample_attachment(users).pk,
    },
}
OBJECT_URLS = {"cases:detail", "cases:act", "cases:document", "cases:attachment"}
POST_ONLY = {"cases:act", "cases:batch"}
VISIBLE = {name: _visible for name in OBJECT_URLS}
