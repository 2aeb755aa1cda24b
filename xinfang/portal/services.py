"""Writes of the citizen portal: online submission, query-code look-up, rating, review request.

Cases are registered through xinfang.cases.services.case_register like every other channel.
Registering needs the REGISTER_CASE capability; citizens have no staff account, so the
portal acts as a dedicated system account ("portal", intake clerk role, no usable password:
nobody can log in with it) and every submission says "via citizen portal" in the audit trail.
The petitioner's own steps (rating, review request) run with ``actor=None``, as the case
services foresee for the petitioner.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.attachments import attachment_add
from xinfang.cases.models import Case, Category, Channel
from xinfang.cases.services import (
    QUERY_CODE_LENGTH,
    PetitionerData,
    case_evaluate,
    case_register,
    case_request_rereview,
    case_request_review,
)
from xinfang.cases.transitions import Action, allowed_actions
from xinfang.core.errors import DomainError
from xinfang.notify.models import Event
from xinfang.notify.services import contact_set, notify_petitioner
from xinfang.org.models import Division, Role, Unit, User

from .conf import conf
from .models import Submission
from .throttle import Limit, Throttle

# Bump when the text of the privacy notice changes; each submission records the version
# the citizen agreed to.
PRIVACY_NOTICE_VERSION = "2026-1"
PORTAL_ACCOUNT_NAME = "网上信访平台"  # how the account appears in staff timelines
VIA = "citizen portal"
CASE_NUMBER = re.compile(r"^[A-Z0-9-]{6,32}$")
# Compared against when the case number does not exist, so a wrong number and a wrong
# code take the same path.
_NO_CODE = "#" * QUERY_CODE_LENGTH


class LookupLocked(DomainError):
    code = "lookup_locked"

    def __init__(self, message: str, *, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class PetitionInput:
    """What the citizen types in (already validated by the form)."""

    name: str
    id_number: str
    phone: str
    petitioner_address: str
    title: str
    content: str
    request: str
    category: Category
    petition_type: str
    division: Division
    address: str = ""
    email: str = ""
    sms: bool = True


@dataclass(frozen=True)
class Upload:
    name: str
    stream: IO[bytes]
    size: int


def _limits() -> dict[str, Limit]:
    window = int(conf("LOOKUP_WINDOW_SECONDS"))
    lockout = int(conf("LOOKUP_LOCKOUT_SECONDS"))
    failures = int(conf("LOOKUP_FAILURE_LIMIT"))
    return {
        "lookup-ip": Limit("lookup-ip", failures, window, lockout),
        "lookup-case": Limit("lookup-case", failures, window, lockout),
        "submit-ip": Limit("submit-ip", int(conf("SUBMISSIONS_PER_HOUR")), 3600, 3600),
    }


def throttle() -> Throttle:
    return Throttle(str(conf("THROTTLE_CACHE")))


def portal_account() -> User:
    """The system account the portal registers cases as; created on first use (audited).

    An administrator who deactivates it closes online submission."""
    username = str(conf("ACCOUNT_USERNAME"))
    user = User.objects.filter(username=username).first()
    if user is None:
        with transaction.atomic():
            bureau = (
                Unit.objects.filter(kind=Unit.Kind.PETITION_BUREAU, is_active=True)
                .order_by("pk")
                .first()
            )
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": Role.CLERK,
                    "unit": bureau,
                    "full_name": PORTAL_ACCOUNT_NAME,
                    "password": make_password(None),  # unusable: nobody logs in with it
                },
            )
            if created:
                audit_log(
                    actor=None,
                    action="org.user.create",
                    obj=user,
                    after={
                        "username": username,
                        "role": Role.CLERK,
                        "unit": bureau.code if bureau else None,
                        "system_account": VIA,
                        "password": "unusable",
                    },
                )
    if not user.is_active or user.role != Role.CLERK:
        raise DomainError(
            _(
                "Online submission is closed at the moment. Please write to, call or visit "
                "the petition bureau."
            ),
            code="portal_closed",
        )
    return user


def portal_submit(
    *,
    data: PetitionInput,
    uploads: Sequence[Upload] = (),
    consent: bool,
    sensitive_consent: bool,
    language: str,
    client: str = "",
) -> Case:
    """网上信访 (信访工作条例 art. 17, 19, 21): register the petition with channel "online",
    store its files, record the consent and the citizen's contact preferences, and send the
    query code. All or nothing: a refused file leaves no case behind."""
    if not (consent and sensitive_consent):
        raise DomainError(
            _("Please read the privacy notice and agree to it to submit online."),
            code="consent_required",
            field="consent",
        )
    if len(uploads) > int(conf("MAX_FILES")):
        raise DomainError(
            _("Attach at most %(n)d files.") % {"n": int(conf("MAX_FILES"))},
            code="attachment_count",
            field="attachments",
        )
    account = portal_account()
    limiter = throttle()
    checks = [(_limits()["submit-ip"], client)] if client else []
    attempt = limiter.attempt(checks)
    if not attempt.allowed:
        raise DomainError(
            _(
                "Too many petitions were submitted from your network in the last hour. Please "
                "try again later."
            ),
            code="too_many_submissions",
        )
    try:
        with transaction.atomic():
            case = case_register(
                actor=account,
                channel=Channel.ONLINE,
                petition_type=data.petition_type,
                category=data.category,
                title=data.title,
                content=data.content,
                request=data.request,
                division=data.division,
                address=data.address,
                petitioners=[
                    PetitionerData(
                        name=data.name,
                        id_number=data.id_number,
                        phone=data.phone,
                        address=data.petitioner_address,
                    )
                ],
            )
            for upload in uploads:
                attachment_add(
                    actor=account,
                    case=case,
                    name=upload.name,
                    stream=upload.stream,
                    size=upload.size,
                )
            now = timezone.now()
            Submission.objects.create(
                case=case,
                privacy_notice_version=PRIVACY_NOTICE_VERSION,
                consented_at=now,
                sensitive_consent=sensitive_consent,
                language=language,
            )
            contact_set(actor=account, case=case, email=data.email, sms=data.sms, language=language)
            audit_log(
                actor=account,
                action="portal.case.submit",
                obj=case,
                after={
                    "via": VIA,
                    "channel": Channel.ONLINE,
                    "privacy_notice": PRIVACY_NOTICE_VERSION,
                    "sensitive_consent": sensitive_consent,
                    "attachments": len(uploads),
                },
            )
            notify_petitioner(case=case, event=Event.REGISTERED, actor=account, language=language)
    except BaseException:
        limiter.release(attempt)  # a refused submission does not count
        raise
    return case


def normalise_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def normalise_code(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def _local_time(timestamp: float) -> datetime:
    return timezone.localtime(datetime.fromtimestamp(timestamp, tz=timezone.get_current_timezone()))


def portal_lookup(*, number: str, code: str, client: str) -> Case:
    """Find a case by its number and query code (信访工作条例 art. 21: the petitioner looks it
    up online), with brute-force protection: XINFANG_PORTAL["LOOKUP_FAILURE_LIMIT"] failures
    within the window lock the client address and the case number (default 5 in 15 minutes,
    locked for 15 minutes). Codes are compared in constant time; a wrong number and a wrong
    code answer alike. Every failure is audited."""
    number = normalise_number(number)
    code = normalise_code(code)
    limits = _limits()
    checks = [(limits["lookup-ip"], client or "unknown"), (limits["lookup-case"], number)]
    limiter = throttle()
    attempt = limiter.attempt(checks)
    if not attempt.allowed:
        until = _local_time(attempt.locked_until or 0)
        raise LookupLocked(_locked_message(until), until=until)
    case = Case.objects.filter(number=number).first() if CASE_NUMBER.match(number) else None
    expected = case.query_code if case is not None else _NO_CODE
    matches = hmac.compare_digest(expected.encode(), code.encode())
    if case is not None and matches:
        limiter.succeeded(attempt)
        audit_log(actor=None, action="portal.lookup.succeed", obj=case, after={"via": VIA})
        return case
    locked = limiter.failed(attempt, checks)
    audit_log(
        actor=None,
        action="portal.lookup.fail",
        object_type="cases.case",
        object_id=str(case.pk) if case is not None else "",
        object_repr=number[:40],
        after={"via": VIA, "locked": locked},
    )
    if locked:
        until = _local_time(max(limiter.locked_until(limit, value) or 0 for limit, value in checks))
        raise LookupLocked(_locked_message(until), until=until)
    left = min(limit.limit - limiter.used(limit, value) for limit, value in checks)
    raise DomainError(
        _(
            "The case number or the query code is not right. Check both and try again "
            "(%(left)d more tries before look-ups are paused for %(minutes)d minutes)."
        )
        % {"left": left, "minutes": int(conf("LOOKUP_LOCKOUT_SECONDS")) // 60},
        code="lookup_failed",
        field="code",
    )


def _locked_message(until: datetime) -> str:
    return _(
        "Too many wrong attempts. To protect your information, look-ups for this case number "
        "or from your network are paused until %(time)s. If you have lost the query code, ask "
        "the petition bureau for it, with your ID card."
    ) % {"time": until.strftime("%H:%M")}


def portal_evaluate(*, case: Case, rating: str, comment: str = "") -> Case:
    """群众评价 by the petitioner, inside the window (xinfang.cases.services.case_evaluate)."""
    return case_evaluate(actor=None, case=case, rating=rating, comment=comment)


def portal_request_review(*, case: Case, reason: str) -> Case:
    """复查 after the answer (art. 35), 复核 after the review decision (art. 36). Which of the
    two is open, and until when, is the case state machine's and the case services' to say;
    this only picks the service for the action the state allows."""
    actions = allowed_actions(case.status)
    if Action.REQUEST_REVIEW in actions:
        return case_request_review(actor=None, case=case, reason=reason)
    if Action.REQUEST_REREVIEW in actions:
        return case_request_rereview(actor=None, case=case, reason=reason)
    raise DomainError(_("A review cannot be requested at this stage."), code="review_not_possible")
