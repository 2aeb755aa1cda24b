"""Writes of the notifications to citizens: contact preferences, queued messages, sending.

A message is stored with its case first (in the caller's transaction) and sent by a
background task once that transaction has committed (django-tasks, ``on_commit``), so a
rolled-back registration never texts anybody and a slow SMTP server never holds a request.
信访工作条例 art. 21: the petitioner gets the query code (by SMS where there is a phone) and
can follow the matter; art. 23, 32-36: acceptance, answer and review decisions are notified.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.models import Case, Petitioner
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.org.models import User
from xinfang.org.permissions import Capability, has_capability

from .backends import SendError, backend_for, backend_name
from .conf import conf
from .masking import mask_recipient
from .models import Channel, Contact, Event, Message, MessageStatus
from .texts import message_text

logger = logging.getLogger("xinfang.notify")

# Mainland mobile numbers (11 digits starting 13-19); landlines cannot receive SMS.
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def mobile_number(phone: str) -> str:
    """The 11-digit mobile number in ``phone`` ("+86 139-1234-5678" too), or ""."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits if MOBILE.match(digits) else ""


def contact_set(
    *, actor: User | None, case: Case, email: str = "", sms: bool = True, language: str = ""
) -> Contact:
    """Record how the petitioner wants to be told (given with their consent), and in which
    language. An e-mail address switches e-mail updates on."""
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(
                _("Enter a valid e-mail address."), code="invalid_email", field="email"
            ) from exc
    with transaction.atomic():
        contact, created = Contact.objects.update_or_create(
            case=case,
            defaults={
                "email": email,
                "sms": sms,
                "email_updates": bool(email),
                "language": language[:10],
            },
        )
        audit_log(
            actor=actor,
            action="notify.contact.create" if created else "notify.contact.change",
            obj=contact,
            after={
                "case": case.number,
                "sms": sms,
                "email": mask_recipient(email) if email else "",
                "language": language[:10],
            },
        )
    return contact


def _principal(case: Case) -> Petitioner | None:
    people = case.petitioners.order_by("id")
    return people.filter(role=Petitioner.Role.PRINCIPAL).first() or people.first()


def _recipients(case: Case, contact: Contact | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    principal = _principal(case)
    phone = mobile_number(principal.phone) if principal else ""
    if phone and (contact is None or contact.sms):
        found.append((Channel.SMS, phone))
    if contact is not None and contact.email_updates and contact.email:
        found.append((Channel.EMAIL, contact.email))
    return found


def _enqueue(message_id: int) -> None:
    from .tasks import send_message

    send_message.enqueue(message_id)


def notify_petitioner(
    *, case: Case, event: str, actor: User | None = None, language: str | None = None
) -> list[Message]:
    """Tell the petitioner about ``event`` by every channel they can be reached on: SMS to
    the principal petitioner's mobile (unless they declined), e-mail when they gave one.

    Each message is stored with the case and sent after the caller's transaction commits.
    Idempotent per case, event and channel: calling it again sends nothing twice. Written in
    ``language``, else the one the petitioner used (Contact), else settings.LANGUAGE_CODE.
    Returns the messages created now."""
    if event not in Event.values:
        raise DomainError(_("Unknown notification."), code="invalid_event", field="event")
    created: list[Message] = []
    contact = Contact.objects.filter(case=case).first()
    language = language or (contact.language if contact else "") or settings.LANGUAGE_CODE
    with transaction.atomic(), translation.override(language):
        subject, body = message_text(event, case)
        for channel, address in _recipients(case, contact):
            if Message.objects.filter(case=case, event=event, channel=channel).exists():
                continue
            text = body
            if channel == Channel.EMAIL and conf("SIGNATURE"):
                text = f"{body}\n\n{conf('SIGNATURE')}"
            try:
                with transaction.atomic():  # a concurrent call may have stored it meanwhile
                    message = Message.objects.create(
                        case=case,
                        event=event,
                        channel=channel,
                        recipient=address,
                        recipient_masked=mask_recipient(address),
                        subject=subject if channel == Channel.EMAIL else "",
                        body=text,
                    )
            except IntegrityError:
                continue
            audit_log(
                actor=actor,
                action="notify.message.queue",
                obj=message,
                after={
                    "case": case.number,
                    "event": event,
                    "channel": channel,
                    "to": message.recipient_masked,
                },
            )
            transaction.on_commit(partial(_enqueue, message.pk))
            created.append(message)
    return created


def message_send(*, message_id: int) -> Message | None:
    """Send one queued message through the configured backend (run by the background task).

    The row is claimed with a conditional update first, so two workers never send the same
    message. The network call happens outside any transaction. The full address is erased
    once the message is sent; a failure keeps it for a retry and stores the error."""
    claimed = Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return None  # sent, being sent by another worker, or gone
    message = Message.objects.get(pk=message_id)
    name = backend_name(message.channel)
    try:
        provider_id = backend_for(message.channel).send(
            to=message.recipient, subject=message.subject, body=message.body
        )
    except Exception as exc:  # a backend that fails in any way must not leave it "sending"
        if not isinstance(exc, SendError):
            logger.exception("notification %s: unexpected error in %s", message_id, name)
        error = str(exc) or type(exc).__name__
        if message.recipient:
            error = error.replace(message.recipient, message.recipient_masked)
        with transaction.atomic():
            Message.objects.filter(pk=message_id).update(
                status=MessageStatus.FAILED, backend=name, error=error[:2000]
            )
            audit_log(
                actor=None,
                action="notify.message.fail",
                obj=message,
                before={"status": MessageStatus.SENDING},
                after={"status": MessageStatus.FAILED, "error": error[:200]},
            )
    else:
        with transaction.atomic():
            Message.objects.filter(pk=message_id).update(
                status=MessageStatus.SENT,
                backend=name,
                provider_id=provider_id[:200],
                sent_at=timezone.now(),
                recipient="",
                error="",
            )
            audit_log(
                actor=None,
                action="notify.message.send",
                obj=message,
                before={"status": MessageStatus.SENDING},
                after={"status": MessageStatus.SENT, "backend": name},
            )
    return Message.objects.get(pk=message_id)


def message_retry(*, actor: User, message: Message) -> Message:
    """Queue a failed message again (e.g. after the SMS gateway was down)."""
    if not has_capability(actor, Capability.REGISTER_CASE):
        raise PermissionDeniedError(_("You are not allowed to do this."))
    with transaction.atomic():
        updated = (
            Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED)
            .exclude(recipient="")
            .update(status=MessageStatus.QUEUED)
        )
        if updated != 1:
            raise DomainError(
                _("Only a failed message can be sent again."), code="not_failed", field="message"
            )
        audit_log(
            actor=actor,
            action="notify.message.retry",
            obj=message,
            before={"status": MessageStatus.FAILED},
            after={"status": MessageStatus.QUEUED},
        )
        transaction.on_commit(partial(_enqueue, message.pk))
    message.refresh_from_db()
    return message
