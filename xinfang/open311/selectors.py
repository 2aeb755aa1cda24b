"""Reads of the Open311 endpoint, and what each reader may see of a request.

Confidentiality (DOMAIN.md §1, PIPL; docs/open311.md):
- only cases that came in through Open311 are listed; letters, visits, calls and hotline
  orders are never published here;
- nobody ever gets the petitioner's name, phone, e-mail or ID number back;
- anyone (no key) sees status, status notes, service, responsible unit, dates and the town
  of a request, but not its description, exact address, coordinates or media;
- the client system that submitted a request (its api_key on the GET) also gets the
  description, address, coordinates and media URL back;
- reports and accusations (检举控告类) are not listed publicly at all; their submitter sees
  status and dates only: no description, address or unit, ever.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.cases.models import Category, PetitionType, Status
from xinfang.org.models import Division, Unit

from .conf import conf
from .models import ApiClient, ServiceRequest

# GeoReport v2: "open: it has been reported; closed: it has been resolved". A matter is
# resolved when it has its written answer (or a final decision); a review request reopens it.
OPEN_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.ROUTED,
        Status.RETURNED,
        Status.IN_HANDLING,
        Status.EXTENDED,
        Status.REVIEW_REQUESTED,
        Status.REREVIEW_REQUESTED,
    }
)
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)

REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


def open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def w3(value: datetime | None) -> str | None:
    """GeoReport v2 date/time: W3C subset of ISO 8601 with the offset (local time)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def end_of_day(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_current_timezone())


# --- services ----------------------------------------------------------------------------


def services() -> QuerySet[Category]:
    return Category.objects.select_related("default_unit").order_by("code")


def service_representation(category: Category) -> dict[str, Any]:
    unit = category.default_unit
    description = (
        _("Petitions about %(name)s, usually handled by %(unit)s.")
        % {"name": category.name, "unit": unit.name}
        if unit
        else _("Petitions about %(name)s.") % {"name": category.name}
    )
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": description,
        "metadata": True,
        "type": conf("SERVICE_TYPE"),
        "keywords": ", ".join([category.name, _("petition"), "信访"]),
        "group": _("Petitions"),
    }


def division_choices() -> list[Division]:
    """The county and its towns and streets (villages are not offered)."""
    county = str(conf_county())
    return list(
        Division.objects.filter(Q(code=county) | Q(parent__code=county, level="township"))
        .exclude(is_demo=True)
        .order_by("code")
    )


def conf_county() -> str:
    from django.conf import settings

    return str(settings.XINFANG["COUNTY_CODE"])


def service_definition(category: Category) -> dict[str, Any]:
    """GeoReport v2 service definition: the same three questions for every category, plus a
    non-variable note on how personal data is used."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "petition_type",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("Default: appeal or demand."),
                "order": 1,
                "description": _("Kind of petition (信访工作条例 arts. 30-32)."),
                "values": [{"key": v, "name": str(label)} for v, label in PetitionType.choices],
            },
            {
                "variable": True,
                "code": "division",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("Default: the county as a whole."),
                "order": 2,
                "description": _("Town or street where the matter is."),
                "values": [{"key": d.code, "name": d.name} for d in division_choices()],
            },
            {
                "variable": True,
                "code": "request",
                "datatype": "text",
                "required": False,
                "datatype_description": _("Free text, up to 4,000 characters."),
                "order": 3,
                "description": _("What you ask for (诉求)."),
            },
            {
                "variable": False,
                "code": "privacy",
                "datatype": "string",
                "required": False,
                "datatype_description": None,
                "order": 4,
                "description": _(
                    "Name the petitioner (first_name, last_name; 信访工作条例 art. 19). Name, "
                    "phone and e-mail are used only to handle and answer the petition and are "
                    "never published; the description is shown only to the system that "
                    "submitted it."
                ),
            },
        ],
    }


# --- requests ----------------------------------------------------------------------------


def requests_visible(client: ApiClient | None) -> QuerySet[ServiceRequest]:
    """Open311 requests a reader may see: all but accusations, plus the reader's own."""
    qs = ServiceRequest.objects.select_related(
        "case",
        "case__category",
        "case__handling_unit",
        "case__division__parent__parent",
    ).annotate(updated=Max("case__events__at"))
    public = ~Q(case__petition_type=PetitionType.ACCUSATION)
    if client is not None:
        return qs.filter(public | Q(client=client))
    return qs.filter(public)


