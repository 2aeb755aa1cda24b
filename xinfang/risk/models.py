"""Social-stability risk assessment of major matters (重大事项社会稳定风险评估), zero reports
(零报告), public-opinion notes (社情民意) and policy suggestions (意见建议).

All of it is about matters and risks. Views heard are kept as counts; reports name matters,
never lists of persons (DOMAIN.md §6).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.disputes.models import RiskLevel
from xinfang.org.models import Division, Unit


class AssessmentKind(models.TextChoices):
    DECISION = "decision", _("Major decision or policy")  # 重大决策、重要政策
    PROJECT = "project", _("Major project")  # 重大工程项目
    # 固定资产投资项目 (NDRC rule): high and medium risk both mean "not approved".
    INVESTMENT = "investment", _("Investment project (NDRC approval)")
    REFORM = "reform", _("Major reform")  # 重大改革


class AssessmentStatus(models.TextChoices):
    """Allowed moves: xinfang.risk.services.TRANSITIONS (drawn in docs/disputes.md)."""

    PLANNING = "planning", _("Assessment plan")  # 制定评估方案
    CONSULTING = "consulting", _("Hearing the views of those affected")  # 听取意见
    ANALYSING = "analysing", _("Identifying risks and grading")  # 风险识别、评定等级
    REPORTED = "reported", _("Report issued, awaiting decision")  # 形成评估报告
    DECIDED = "decided", _("Decided, under follow-up")  # 作出决策, 跟踪
    CLOSED = "closed", _("Closed")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Decide and implement, with explanation")  # 决策实施, 做好解释
    WITH_MITIGATION = "with_mitigation", _("Decide with mitigation measures")  # 落实化解措施后实施
    NOT_DECIDED = "not_decided", _("Do not decide")  # 不作决策 / 暂缓
    PLAN_CHANGED = "plan_changed", _("Change the plan and reassess")  # 调整方案
    NOT_APPROVED = "not_approved", _("Not approved")  # 投资项目不予审批、核准


class RiskAssessment(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    title = models.CharField(_("matter"), max_length=160)
    kind = models.CharField(_("kind"), max_length=12, choices=AssessmentKind.choices)
    description = models.TextField(_("content of the decision or project"))
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    proposing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposing unit")
    )  # 决策提出单位 / 项目单位
    assessing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessing unit")
    )  # 评估主体
    plan = models.TextField(_("assessment plan"))  # 评估方案: scope, methods, timetable
    revision = models.PositiveSmallIntegerField(_("plan revision"), default=1)
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.PLANNING
    )
    version = models.PositiveIntegerField(default=1)
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    level_reason = models.TextField(_("grounds for the level"), blank=True)
    mitigation = models.TextField(_("mitigation measures"), blank=True)  # 风险防范化解措施
    conclusion = models.TextField(_("conclusion"), blank=True)
    reported_on = models.DateField(_("report issued on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=80, blank=True)  # 决策机关
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class OpinionCollection(models.Model):
    """Views of those affected, heard by one method (听取意见), as counts only."""

    class Method(models.TextChoices):
        HEARING = "hearing", _("Hearing")  # 听证会
        FORUM = "forum", _("Forum")  # 座谈会
        SURVEY = "survey", _("Questionnaire")  # 问卷调查
        VISIT = "visit", _("Door-to-door visits")  # 走访
        NOTICE = "notice", _("Public notice")  # 公示
        EXPERTS = "experts", _("Expert consultation")  # 专家论证

    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="opinions"
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    held_on = models.DateField(_("held on"))
    revision = models.PositiveSmallIntegerField(default=1)
    support = models.PositiveIntegerField(_("support"))
    objection = models.PositiveIntegerField(_("some objection"))  # 有异议
    strong_opposition = models.PositiveIntegerField(_("strong opposition"))  # 强烈反对
    summary = models.TextField(_("main views"))

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("views heard")
        verbose_name_plural = _("views heard")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.held_on}"

    @property
    def total(self) -> int:
        return self.support + self.objection + self.strong_opposition


class RiskItem(models.Model):
    """One identified risk (风险点) with its mitigation."""

    class Aspect(models.TextChoices):
        LEGALITY = "legality", _("Legality")  # 合法性
        REASONABLENESS = "reasonableness", _("Reasonableness")  # 合理性
        FEASIBILITY = "feasibility", _("Feasibility")  # 可行性
        CONTROLLABILITY = "controllability", _("Controllability")  # 可控性
        SAFETY = "safety", _("Safety")  # 安全性

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="risks")
    revision = models.PositiveSmallIntegerField(default=1)
    aspect = models.CharField(_("aspect"), max_length=16, choices=Aspect.choices)
    description = models.TextField(_("risk"))
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    mitigation = models.TextField(_("mitigation"), blank=True)
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("identified risk")
        verbose_name_plural = _("identified risks")

    def __str__(self) -> str:
        return self.description[:40]


def assessment_path(instance: AssessmentDocument, filename: str) -> str:
    return f"risk/{instance.assessment.number}/{filename}"


class AssessmentDocument(models.Model):
    """A document attached to an assessment, or a generated report (one per revision)."""

    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", _("Attached document")
        REPORT = "report", _("Assessment report")  # 社会稳定风险评估报告

    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(upload_to=assessment_path)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("assessment document")
        verbose_name_plural = _("assessment documents")

    def __str__(self) -> str:
        return self.name


class FollowUp(models.Model):
    """Follow-up after the decision (跟踪评估): how implementation goes, new risks."""

    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="follow_ups"
    )
    on = models.DateField(_("date"))
    note = models.TextField(_("findings"))
    new_risk = models.BooleanField(_("new risk found"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.on}"


# --- zero reports (零报告) ----------------------------------------------------------------------


class ZeroReportPeriod(models.Model):
    """A period declared by the centre (e.g. an important meeting or holiday) during which
    every designated unit reports daily, "nothing to report" included."""

    title = models.CharField(_("title"), max_length=120)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    units = models.ManyToManyField(Unit, related_name="+", verbose_name=_("designated units"))
    instructions = models.TextField(_("what to report"), blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("zero-report period")
        verbose_name_plural = _("zero-report periods")

    def __str__(self) -> str:
        return self.title


class ZeroReport(models.Model):
    """One unit's report for one day: nothing to report, or the matters and risks found."""

    period = models.ForeignKey(ZeroReportPeriod, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    nothing_to_report = models.BooleanField(_("nothing to report"))
    matters = models.TextField(_("matters and risks"), blank=True)
    matter_count = models.PositiveSmallIntegerField(_("number of matters"), default=0)
    risk_level = models.CharField(
        _("highest risk"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    late = models.BooleanField(_("late"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["day", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "day"], name="one_zero_report_a_day")
        ]
        verbose_name = _("zero report")
        verbose_name_plural = _("zero reports")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


class MissingReportFlag(models.Model):
    """A designated unit did not report for a day (缺报). One per unit and day, kept when a
    late report comes in (resolved_at)."""

    period = models.ForeignKey(ZeroReportPeriod, on_delete=models.CASCADE, related_name="flags")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    flagged_at = models.DateTimeField(_("flagged at"))
    resolved_at = models.DateTimeField(_("late report at"), null=True, blank=True)

    class Meta:
        ordering = ["day", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "day"], name="one_missing_flag_a_day")
        ]
        verbose_name = _("missing report")
        verbose_name_plural = _("missing reports")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


# --- public-opinion notes and policy suggestions ------------------------------------------------


class NoteSource(models.TextChoices):
    CASES = "cases", _("Petition cases")
    SCREENING = "screening", _("Dispute screening")
    HOTLINE = "hotline", _("12345 hotline")
    ZERO_REPORTS = "zero_reports", _("Zero reports")
    FIELD = "field", _("Field visits")
    OTHER = "other", _("Other")


class OpinionNote(models.Model):
    """社情民意: what citizens say about a matter, with the evidence behind it."""

    title = models.CharField(_("title"), max_length=160)
    content = models.TextField(_("what people say"))
    source = models.CharField(_("source"), max_length=14, choices=NoteSource.choices)
    noted_on = models.DateField(_("date"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="+")
    disputes = models.ManyToManyField("disputes.Dispute", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-noted_on", "-id"]
        verbose_name = _("public-opinion note")
        verbose_name_plural = _("public-opinion notes")

    def __str__(self) -> str:
        return self.title


class SuggestionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent, awaiting response")  # 已报送
    ADOPTED = "adopted", _("Adopted")  # 采纳
    PARTLY = "partly", _("Partly adopted")  # 部分采纳
    NOT_ADOPTED = "not_adopted", _("Not adopted")  # 未采纳


class PolicySuggestion(models.Model):
    """意见建议 drawn from public opinion, sent to a department; adoption tracked. Sent ones
    count towards the centre's yearly target (DOMAIN.md §7: at least 10)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=160)
    problem = models.TextField(_("problem found"))
    suggestion = models.TextField(_("suggestion"))
    to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent to")
    )
    author_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.DRAFT
    )
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="+")
    disputes = models.ManyToManyField("disputes.Dispute", blank=True, related_name="+")
    notes = models.ManyToManyField(OpinionNote, blank=True, related_name="suggestions")
    sent_on = models.DateField(_("sent on"), null=True, blank=True, db_index=True)
    response_on = models.DateField(_("response on"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("policy suggestion")
        verbose_name_plural = _("policy suggestions")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
