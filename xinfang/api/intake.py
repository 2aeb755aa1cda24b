"""Advice at intake (登记): the likely categories with their usual unit, and earlier cases of the
same person or matter (重复信访 check, DOMAIN.md §1). It only advises; the clerk (or the system
that registers through the API) decides, e.g. by routing the case or merging it as a repeat.

With the routing area installed (xinfang.routing) its classifier and near-duplicate index are
used; without it there are no suggestions and the repeat check is the registration page's
(``xinfang.cases.selectors.earlier_cases``). Nothing here writes, and no request waits for a
classifier to be trained: until one has passed evaluation the suggestions are empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse

from xinfang.cases.models import Case
from xinfang.cases.selectors import earlier_cases
from xinfang.org.models import Division

# How many of each are given back.
SUGGESTIONS = 3
EARLIER_CASES = 5

# model_status without the routing area; with it: "ready", "training" (a fresh installation
# trains its first classifier in the background; suggestions follow) or "unavailable".
NO_ROUTING = "not_installed"
MODEL_STATUSES = ("ready", "training", "unavailable", NO_ROUTING)

# Why an earlier case is shown: the routing area's reasons, or the registration page's.
REASONS = {
    "repeat": "same petitioner, same or similar matter (routing)",
    "similar_matter": "near-identical matter from another petitioner (routing)",
    "same_person": "same petitioner (ID or phone number)",
    "same_matter": "words of the title found in the earlier case",
}


@dataclass(frozen=True)
class Person:
    name: str = ""
    id_number: str = ""
    phone: str = ""


def routing_installed() -> bool:
    return apps.is_installed("xinfang.routing")


def _earlier(case: Case, reason: str, similarity: float | None) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "received_on": case.received_on,
        "reason": reason,
        "similarity": None if similarity is None else round(similarity, 3),
        "url": reverse("api:case-detail", kwargs={"pk": case.pk}),
    }


def intake_advice(
    *,
    user: Any,
    title: str,
    content: str,
    people: Sequence[Person] = (),
    division: Division | None = None,
    exclude: Case | None = None,
) -> dict[str, Any]:
    """Suggestions and earlier cases for a petition, among the cases ``user`` may see
    (``exclude``: the case just registered from these words)."""
    principal = next((p for p in people if p.id_number or p.phone or p.name), Person())
    if routing_installed():
        return _routing_advice(
            user=user,
            title=title,
            content=content,
            person=principal,
            division=division,
            exclude=exclude,
        )
    found = earlier_cases(
        user,
        id_number=principal.id_number,
        phone=principal.phone,
        title=title,
        limit=EARLIER_CASES + 1,
    )
    return {
        "routing_model": None,
        "model_status": NO_ROUTING,
        "suggestions": [],
        "earlier_cases": [
            _earlier(case, reason, None)
            for case, reason in found
            if exclude is None or case.pk != exclude.pk
        ][:EARLIER_CASES],
    }


def _routing_advice(
    *,
    user: Any,
    title: str,
    content: str,
    person: Person,
    division: Division | None,
    exclude: Case | None,
) -> dict[str, Any]:
    """The routing area's advice (``routing_advice``, its interface for web requests and the
    API: it never makes a request wait for a training), in the API's terms: codes for
    categories and units, API URLs for cases."""
    from xinfang.routing.services import routing_advice

    advice = routing_advice(
        user=user,
        title=title,
        content=content,
        petitioner_id_number=person.id_number or None,
        phone=person.phone or None,
        name=person.name or None,
        division=division,
        top=SUGGESTIONS,
        limit=EARLIER_CASES,
        exclude=exclude,
        # The case just registered from these words has their segmentation already (with
        # its request text; without one it is exactly the text the check looks up).
        search_text=exclude.search_text if exclude is not None and not exclude.request else None,
    )
    return {
        "routing_model": advice["model"],
        "model_status": advice["model_status"],
        "suggestions": [
            {
                "label": s["label"],
                "confidence": s["confidence"],
                "category": _code_and_name(s["category"]),
                "unit": _code_and_name(s["unit"]),
            }
            for s in advice["suggestions"]
        ],
        "earlier_cases": [
            {
                "id": c["id"],
                "number": c["number"],
                "title": c["title"],
                "status": c["status"],
                "received_on": c["received_on"],
                "reason": c["reason"],
                "similarity": c["similarity"],
                "url": reverse("api:case-detail", kwargs={"pk": c["id"]}),
            }
            for c in advice["similar"]
        ],
    }


def _code_and_name(ref: dict[str, Any] | None) -> dict[str, str] | None:
    return {"code": ref["code"], "name": ref["name"]} if ref else None
