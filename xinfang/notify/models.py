"""Messages to citizens (SMS and e-mail), each stored with its case."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Case, CaseEvent
from xinfang.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")  # 短信
    EMAIL = "email", _("E-mail")  # 电子邮件


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # stored, waiting for the background worker
    SENDING = "sending", _("Sending")  # claimed by one worker (never sent twice)
    SENT = "sent", _("Sent")  # accepted by the SMTP server or the SMS gateway
    FAILED = "failed", _("Failed")  # refused or unreachable; the error is kept


class Event(models.TextChoices):
    """The steps a petitioner is told about (信访工作条例 art. 21-23, 32-36)."""

    REGISTERED = "registered", _("Registered, query code")  # 登记, 查询码
    ACCEPTED = "accepted", _("Accepted")  # 受理告知
    NOT_ACCEPTED = "not_accepted", _("Not accepted")  # 不予受理告知
    EXTENDED = "extended", _("Time limit extended")  # 延期告知
    REPLIED = "replied", _("Answered")  # 答复
    REVIEW_DECIDED = "review_decided", _("Review decided")  # 复查意见
    REREVIEW_DECIDED = "rereview_decided", _("Re-review decided")  # 复核意见
    DIVERTED = "diverted", _("Referred to a legal procedure")  # 诉访分离: where to go instead


class Contact(models.Model):
    """How the petitioner of a case wants to hear from us (given with their consent, e.g. in
    the citizen portal). Without a row, SMS go to the principal petitioner's phone."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="notify_contact")
    email = EncryptedTextField(_("e-mail"), blank=True)
    sms = models.BooleanField(_("SMS"), default=True)
    email_updates = models.BooleanField(_("e-mail updates"), default=False)
    # The language the petitioner used (e.g. the portal's); empty: settings.LANGUAGE_CODE.
    language = models.CharField(_("language"), max_length=10, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification contact")
        verbose_name_plural = _("notification contacts")

    def __str__(self) -> str:
        return f"{self.case_id}"


class Message(models.Model):
    """One SMS or e-mail to a petitioner. The full address is kept (encrypted) only until
    the message is sent; the masked form stays for the record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="citizen_messages")
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = EncryptedTextField(blank=True)
    recipient_masked = models.CharField(_("recipient"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=MessageStatus.choices,
        default=MessageStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    backend = models.CharField(_("sent through"), max_length=120, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "event", "channel"], name="one_message_per_event_and_channel"
            )
        ]
        verbose_name = _("message to citizen")
        verbose_name_plural = _("messages to citizens")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.recipient_masked} {self.event}"


class EventNotice(models.Model):
    """A step of the case timeline (CaseEvent) the notifier has dealt with, whether or not a
    message came of it (no mobile number, SMS declined). The timeline is the outbox: this
    row is the claim that keeps two workers from handling the same step."""

    case_event = models.OneToOneField(
        CaseEvent, on_delete=models.CASCADE, primary_key=True, related_name="notify_notice"
    )
    handled_at = models.DateTimeField(_("handled at"), auto_now_add=True)
    messages = models.PositiveSmallIntegerField(_("messages"), default=0)

    class Meta:
        verbose_name = _("notified case event")
        verbose_name_plural = _("notified case events")

    def __str__(self) -> str:
        return str(self.case_event_id)
