"""Routing intelligence for the other areas: category suggestions and earlier related cases.

Both only advise; the clerk decides (the issue: "the clerk always decides"). Neither writes.

- :func:`suggest`: the most likely categories of a petition, each with the unit that usually
  handles it (``Category.default_unit``) and a calibrated confidence.
- :func:`similar_cases`: earlier cases of the same person (ID number, phone, or name + place)
  or of a near-identical matter (重复信访, 联名/串联信访), only among the cases the user may see.
- :func:`routing_advice`: both at once as plain JSON-ready data, with the model's version and
  status: what the registration form's panel (``/routing/suggest/``) and the REST API show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Case, Category, Petitioner
from xinfang.cases.search import search_text_for
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.crypto import blind_index
from xinfang.org.models import Division, Unit

from .classifier import READY, RoutingModel, model_for_request
from .conf import routing_setting
from .fingerprints import band_keys, candidate_filter, person_key
from .models import CaseFingerprint, PetitionerKey
from .text import jaccard, petition_text, word_set

if TYPE_CHECKING:
    from xinfang.org.models import User

# How many LSH candidates are checked at most: chance collisions are ~35 per million cases
# (fingerprints.py); more than this are copies of one text, and the newest are enough.
MAX_CANDIDATES = 300
MAX_PERSON_CASES = 200

REASON_REPEAT = "repeat"  # same petitioner, same or similar matter
REASON_SIMILAR_MATTER = "similar_matter"  # another petitioner, near-identical matter
REASON_SAME_PERSON = "same_person"  # same petitioner, another matter
REASON_LABELS = {
    REASON_REPEAT: _("Same petitioner, same matter"),
    REASON_SIMILAR_MATTER: _("Near-identical matter from another petitioner"),
    REASON_SAME_PERSON: _("Same petitioner, another matter"),
}


@dataclass(frozen=True)
class Suggestion:
    """One suggested category, its usual unit and the model's confidence (0-1)."""

    label: str
    confidence: float
    category: Category | None
    unit: Unit | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "category": (
                {"id": self.category.pk, "code": self.category.code, "name": self.category.name}
                if self.category
                else None
            ),
            "unit": (
                {"id": self.unit.pk, "code": self.unit.code, "name": self.unit.name}
                if self.unit
                else None
            ),
        }


def suggest(
    *, title: str, content: str, top: int = 3, model: RoutingModel | None = None
) -> list[Suggestion]:
    """The ``top`` most likely categories for a petition, most likely first.

    Labels map to categories by name (the first seven categories are the labels of the public
    data; cases learnt with ``routing_train --with-cases`` add the bureau's own). Empty when
    the text is empty or no model passed evaluation. ``model``: the current model when the
    caller has it already (routing_advice), else it is looked up."""
    text = petition_text(title=title, content=content)
    if not text.strip() or top < 1:
        return []
    if model is None:
        model, _status = model_for_request()
    if model is None:
        return []
    ranked = model.rank(text)[:top]
    by_name = {
        c.name: c
        for c in Category.objects.select_related("default_unit").filter(
            name__in=[label for label, _ in ranked]
        )
    }
    suggestions = []
    for label, probability in ranked:
        category = by_name.get(label)
        suggestions.append(
            Suggestion(
                label=label,
                confidence=probability,
                category=category,
                unit=category.default_unit if category else None,
            )
        )
    return suggestions


@dataclass(frozen=True)
class SimilarCase:
    """An earlier case related to the petition being registered, and why."""

    case: Case
    reason: str
    similarity: float  # word Jaccard similarity of the texts, 0-1

    def as_dict(self) -> dict[str, Any]:
        received: date = self.case.received_on
        return {
            "id": self.case.pk,
            "number": self.case.number,
            "title": self.case.title,
            "status": self.case.status,
            "status_label": str(self.case.get_status_display()),
            "received_on": received.isoformat(),
            "category": self.case.category.name,
            "reason": self.reason,
            "reason_label": str(REASON_LABELS[self.reason]),
            "similarity": round(self.similarity, 3),
            "url": reverse("cases:detail", kwargs={"pk": self.case.pk}),
        }