def filter_requests(
    qs: QuerySet[ServiceRequest],
    *,
    ids: Sequence[str] = (),
    service_codes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[ServiceRequest]:
    """GeoReport v2 GET Service Requests filters; ``ids`` override all the others."""
    if ids:
        return qs.filter(case__number__in=list(ids))
    if service_codes:
        qs = qs.filter(case__category__code__in=list(service_codes))
    if statuses:
        wanted: set[str] = set()
        if "open" in statuses:
            wanted |= OPEN_STATUSES
        if "closed" in statuses:
            wanted |= CLOSED_STATUSES
        qs = qs.filter(case__status__in=sorted(wanted))
    if start is not None:
        qs = qs.filter(case__registered_at__gte=start)
    if end is not None:
        qs = qs.filter(case__registered_at__lte=end)
    return qs.order_by("-case__registered_at", "-pk")


def request_by_token(token: str, client: ApiClient | None) -> ServiceRequest | None:
    return requests_visible(client).filter(token=token).first()


def _bureau_name() -> str:
    unit = Unit.objects.filter(kind=Unit.Kind.PETITION_BUREAU).order_by("pk").first()
    return unit.name if unit else ""


def _place(division: Division | None) -> str:
    """Town (or street) and county, most specific first; villages are left out."""
    parts: list[str] = []
    node = division
    while node is not None and node.level not in {"province", "city"}:
        if node.level != "village":
            parts.append(node.name)
        node = node.parent
    return ", ".join(parts)


def _status_notes(sr: ServiceRequest, *, confidential: bool) -> str:
    case = sr.case
    unit = case.handling_unit.name if case.handling_unit and not confidential else ""
    day = case.replied_on.isoformat() if case.replied_on else ""
    notes: dict[str, str] = {
        Status.REGISTERED: _("Registered; being routed to the unit with authority."),
        Status.ROUTED: _("Routed to %(unit)s, which decides whether to accept it.")
        % {"unit": unit or _("the unit with authority")},
        Status.RETURNED: _("Returned by the unit as outside its remit; being routed again."),
        Status.IN_HANDLING: _("Accepted; in handling by %(unit)s.")
        % {"unit": unit or _("the unit with authority")},
        Status.EXTENDED: _("In handling; the time limit was extended once (信访工作条例 art. 34)."),
        Status.REPLIED: _("Answered in writing on %(day)s.") % {"day": day},
        Status.EVALUATED: _("Answered in writing on %(day)s and rated.") % {"day": day},
        Status.REVIEW_REQUESTED: _("Review requested; the next level up decides."),
        Status.REVIEW_DECIDED: _("Review decided."),
        Status.REREVIEW_REQUESTED: _("Re-review requested."),
        Status.TERMINATED: _("Concluded after re-review (信访工作条例 art. 36)."),
        Status.CLOSED: _("Closed."),
        Status.NOT_ACCEPTED: _("Not accepted; the petitioner was told why in writing."),
        Status.MERGED: _("Merged with an earlier request on the same matter."),
        Status.DIVERTED: _("Guided to the legal procedure: %(procedure)s.")
        % {"procedure": case.get_diverted_to_display() if not confidential else _("see notice")},
    }
    return notes.get(case.status, "")


def service_notice() -> str:
    return _(
        "Registered as a petition. The unit with authority tells the petitioner within 15 days "
        "whether it is accepted and answers within 60 days of acceptance (信访工作条例 arts. "
        "22, 23, 34)."
    )


def request_representation(
    sr: ServiceRequest, *, client: ApiClient | None, bureau: str | None = None
) -> dict[str, Any]:
    """One request as GeoReport v2 returns it, with what this reader may see (module
    docstring). Never any personal data of the petitioner."""
    case = sr.case
    confidential = case.petition_type == PetitionType.ACCUSATION
    own = client is not None and sr.client_id == client.pk
    full = own and not confidential
    updated = getattr(sr, "updated", None) or case.registered_at
    is_open = case.status in OPEN_STATUSES
    agency = None
    if not confidential:
        agency = case.handling_unit.name if case.handling_unit else (bureau or _bureau_name())
    values: dict[str, Any] = {
        "service_request_id": case.number,
        "status": open311_status(case.status),
        "status_notes": _status_notes(sr, confidential=confidential),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.content if full else None,
        "agency_responsible": agency,
        "service_notice": service_notice(),
        "requested_datetime": w3(case.registered_at),
        "updated_datetime": w3(updated),
        "expected_datetime": w3(end_of_day(case.due_on)) if is_open else None,
        "address": None,
        "address_id": (sr.address_id or None) if full else None,
        "zipcode": None,
        "lat": float(sr.lat) if full and sr.lat is not None else None,
        "long": float(sr.long) if full and sr.long is not None else None,
        "media_url": (sr.media_url or None) if full else None,
    }
    if full:
        values["address"] = sr.address_string or case.address or _place(case.division)
    elif not confidential:
        values["address"] = _place(case.division)
    return {k: values[k] for k in REQUEST_FIELDS}


def represent_all(
    requests: Iterable[ServiceRequest], *, client: ApiClient | None
) -> list[dict[str, Any]]:
    bureau = _bureau_name()
    return [request_representation(sr, client=client, bureau=bureau) for sr in requests]
