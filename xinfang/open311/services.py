"""Writes of the Open311 side: API keys of client systems, and service requests that become
petition cases (信访事项, channel 网上信访) through ``case_register``."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.models import Case, Category, Channel, PetitionType
from xinfang.cases.services import PetitionerData, case_register
from xinfang.core.errors import DomainError
from xinfang.org.models import Division, Role, Unit, User

from .models import ApiClient, Scope, ServiceRequest

KEY_PREFIX = "xf_"
# Recording every use would write on every request; once a minute is enough to see that a
# key is alive.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _service_account(name: str, scopes: Sequence[str]) -> User:
    """An account that cannot log in (no usable password), to act for the client system.
    Intake clerk role: registering is what the client does (信访工作条例 art. 21)."""
    base = slugify(name)[:20] or "client"
    username = f"api-{base}"
    while User.objects.filter(username=username).exists():
        username = f"api-{base}-{secrets.token_hex(2)}"
    kind = Unit.Kind.HOTLINE_CENTRE if Scope.HOTLINE in scopes else Unit.Kind.PETITION_BUREAU
    unit = Unit.objects.filter(kind=kind, is_active=True).order_by("pk").first()
    user = User(username=username, role=Role.CLERK, unit=unit, full_name=name[:40])
    user.set_unusable_password()
    user.save()
    return user


def api_client_issue(
    *,
    actor: User | None,
    name: str,
    scopes: Sequence[str],
    user: User | None = None,
    callback_url: str = "",
) -> tuple[ApiClient, str]:
    """Issue a key for a client system. Returns the client and the key, which is shown once
    and stored only as its SHA-256."""
    name = name.strip()
    if not name:
        raise DomainError(_("Name the client system."), code="missing_name", field="name")
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise DomainError(
            _("Scopes must be among: %(scopes)s.") % {"scopes": ", ".join(Scope.values)},
            code="bad_scope",
            field="scopes",
        )
    if ApiClient.objects.filter(name=name).exists():
        raise DomainError(
            _("A client system with this name exists already."), code="duplicate", field="name"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        acting = user or _service_account(name, scopes)
        client = ApiClient.objects.create(
            name=name,
            key_prefix=key[:8],
            key_hash=hash_key(key),
            scopes=sorted(set(scopes)),
            user=acting,
            callback_url=callback_url,
        )
        audit_log(
            actor=actor,
            action="open311.apiclient.issue",
            obj=client,
            after={
                "name": name,
                "scopes": client.scopes,
                "user": acting.username,
                "callback_url": callback_url,
            },
        )
    return client, key


def api_client_revoke(*, actor: User | None, client: ApiClient) -> ApiClient:
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.is_active:
            locked.is_active = False
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["is_active", "revoked_at"])
            audit_log(
                actor=actor,
                action="open311.apiclient.revoke",
                obj=locked,
                before={"is_active": True},
                after={"is_active": False},
            )
    return locked


def client_for_key(key: str, *, scope: str) -> ApiClient | None:
    """The active client system that holds ``key`` and may act in ``scope``, or None."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    client = (
        ApiClient.objects.select_related("user", "user__unit")
        .filter(key_hash=hash_key(key), is_active=True)
        .first()
    )
    if client is None or not client.allows(scope) or not client.user.is_active:
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


# --- service requests --------------------------------------------------------------------


@dataclass(frozen=True)
class RequestInput:
    """A validated Open311 POST (GeoReport v2, POST Service Request)."""

    category: Category
    description: str
    name: str
    division: Division
    petition_type: str = PetitionType.APPEAL
    request: str = ""
    phone: str = ""
    email: str = ""
    lat: Decimal | None = None
    long: Decimal | None = None
    address_string: str = ""
    address_id: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    attributes: dict[str, object] = field(default_factory=dict)


def _title(description: str, service_name: str) -> str:
    first_line = description.strip().splitlines()[0].strip() if description.strip() else ""
    title = first_line[:60] or service_name
    return title if len(first_line) <= 60 else title + "…"


def service_request_create(*, client: ApiClient, data: RequestInput) -> ServiceRequest:
    """Register an Open311 service request as a petition case (信访工作条例 art. 17: 网上信访;
    art. 19: the petitioner is named; art. 21: a query code is given) and keep the
    GeoReport fields beside it. Atomic: a refused registration leaves nothing behind."""
    with transaction.atomic():
        case: Case = case_register(
            actor=client.user,
            channel=Channel.ONLINE,
            petition_type=data.petition_type,
            category=data.category,
            title=_title(data.description, data.category.name),
            content=data.description,
            request=data.request,
            division=data.division,
            address=(data.address_string or data.address_id)[:200],
            petitioners=[PetitionerData(name=data.name, phone=data.phone)],
        )
        sr = ServiceRequest.objects.create(
            case=case,
            client=client,
            token=secrets.token_hex(16),
            lat=data.lat,
            long=data.long,
            address_string=data.address_string,
            address_id=data.address_id,
            email=data.email,
            device_id=data.device_id,
            account_id=data.account_id,
            media_url=data.media_url,
            attributes=data.attributes,
        )
        audit_log(
            actor=client.user,
            action="open311.request.create",
            obj=sr,
            after={"case": case.number, "client": client.name, "service_code": data.category.code},
        )
    return sr