PERSON, CANDIDATE = 0, 1  # how an earlier case was found (``_case_ids_by_way``)


def _person_ways(
    *, id_number: str | None, phone: str | None, name: str | None, division: Division | None
) -> list[QuerySet[Any, int]]:
    """How to find the cases of the same person, as ``case_id`` querysets: by ID-number digest,
    phone digest, or name + place (the keyed digest of ``PetitionerKey``, confirmed on the
    record since a key may be stale after a purge or an edit without signals). At most
    ``MAX_PERSON_CASES`` by each way."""
    ways: list[QuerySet[Petitioner]] = []
    if id_number and (digest := blind_index(id_number)):
        ways.append(Petitioner.objects.filter(id_number_digest=digest).order_by("pk"))
    if phone and (digest := blind_index(phone)):
        ways.append(Petitioner.objects.filter(phone_digest=digest).order_by("pk"))
    if name and division is not None and (key := person_key(name, division.pk)):
        keyed = PetitionerKey.objects.filter(key=key).order_by("case_id").values("case_id")
        ways.append(
            Petitioner.objects.filter(case_id__in=keyed[:MAX_PERSON_CASES], name=name.strip())
        )
    return [way.values_list("case_id", flat=True)[:MAX_PERSON_CASES] for way in ways]


def _case_ids_by_way(ways: list[tuple[int, QuerySet[Any, int]]]) -> list[tuple[int, int]]:
    """``(way, case_id)`` rows of several small ``case_id`` look-ups, in one statement
    (``UNION ALL`` of sub-selects, each with its own ORDER BY and LIMIT).

    Not one query OR-ing ``pk IN (subquery)`` conditions: PostgreSQL plans such an OR as a
    scan of the whole table (5-6 ms at 20,000 cases and linear in the table), while each
    look-up alone uses its index."""
    if not ways:
        return []
    parts: list[str] = []
    params: list[Any] = []
    for n, (way, queryset) in enumerate(ways):
        sql, way_params = queryset.query.sql_with_params()
        # Only our own compiled SQL and integers are put together here; values are parameters.
        parts.append(f"SELECT {int(way)} AS way, w{n}.case_id FROM ({sql}) AS w{n}")  # noqa: S608
        params.extend(way_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [(int(way), int(case_id)) for way, case_id in cursor.fetchall()]


def similar_cases(
    *,
    user: User,
    title: str,
    content: str,
    petitioner_id_number: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    division: Division | None = None,
    limit: int = 5,
    exclude: Case | None = None,
    search_text: str | None = None,
) -> list[SimilarCase]:
    """Earlier cases of the same person or the same matter, most relevant first: repeats
    (same person, word Jaccard >= ``SAME_MATTER_JACCARD``), then near-identical matters of
    other petitioners (LSH candidate and Jaccard >= ``NEAR_DUPLICATE_JACCARD``), then the same
    person's other matters, newest first. Only cases ``cases_visible_to(user)``.

    ``search_text``: ``search_text_for(title=title, content=content)`` when the caller has it
    already (the API after registering a case without a separate request text)."""
    visible = cases_visible_to(user)
    if exclude is not None:
        visible = visible.exclude(pk=exclude.pk)
    text = search_text_for(title=title, content=content) if search_text is None else search_text
    words = word_set(text)
    same = float(routing_setting("SAME_MATTER_JACCARD"))
    near = float(routing_setting("NEAR_DUPLICATE_JACCARD"))

    # The person's cases and the LSH candidates (at most MAX_CANDIDATES, newest first) are
    # looked up in one statement, then read in one query by primary key; each row is judged
    # by the way it was found.
    lookups = [
        (PERSON, way)
        for way in _person_ways(
            id_number=petitioner_id_number, phone=phone, name=name, division=division
        )
    ]
    keys = band_keys(text)
    if words and any(k is not None for k in keys):
        # Newest first by ``case_id + 0``, not by ``case_id``: PostgreSQL estimates the OR of
        # the 12 band conditions as independent (12 times too many matches, they are the same
        # texts) and would walk the primary key backwards filtering every row until it has
        # MAX_CANDIDATES (93 ms at 1,000,000 cases). Ordered by an expression, it takes the
        # bitmap OR of the band indexes and sorts what they find.
        candidates = (
            CaseFingerprint.objects.filter(candidate_filter(keys))
            .alias(newest=F("case_id") + 0)
            .order_by("-newest")
            .values_list("case_id", flat=True)[:MAX_CANDIDATES]
        )
        lookups.append((CANDIDATE, candidates))
    found = _case_ids_by_way(lookups)
    person_ids = {pk for way, pk in found if way == PERSON}
    wanted = {pk for _way, pk in found}
    scored: dict[int, tuple[str, float, date]] = {}
    if wanted:
        rows = visible.filter(pk__in=wanted).values_list("pk", "search_text", "received_on")
        # Copies of one text (a mass petition, a letter sent again) are scored once.
        scores: dict[str, float] = {}
        for pk, other_text, received in rows:
            similarity = scores.get(other_text)
            if similarity is None:
                similarity = scores[other_text] = jaccard(words, word_set(other_text))
            if pk in person_ids:
                reason = REASON_REPEAT if similarity >= same else REASON_SAME_PERSON
                scored[pk] = (reason, similarity, received)
            elif similarity >= near:
                scored[pk] = (REASON_SIMILAR_MATTER, similarity, received)

    order = {REASON_REPEAT: 0, REASON_SIMILAR_MATTER: 1, REASON_SAME_PERSON: 2}

    def rank(item: tuple[int, tuple[str, float, date]]) -> tuple[int, float, int]:
        _pk, (reason, similarity, received) = item
        if reason == REASON_SAME_PERSON:
            return (order[reason], -received.toordinal(), 0)
        return (order[reason], -similarity, -received.toordinal())

    chosen = sorted(scored.items(), key=rank)[: max(limit, 0)]
    cases = visible.in_bulk([pk for pk, _ in chosen]) if chosen else {}
    return [
        SimilarCase(case=cases[pk], reason=reason, similarity=similarity)
        for pk, (reason, similarity, _received) in chosen
        if pk in cases
    ]


def routing_advice(
    *,
    user: User,
    title: str,
    content: str,
    petitioner_id_number: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    division: Division | None = None,
    top: int = 3,
    limit: int = 5,
    exclude: Case | None = None,
    search_text: str | None = None,
) -> dict[str, Any]:
    """Suggestions and earlier related cases for a petition being registered, as plain data::

        {"model": "<version>" | None,
         "model_status": "ready" | "training" | "unavailable",
         "suggestions": [{"label", "confidence", "category": {id, code, name} | None,
                          "unit": {id, code, name} | None}, ...],   # top ``top``, best first
         "similar": [{"id", "number", "title", "status", "status_label", "received_on",
                      "category", "reason", "reason_label", "similarity", "url"}, ...]}

    Advice only: nothing is written, the clerk decides. ``similar`` holds only cases
    ``cases_visible_to(user)``. ``model_status`` is "training" on a fresh installation until
    the model built from the bundled data has passed evaluation (then suggestions appear).
    ``search_text``: as for :func:`similar_cases`."""
    has_text = bool(title.strip() or content.strip())
    # An empty form does not start a training on a fresh installation; the first text does.
    model, status = model_for_request(start_training=has_text)
    result: dict[str, Any] = {
        "model": model.version if model is not None and status == READY else None,
        "model_status": status,
        "suggestions": [],
        "similar": [],
    }
    if not has_text:
        return result
    result["suggestions"] = [
        s.as_dict()
        for s in suggest(
            title=title, content=content, top=top, model=model if status == READY else None
        )
    ]
    result["similar"] = [
        s.as_dict()
        for s in similar_cases(
            user=user,
            title=title,
            content=content,
            petitioner_id_number=petitioner_id_number,
            phone=phone,
            name=name,
            division=division,
            limit=limit,
            exclude=exclude,
            search_text=search_text,
        )
    ]
    return result
