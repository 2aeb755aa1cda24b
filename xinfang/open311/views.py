"""Open311 GeoReport v2 endpoint (http://wiki.open311.org/GeoReport_v2): discovery, services,
service definitions, requests (POST and GET), a request by id, a request id from a token.

Public reads (the spec requires no key for them); POST needs an api_key of a client system
with the "open311" scope. What a reader sees of a request: xinfang.open311.selectors."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from xinfang.cases.models import Category, PetitionType
from xinfang.core.access import public
from xinfang.core.errors import DomainError
from xinfang.org.models import Division

from . import selectors
from .conf import conf
from .formats import error, render
from .models import ApiClient, Scope, ServiceRequest
from .services import RequestInput, client_for_key, service_request_create

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_DESCRIPTION = 4000  # GeoReport v2: description "limited to 4,000 characters"
ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]+)\](?:\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _jurisdiction_ok(params: QueryDict) -> None:
    given = (params.get("jurisdiction_id") or "").strip()
    if given and given not in conf("JURISDICTION_IDS"):
        raise Open311Error(404, _("jurisdiction_id %(j)s was not found.") % {"j": given})


def _reader(request: HttpRequest) -> ApiClient | None:
    """The client system reading, if it sent its api_key (to see its own requests in full)."""
    key = request.GET.get("api_key") or request.headers.get("X-Api-Key", "")
    return client_for_key(key, scope=Scope.OPEN311) if key else None


ViewFunction = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[ViewFunction], ViewFunction]:
    """A public GeoReport v2 method: check the HTTP method and the jurisdiction, and turn an
    Open311Error into a GeoReport v2 error in the requested format. No CSRF: no cookies are
    used, a POST authenticates with its api_key."""

    def decorate(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            fmt = kwargs["fmt"]
            try:
                if request.method not in methods:
                    response = error(405, _("Method not allowed."), fmt=fmt)
                    response["Allow"] = ", ".join(methods)
                    return response
                params = request.POST if request.method == "POST" else request.GET
                _jurisdiction_ok(params)
                return view(request, *args, **kwargs)
            except Open311Error as exc:
                return error(exc.status, exc.description, fmt=fmt)

        return csrf_exempt(public(wrapper))

    return decorate


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service Discovery: where the GeoReport v2 endpoint is and which formats it speaks."""
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "json"}))
    payload = {
        "changeset": conf("CHANGESET"),
        "contact": conf("CONTACT") or _("The county petition bureau (信访局)."),
        "key_service": conf("KEY_SERVICE")
        or _("Client systems get an api_key from the petition bureau's administrator."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rsplit("/", 1)[0],
                "changeset": conf("CHANGESET"),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(payload, root="discovery", fmt=fmt)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET Service List: one service per case category."""
    payload = [selectors.service_representation(c) for c in selectors.services()]
    return render(payload, root="services", fmt=fmt)


def _category(code: str) -> Category:
    category = selectors.services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    return category


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    """GET Service Definition: the attributes a request of this service may carry."""
    payload = selectors.service_definition(_category(service_code))
    return render(payload, root="service_definition", fmt=fmt)


# --- requests ----------------------------------------------------------------------------


def _decimal(value: str, name: str, limit: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Open311Error(400, _("%(name)s is not a number.") % {"name": name}) from None
    if not number.is_finite() or abs(number) > limit:
        raise Open311Error(400, _("%(name)s is out of range.") % {"name": name})
    return number.quantize(Decimal("0.000001"))


def _attributes(data: QueryDict) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in data:
        match = ATTRIBUTE.match(key)
        if match:
            values = data.getlist(key)
            found[match["code"]] = values if key.endswith("[]") else values[-1]
    return found


def _text_field(data: QueryDict, name: str, limit: int) -> str:
    value = (data.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(
            400, _("%(name)s is longer than %(n)d characters.") % {"name": name, "n": limit}
        )
    return value


def _person_name(first: str, last: str) -> str:
    """Chinese names are family name first, without a space; Latin names keep theirs."""
    if first.isascii() and last.isascii():
        return f"{first} {last}".strip()
    return f"{last}{first}"


def _parse_post(data: QueryDict) -> RequestInput:
    """Validate a POST Service Request at the edge (GeoReport v2 required and optional
    arguments); the service decides the rest."""
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = _category(code)
    lat_raw, long_raw = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    address_string = _text_field(data, "address_string", 250)
    address_id = _text_field(data, "address_id", 100)
    if bool(lat_raw) != bool(long_raw):
        raise Open311Error(400, _("lat and long must be sent together."))
    if not lat_raw and not address_string and not address_id:
        raise Open311Error(
            400, _("A location is required: lat and long, address_string or address_id.")
        )
    description = _text_field(data, "description", MAX_DESCRIPTION)
    if not description:
        raise Open311Error(400, _("description is required: state the request and its facts."))
    first = _text_field(data, "first_name", 20)
    last = _text_field(data, "last_name", 20)
    name = _person_name(first, last)
    if not name:
        raise Open311Error(
            400,
            _(
                "first_name or last_name is required: a petition names the petitioner "
                "(信访工作条例 art. 19)."
            ),
        )
    attributes = _attributes(data)
    petition_type = str(attributes.get("petition_type") or PetitionType.APPEAL)
    if petition_type not in PetitionType.values:
        raise Open311Error(400, _("attribute[petition_type] is not one of the listed values."))
    division_code = str(attributes.get("division") or selectors.conf_county())
    division = next((d for d in selectors.division_choices() if d.code == division_code), None)
    if division is None:
        division = Division.objects.filter(code=selectors.conf_county()).first()
        if division is None or attributes.get("division"):
            raise Open311Error(400, _("attribute[division] is not one of the listed values."))
    request_text = str(attributes.get("request") or "")
    if len(request_text) > MAX_DESCRIPTION:
        raise Open311Error(400, _("attribute[request] is too long."))
    media_url = _text_field(data, "media_url", 500)
    if media_url and not re.match(r"^https?://", media_url):
        raise Open311Error(400, _("media_url must be an http or https URL."))
    return RequestInput(
        category=category,
        description=description,
        name=name,
        division=division,
        petition_type=petition_type,
        request=request_text,
        phone=_text_field(data, "phone", 30),
        email=_text_field(data, "email", 254),
        lat=_decimal(lat_raw, "lat", 90) if lat_raw else None,
        long=_decimal(long_raw, "long", 180) if long_raw else None,
        address_string=address_string,
        address_id=address_id,
        device_id=_text_field(data, "device_id", 100),
        account_id=_text_field(data, "account_id", 100),
        media_url=media_url,
        attributes={k: v for k, v in attributes.items() if k in {"petition_type", "division"}},
    )


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = request.POST.get("api_key") or request.headers.get("X-Api-Key", "")
    if not key:
        raise Open311Error(403, _("api_key is missing: can't proceed with create_request."))
    client = client_for_key(key, scope=Scope.OPEN311)
    if client is None:
        raise Open311Error(403, _("Invalid api_key received: can't proceed with create_request."))
    data = _parse_post(request.POST)
    try:
        sr = service_request_create(client=client, data=data)
    except DomainError as exc:
        raise Open311Error(400, exc.message) from exc
    answer: dict[str, Any] = {}
    if conf("SERVICE_TYPE") == "batch":
        answer["token"] = sr.token
    else:
        answer["service_request_id"] = sr.case.number
    answer["service_notice"] = selectors.service_notice()
    answer["account_id"] = sr.account_id or None
    return render([answer], root="service_requests", fmt=fmt, status=201)


def _when(params: QueryDict, name: str) -> datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    parsed = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    if parsed is None:
        raise Open311Error(
            400, _("%(name)s must be a w3 date-time, e.g. 2026-01-01T00:00:00Z.") % {"name": name}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _split(params: QueryDict, name: str) -> list[str]:
    return [v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()]


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    client = _reader(request)
    ids = _split(params, "service_request_id")
    statuses = _split(params, "status")
    if any(s not in {"open", "closed"} for s in statuses):
        raise Open311Error(400, _("status must be open or closed."))
    start, end = _when(params, "start_date"), _when(params, "end_date")
    span = timedelta(days=int(conf("MAX_DAYS")))
    if not ids:  # GeoReport v2: the range defaults to the most recent 90 days
        if start is None and end is None:
            end = timezone.now()
        if start is None and end is not None:
            start = end - span
        elif end is None and start is not None:
            end = start + span
        if start is not None and end is not None and (end - start > span or end < start):
            raise Open311Error(
                400,
                _("start_date and end_date may not span more than %(n)d days.") % {"n": span.days},
            )
    limit = int(conf("MAX_RESULTS"))
    size = (params.get("page_size") or "").strip()
    if size.isdigit() and 0 < int(size) < limit:
        limit = int(size)
    qs: QuerySet[ServiceRequest] = selectors.filter_requests(
        selectors.requests_visible(client),
        ids=ids,
        service_codes=_split(params, "service_code"),
        statuses=statuses,
        start=start,
        end=end,
    )
    payload = selectors.represent_all(qs[:limit], client=client)
    return render(payload, root="service_requests", fmt=fmt)


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST Service Request (api_key needed) and GET Service Requests (public)."""
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    """GET Service Request: one request by its id (our case number)."""
    client = _reader(request)
    sr = selectors.requests_visible(client).filter(case__number=service_request_id).first()
    if sr is None:
        raise Open311Error(
            404, _("service_request_id %(id)s was not found.") % {"id": service_request_id}
        )
    return render(selectors.represent_all([sr], client=client), root="service_requests", fmt=fmt)


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """GET service_request_id from a token."""
    sr = selectors.request_by_token(token, _reader(request))
    if sr is None:
        raise Open311Error(404, _("token %(token)s was not found.") % {"token": token})
    payload = [{"service_request_id": sr.case.number, "token": sr.token}]
    return render(payload, root="service_requests", fmt=fmt)
