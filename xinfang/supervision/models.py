"""Supervision (督查督办) and quality inspection (质检), DOMAIN.md §4.

One table carries every piece of work the bureau follows up with a unit and a date: leaders'
instructions and assigned matters, supervision orders, rework after a failed inspection or an
unsatisfied rating, tasks from coordination meetings and corrections required by a field
inspection. They share one small state machine (services.ITEM_TRANSITIONS), one unit queue and
one escalation ladder, whose rungs are data (EscalationRule) and whose every firing is stored
once (EscalationNotice, unique per rule, subject and due date).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Case, Rating
from xinfang.org.models import Unit


class ItemKind(models.TextChoices):
    INSTRUCTION = "instruction", _("Leader's instruction")  # 领导批示
    ASSIGNMENT = "assignment", _("Assigned matter")  # 交办事项
    ORDER = "order", _("Supervision order")  # 督办单
    REWORK = "rework", _("Rework order")  # 返工 (质检不合格, 回访不满意)
    TASK = "task", _("Coordination task")  # 协调会议任务 (三跨三分)
    CORRECTION = "correction", _("Required correction")  # 督查整改


class ItemStatus(models.TextChoices):
    """Allowed moves: xinfang.supervision.services.ITEM_TRANSITIONS."""

    OPEN = "open", _("Awaiting the unit's answer")  # 待反馈 (the ladder runs)
    ANSWERED = "answered", _("Answered, being checked")  # 已反馈, 待审核
    DONE = "done", _("Done")  # 办结
    CANCELLED = "cancelled", _("Cancelled")  # 撤销


OPEN_STATUSES = (ItemStatus.OPEN, ItemStatus.ANSWERED)


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")  # 特急
    HIGH = "high", _("High")  # 加急
    NORMAL = "normal", _("Normal")  # 一般


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


class Step(models.TextChoices):
    """A rung of the escalation ladder (分级预警)."""

    REMINDER = "reminder", _("Reminder")  # 到期提醒
    WARNING = "warning", _("Warning notice")  # 超期警示通知
    UNIT_HEAD = "unit_head", _("Escalation to the unit head")  # 升级至单位负责人
    LEADER = "leader", _("Escalation to the leader")  # 升级至领导
    OPEN_ORDER = "open_order", _("Open a supervision order")  # 自动督办 (cases only)


# Escalation level an item reaches with each rung (shown as "level 2 of 4").
STEP_LEVEL = {Step.REMINDER: 1, Step.WARNING: 2, Step.UNIT_HEAD: 3, Step.LEADER: 4}


class RuleSubject(models.TextChoices):
    ITEM = "item", _("Supervision items (due date of the answer)")
    CASE = "case", _("Petition cases (due date of the current step)")


class Recipient(models.TextChoices):
    """Who a rung tells."""

    UNIT_STAFF = "unit_staff", _("Handlers of the unit")
    UNIT_HEAD = "unit_head", _("Head of the unit")
    OPENER = "opener", _("Who opened the item")
    SUPERVISORS = "supervisors", _("Supervisors of the petition bureau")
    LEADER = "leader", _("The assigning leader, or the county leaders")


class EscalationRule(models.Model):
    """One rung of the ladder as data: when (working days before or after the due date) and
    who is told. Administrators edit them (views.rule_edit); defaults: rules.DEFAULT_RULES."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    subject = models.CharField(
        _("applies to"), max_length=8, choices=RuleSubject.choices, default=RuleSubject.ITEM
    )
    kind = models.CharField(
        _("only items of kind"), max_length=12, choices=ItemKind.choices, blank=True
    )
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    # Working days on the calendar of xinfang.cases.deadlines: -2 = two working days before the
    # due date, 0 = on it, 3 = three working days after it.
    offset_days = models.SmallIntegerField(_("working days from the due date"))
    recipients = models.JSONField(_("who is told"), default=list)
    feedback_days = models.PositiveSmallIntegerField(
        _("feedback within (working days)"), default=5
    )  # for Step.OPEN_ORDER: the feedback date of the order it opens
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["subject", "offset_days", "id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return self.name


class QualityInspection(models.Model):
    """质检: one check of a case's answer against the checklist (quality.CHECKLIST).

    Round 1 inspects the answer; a failed round opens a rework order, and the unit's reworked
    answer is inspected in the next round. ``result`` is empty until decided; analytics reads
    ``decided_on`` and ``result`` for 质检合格率 (xinfang.analytics.quality)."""

    class Reason(models.TextChoices):
        RANDOM = "random", _("Random sample")  # 随机抽查
        UNSATISFIED = "unsatisfied", _("Rated unsatisfied")  # 不满意件
        OVERDUE = "overdue", _("Answered late")  # 超期件
        MANUAL = "manual", _("Chosen by an inspector")  # 指定
        REWORK = "rework", _("Reworked answer")  # 返工复检

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")  # 合格
        FAIL = "fail", _("Fail")  # 不合格

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="quality_inspections", verbose_name=_("case")
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    reason = models.CharField(_("selected because"), max_length=12, choices=Reason.choices)
    selected_on = models.DateField(_("selected on"))
    rework_of = models.ForeignKey(
        "SupervisionItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reinspections",
        verbose_name=_("checks the rework of"),
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspector"),
    )
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-selected_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="one_inspection_per_round")
        ]
        verbose_name = _("quality inspection")
        verbose_name_plural = _("quality inspections")

    def __str__(self) -> str:
        return f"{self.case.number} #{self.round}"


