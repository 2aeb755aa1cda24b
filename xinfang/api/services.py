"""Writes of the API app: issuing and revoking the tokens other systems use.

A token is 32 random bytes (URL-safe base64) behind the prefix ``xft_``. It is shown once;
the database keeps its SHA-256 digest only, so a copy of the database does not give access.
A plain digest is enough for a random 256-bit secret (no password to guess, no salt needed).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.core.errors import DomainError
from xinfang.org.models import Role, User

from .models import ApiToken

TOKEN_PREFIX = "xft_"  # noqa: S105  # a public marker that tells tokens apart, not a secret
SHOWN_PREFIX_LENGTH = 12
MAX_TOKEN_DAYS = 3 * 366
# Recording every use would write on every request; once a minute is enough to see that a
# token is alive.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown to the operator once, never stored


def api_token_issue(
    *, actor: User | None, user: User, name: str, days: int | None = None
) -> IssuedToken:
    """Issue a token for ``user``; requests with it act as that user, with that user's role,
    unit and visible cases. Administrators get none: their work needs the second factor
    (GB/T 22239 level 3), which a token would bypass."""
    name = name.strip()
    if not name:
        raise DomainError(_("Name the system that will hold the token."), code="missing_name")
    if not user.is_active:
        raise DomainError(_("The account is not active."), code="user_inactive")
    if user.role == Role.ADMIN:
        raise DomainError(
            _("Administrators work through the web pages with their second factor."),
            code="token_for_admin",
        )
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise DomainError(
            _("A token is valid for 1 to %(max)d days.") % {"max": MAX_TOKEN_DAYS},
            code="invalid_days",
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=days) if days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:80],
            prefix=key[:SHOWN_PREFIX_LENGTH],
            digest=token_digest(key),
            created_by=actor,
            expires_at=expires_at,
        )
        audit_log(
            actor=actor,
            action="api.token.issue",
            obj=token,
            after={
                "user": user.username,
                "name": token.name,
                "prefix": token.prefix,
                "expires_at": expires_at,
            },
        )
    return IssuedToken(token=token, key=key)


def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; requests with it are refused from now on. Idempotent."""
    now = timezone.now()
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        token.refresh_from_db()
        if changed:
            audit_log(
                actor=actor,
                action="api.token.revoke",
                obj=token,
                before={"revoked_at": None},
                after={"revoked_at": now},
            )
    return token


def api_token_touch(*, token: ApiToken, now: datetime) -> None:
    """Note when a token was last used (at most once a minute, by a conditional update, so
    concurrent requests never contend for the row). Bookkeeping, not a change of the token:
    not audited."""
    if token.last_used_at is not None and token.last_used_at >= now - LAST_USED_RESOLUTION:
        return  # noted within the last minute, as read with the token: nothing to write
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
