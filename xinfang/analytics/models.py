"""Analytics data: the maintained rollup of the cases, indicator settings, early warnings and
analysis reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .definitions import COUNTERS

# --- the rollup (derived data; rebuilt from the cases, never backed up) -------------------


class RollupCell(models.Model):
    """A multiset of monthly contributions of cases to the counters (definitions.COUNTERS).

    Database triggers on cases_case append one row per changed anchor (+1 for the new state,
    -1 for the old), so the sums are exact after any write; ``rollup.compact`` merges rows
    with the same key. Unmanaged: the table is created by this app's migration and left out
    of backups (restoring the cases rebuilds it through the triggers).
    """

    month = models.DateField()  # first day of the anchor's month
    unit_id = models.IntegerField(default=0)  # handling unit, 0 for none
    town = models.CharField(max_length=9, blank=True)  # township code, "" above town level
    category_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    registered = models.IntegerField(default=0)
    repeats = models.IntegerField(default=0)
    acc_due = models.IntegerField(default=0)
    acc_on_time = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    accepted_answered = models.IntegerField(default=0)
    accept_days = models.IntegerField(default=0)
    hnd_due = models.IntegerField(default=0)
    hnd_on_time = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    answer_days = models.IntegerField(default=0)
    win_due = models.IntegerField(default=0)
    win_rated = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)

    class Meta:
        managed = False
        db_table = "analytics_rollupcell"
        indexes = [models.Index(fields=["month", "unit_id"], name="analytics_rollup_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id}/{self.town}/{self.category_id}/{self.channel}"


class PendingCell(models.Model):
    """Cases under a limit that has not been met yet (not notified, not answered, not
    rated), by the day the limit ends: what the rollup's due-based counters must leave out
    while the limit is still running. Maintained by the same triggers."""

    counter = models.CharField(max_length=20)
    due = models.DateField()
    unit_id = models.IntegerField(default=0)
    town = models.CharField(max_length=9, blank=True)
    category_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        managed = False
        db_table = "analytics_pendingcell"
        indexes = [models.Index(fields=["counter", "due"], name="analytics_pending_due")]

    def __str__(self) -> str:
        return f"{self.counter} {self.due} {self.n:+d}"


class QualityCell(models.Model):
    """Quality inspections (质检, xinfang.supervision) decided in a month, passed and all,
    by the inspected case's unit, town, category and channel: the 质检合格率 of the
    dashboards without reading the inspections. Kept like the rollup: triggers on the
    inspections (and on a case's move to another unit, town, category or channel) append
    +/- rows; ``rollup.compact`` merges them (xinfang.analytics.quality)."""

    month = models.DateField()  # first day of the decision's month
    unit_id = models.IntegerField(default=0)
    town = models.CharField(max_length=9, blank=True)
    category_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    passed = models.IntegerField(default=0)
    inspected = models.IntegerField(default=0)

    class Meta:
        managed = False
        db_table = "analytics_qualitycell"
        indexes = [models.Index(fields=["month", "unit_id"], name="analytics_quality_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id} {self.passed}/{self.inspected}"


ROLLUP_COLUMNS: tuple[str, ...] = tuple(COUNTERS)

# --- settings -----------------------------------------------------------------------------


class IndicatorSetting(models.Model):
    """A county's own target and ranking weight for one indicator (defaults in
    definitions.INDICATORS / VOLUME_TARGETS, from DOMAIN.md §7)."""

    code = models.CharField(_("indicator"), max_length=40, unique=True)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("ranking weight"), max_digits=6, decimal_places=2, default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator setting")
        verbose_name_plural = _("indicator settings")

    def __str__(self) -> str:
        return self.code


# --- early warning (预警) -----------------------------------------------------------------


class WarningKind(models.TextChoices):
    RISING_CATEGORY = "rising_category", _("Rising category")  # 热点问题
    RISING_TOWN = "rising_town", _("Rising town")  # 热点地区
    CLUSTER = "cluster", _("Similar matters from many petitioners")  # 群体性/联名
    OVERDUE_RISK = "overdue_risk", _("Cases at risk of going overdue")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSIGNED = "assigned", _("Assigned")
    CLEARED = "cleared", _("Cleared (no longer detected)")
    CLOSED = "closed", _("Closed")


LIVE_WARNING_STATUSES = (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED, WarningStatus.ASSIGNED)


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class EarlyWarning(models.Model):
    """One detected warning with its evidence. Detection refreshes a live warning with the
    same key instead of opening another; people acknowledge, assign and close it."""

    kind = models.CharField(_("kind"), max_length=20, choices=WarningKind.choices)
    key = models.CharField(_("key"), max_length=120, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=14, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    evidence = models.JSONField(_("evidence"), default=dict)
    detected_at = models.DateTimeField(_("first detected"), auto_now_add=True)
    last_detected_at = models.DateTimeField(_("last detected"))
    detected_on = models.DateField(_("detection day"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_warnings",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-last_detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status__in=["open", "acknowledged", "assigned"]),
                name="analytics_one_live_warning_per_key",
            )
        ]
        indexes = [models.Index(fields=["status", "kind"])]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_WARNING_STATUSES


# --- analysis reports (研判报告) ----------------------------------------------------------


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly analysis report")
    ANNUAL = "annual", _("Annual analysis report")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_path(instance: AnalysisReport, filename: str) -> str:
    return f"analytics/reports/{instance.period_start:%Y}/{filename}"


class AnalysisReport(models.Model):
    """A monthly or annual analysis report, generated in the background as PDF and .docx."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    # None: county-wide; otherwise the numbers are those of this unit's cases only.
    scope_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suggestions = models.TextField(_("suggestions recorded"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    docx = models.FileField(_("Word document"), upload_to=report_path, blank=True)
    summary = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("analysis report")
        verbose_name_plural = _("analysis reports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m}"
