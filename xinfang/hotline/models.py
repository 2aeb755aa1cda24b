"""12345 hotline work orders (12345热线工单) transferred to the petition system, and the bulk
imports that bring them in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Case, Category
from xinfang.core.fields import EncryptedTextField
from xinfang.open311.models import ApiClient
from xinfang.org.models import Division


class OrderType(models.TextChoices):
    """The hotline's own kinds of order (DOMAIN.md §2; 国办发〔2020〕53号)."""

    CONSULTATION = "consultation", _("Consultation")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议


class OrderStatus(models.TextChoices):
    """Where an order stands on our side; the handling itself is the linked case's."""

    RECEIVED = "received", _("Received, case not yet registered")
    REGISTERED = "registered", _("Registered as a case")
    FAILED = "failed", _("Registration refused")


class ImportJob(models.Model):
    """One upload of a hotline file. Counters and the row checkpoint are committed with each
    batch, so the page can poll progress and an interrupted import resumes where it stopped."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        IMPORTING = "importing", _("Importing rows")
        REGISTERING = "registering", _("Registering cases")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to="hotline/imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4)  # csv or xlsx
    sha256 = models.CharField(max_length=64, db_index=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    register_cases = models.BooleanField(_("register cases"), default=True)
    total_rows = models.PositiveIntegerField(_("rows in file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)  # the checkpoint
    imported = models.PositiveIntegerField(_("imported"), default=0)
    duplicates = models.PositiveIntegerField(_("already imported"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    to_register = models.PositiveIntegerField(_("cases to register"), default=0)
    registered = models.PositiveIntegerField(_("cases registered"), default=0)
    registration_failed = models.PositiveIntegerField(_("registrations refused"), default=0)
    errors = models.JSONField(default=list, blank=True)  # [{row, order_number, reason}]
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    import_seconds = models.FloatField(default=0)
    register_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hotline import")
        verbose_name_plural = _("hotline imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class HotlineOrder(models.Model):
    """A 12345 work order taken in as a petition (12345转办), with the hotline's time limit.

    The caller's name and phone are kept only until the case is registered (the case's
    petitioner record holds them, encrypted where personal), then cleared here."""

    order_number = models.CharField(_("order number"), max_length=40, unique=True)
    order_type = models.CharField(_("order type"), max_length=12, choices=OrderType.choices)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    received_at = models.DateTimeField(_("received by the hotline"))
    due_at = models.DateTimeField(_("hotline time limit"), db_index=True)
    caller_name = models.CharField(_("caller"), max_length=40, blank=True)
    caller_phone = EncryptedTextField(_("caller phone"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=120)
    content = models.TextField(_("content"))
    request = models.TextField(_("request"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.RECEIVED
    )
    register_error = models.TextField(blank=True)
    case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_order",
        verbose_name=_("case"),
    )
    import_job = models.ForeignKey(
        ImportJob, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("taken in at"), auto_now_add=True)
    # The last status reported back to the client system's callback (callbacks.py).
    reported_status = models.CharField(max_length=16, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "import_job"])]
        verbose_name = _("hotline order")
        verbose_name_plural = _("hotline orders")

    def __str__(self) -> str:
        return self.order_number