class FollowUp(models.Model):
    """回访: a call back to a petitioner who rated the answer 不满意 (DOMAIN.md §4)."""

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Explained; the petitioner accepts the answer")  # 解释息诉
        MAINTAINED = "maintained", _("Still unsatisfied; the answer stands")  # 维持原答复
        REOPEN = "reopen", _("Handle again: rework by the unit")  # 重新办理

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("case")
    )
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    rated_on = models.DateField(_("rated on"))
    due_on = models.DateField(_("call back by"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes of the call"), blank=True)
    done_on = models.DateField(_("called on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["done_on", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "rated_on"], name="one_follow_up_per_rating")
        ]
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")

    def __str__(self) -> str:
        return f"{self.case.number} {self.rated_on}"


class CoordinationMeeting(models.Model):
    """协调会: lead and co-units of a cross-jurisdiction case (三跨三分) agree who does what."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="coordination_meetings", verbose_name=_("case")
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    chair = models.CharField(_("chaired by"), max_length=80)
    units = models.ManyToManyField(Unit, related_name="+", verbose_name=_("units present"))
    topics = models.TextField(_("questions discussed"))
    decisions = models.TextField(_("decisions"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")

    def __str__(self) -> str:
        return f"{self.case.number} {self.held_on}"


class FieldInspection(models.Model):
    """督查: a visit to a unit or a town, planned, carried out, its findings corrected."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")  # 已计划
        VISITED = "visited", _("Visited, corrections under way")  # 已督查, 整改中
        CLOSED = "closed", _("Closed")  # 已销号
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=32, unique=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit or town")
    )
    planned_on = models.DateField(_("planned for"))
    purpose = models.CharField(_("purpose"), max_length=200)
    plan = models.TextField(_("visit plan"))  # 督查方案: what to check, how, whom to meet
    team = models.CharField(_("inspection team"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    summary = models.TextField(_("summary of the visit"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("field inspection")
        verbose_name_plural = _("field inspections")

    def __str__(self) -> str:
        return self.number


class Finding(models.Model):
    """A problem found on a field inspection; a required correction is a SupervisionItem."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")  # 一般问题
        SERIOUS = "serious", _("Serious")  # 突出问题

    inspection = models.ForeignKey(
        FieldInspection, on_delete=models.CASCADE, related_name="findings"
    )
    text = models.TextField(_("finding"))
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MINOR
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:60]


class SupervisionItem(models.Model):
    """督办事项: work a unit owes the bureau or a leader by a date (see the module docstring)."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("instruction or requirement"))
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_items",
        verbose_name=_("case"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="supervision_items", verbose_name=_("unit")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions_given",
        verbose_name=_("assigning leader"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # empty: opened by a rule or the system
    rule = models.ForeignKey(
        EscalationRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    due_on = models.DateField(_("answer due"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    version = models.PositiveIntegerField(default=1)  # optimistic locking
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Where the item comes from (at most one is set).
    meeting = models.ForeignKey(
        CoordinationMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    inspection = models.ForeignKey(
        QualityInspection, on_delete=models.PROTECT, null=True, blank=True, related_name="reworks"
    )
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.PROTECT, null=True, blank=True, related_name="reworks"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["unit", "status"]),
        ]
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ItemEvent(models.Model):
    """One line of an item's timeline, written in the same transaction as the change."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("supervision item event")
        verbose_name_plural = _("supervision item events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"


class EscalationNotice(models.Model):
    """One firing of one rung for one subject and due date, stored once: the unique constraint
    is what makes two sweeps, or two workers, fire a rung only once."""

    rule = models.ForeignKey(EscalationRule, on_delete=models.PROTECT, related_name="notices")
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    subject_key = models.CharField(max_length=40)  # "item:<pk>" or "case:<pk>"
    item = models.ForeignKey(
        SupervisionItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due date"))
    fire_on = models.DateField(_("planned for"))
    sent_on = models.DateField(_("sent on"))
    message = models.CharField(_("message"), max_length=300)
    recipients = models.JSONField(_("told"), default=list)  # usernames, for the record
    opened_item = models.ForeignKey(
        SupervisionItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # Step.OPEN_ORDER: the order it opened
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key", "due_on"], name="one_notice_per_rung_and_due_date"
            )
        ]
        verbose_name = _("escalation notice")
        verbose_name_plural = _("escalation notices")

    def __str__(self) -> str:
        return f"{self.subject_key} {self.step} {self.due_on}"


class BacklogEntry(models.Model):
    """积案: a long-open or repeatedly petitioned case with the official who owns it (包案)."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="backlog_entry", verbose_name=_("case")
    )
    long_open = models.BooleanField(_("long open"), default=False)
    repeat = models.BooleanField(_("repeat petitions"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backlog_owned",
        verbose_name=_("owner"),
    )
    enrolled_on = models.DateField(_("listed on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("how it was resolved"), blank=True)

    class Meta:
        ordering = ["resolved_on", "enrolled_on", "id"]
        verbose_name = _("backlog case")
        verbose_name_plural = _("backlog cases")

    def __str__(self) -> str:
        return self.case.number


class BacklogNote(models.Model):
    """A progress note on a backlog case (化解进展)."""

    entry = models.ForeignKey(BacklogEntry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return self.text[:60]
