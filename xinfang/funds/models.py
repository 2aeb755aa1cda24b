"""Special funds (专项资金) and their performance targets (预算绩效), DOMAIN.md §7.

A project is one special fund in one budget year, with budget lines by economic
classification (经济分类). Spending is recorded against a line with its voucher; a line's
budget changes only through an approved adjustment (预算调剂). Performance indicators
(绩效指标) carry a target (operator, value, unit) and read their actual value either from a
live metric of the system (xinfang.funds.metrics) or from a value entered by hand with its
evidence.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.org.models import Unit


class Classification(models.TextChoices):
    """Economic classification of expenditure (政府支出经济分类), the lines the bureau uses."""

    EQUIPMENT = "equipment", _("Special equipment purchase")  # 专用设备购置费
    MEETINGS = "meetings", _("Meetings")  # 会议费
    TRAVEL = "travel", _("Travel")  # 差旅费
    OFFICE = "office", _("Office expenses")  # 办公费
    TRAINING = "training", _("Training")  # 培训费
    COMMISSIONED = "commissioned", _("Commissioned services")  # 委托业务费
    PRINTING = "printing", _("Printing")  # 印刷费
    POSTAGE = "postage", _("Post and telecommunications")  # 邮电费
    OTHER = "other", _("Other goods and services")  # 其他商品和服务支出


# The wording of the budget disclosure for each classification.
CLASSIFICATION_CN = {
    Classification.EQUIPMENT: "专用设备购置费",
    Classification.MEETINGS: "会议费",
    Classification.TRAVEL: "差旅费",
    Classification.OFFICE: "办公费",
    Classification.TRAINING: "培训费",
    Classification.COMMISSIONED: "委托业务费",
    Classification.PRINTING: "印刷费",
    Classification.POSTAGE: "邮电费",
    Classification.OTHER: "其他商品和服务支出",
}


class FundProject(models.Model):
    """One special fund (专项资金) in one budget year."""

    year = models.PositiveSmallIntegerField(_("budget year"), db_index=True)
    name = models.CharField(_("project name"), max_length=200)  # 项目名称
    basis = models.TextField(_("basis"))  # 立项依据
    implementing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("implementing unit")
    )  # 项目实施单位
    overview = models.TextField(_("overview"), blank=True)  # 项目基本概况
    content = models.TextField(_("what the project does"), blank=True)  # 项目实施内容
    plan = models.TextField(_("implementation plan"), blank=True)  # 项目实施计划
    results = models.TextField(_("results"), blank=True)  # 项目实施成效 (narrative)
    budget = models.DecimalField(
        _("budget (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # 年初预算数
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="funds_project_year_name")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class BudgetLine(models.Model):
    """A budget line of a project: an economic classification with its yearly amount."""

    project = models.ForeignKey(FundProject, on_delete=models.CASCADE, related_name="lines")
    classification = models.CharField(
        _("economic classification"), max_length=16, choices=Classification.choices
    )
    detail = models.CharField(_("detail"), max_length=100, blank=True)  # e.g. 警用执法记录仪
    amount = models.DecimalField(
        _("budget (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # as first budgeted; adjustments are rows of their own
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "classification", "detail"], name="funds_line_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="funds_line_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The disclosure's wording, e.g. 专用设备购置费（警用执法记录仪）."""
        text = CLASSIFICATION_CN.get(Classification(self.classification), self.classification)
        return f"{text}（{self.detail}）" if self.detail else text


class Spending(models.Model):
    """Money spent against a line (支出), with its accounting voucher (凭证)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spendings")
    spent_on = models.DateField(_("date"), db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    voucher = models.CharField(_("voucher number"), max_length=40)  # 凭证号
    description = models.CharField(_("description"), max_length=300)
    attachment = models.FileField(_("attachment"), upload_to="funds/vouchers/%Y/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["spent_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["line", "voucher"], name="funds_spending_voucher"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="funds_spend_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} {self.amount}"


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")  # 待审批
    APPROVED = "approved", _("Approved")  # 已批准
    REJECTED = "rejected", _("Rejected")  # 不予批准


class BudgetAdjustment(models.Model):
    """A budget adjustment (预算调剂): ``amount`` more for ``line``, taken from
    ``source_line`` of the same project, or added to the project's budget when there is no
    source line (追加预算). Counts only once approved."""

    project = models.ForeignKey(FundProject, on_delete=models.CASCADE, related_name="adjustments")
    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="increases", verbose_name=_("line")
    )
    source_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="decreases",
        null=True,
        blank=True,
        verbose_name=_("taken from line"),
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="funds_adjust_positive")
        ]

    def __str__(self) -> str:
        return f"{self.line} +{self.amount}"


class Level1(models.TextChoices):
    """First-level indicator kinds (一级指标) of 财预〔2020〕10号."""

    OUTPUT = "output", _("Output")  # 产出指标
    BENEFIT = "benefit", _("Benefit")  # 效益指标
    SATISFACTION = "satisfaction", _("Satisfaction")  # 满意度指标


class Level2(models.TextChoices):
    """Second-level kinds (二级指标), each under one first-level kind (LEVEL2_PARENT)."""

    QUANTITY = "quantity", _("Quantity")  # 数量指标
    QUALITY = "quality", _("Quality")  # 质量指标
    TIMELINESS = "timeliness", _("Timeliness")  # 时效指标
    COST = "cost", _("Cost")  # 成本指标
    ECONOMIC = "economic", _("Economic benefit")  # 经济效益指标
    SOCIAL = "social", _("Social benefit")  # 社会效益指标
    ECOLOGICAL = "ecological", _("Ecological benefit")  # 生态效益指标
    SUSTAINABILITY = "sustainability", _("Sustainable impact")  # 可持续影响指标
    SATISFACTION = "satisfaction", _("Satisfaction of those served")  # 服务对象满意度指标


LEVEL2_PARENT = {
    Level2.QUANTITY: Level1.OUTPUT,
    Level2.QUALITY: Level1.OUTPUT,
    Level2.TIMELINESS: Level1.OUTPUT,
    Level2.COST: Level1.OUTPUT,
    Level2.ECONOMIC: Level1.BENEFIT,
    Level2.SOCIAL: Level1.BENEFIT,
    Level2.ECOLOGICAL: Level1.BENEFIT,
    Level2.SUSTAINABILITY: Level1.BENEFIT,
    Level2.SATISFACTION: Level1.SATISFACTION,
}
LEVEL1_CN = {
    Level1.OUTPUT: "产出指标",
    Level1.BENEFIT: "效益指标",
    Level1.SATISFACTION: "满意度指标",
}
LEVEL2_CN = {
    Level2.QUANTITY: "数量指标",
    Level2.QUALITY: "质量指标",
    Level2.TIMELINESS: "时效指标",
    Level2.COST: "成本指标",
    Level2.ECONOMIC: "经济效益指标",
    Level2.SOCIAL: "社会效益指标",
    Level2.ECOLOGICAL: "生态效益指标",
    Level2.SUSTAINABILITY: "可持续影响指标",
    Level2.SATISFACTION: "服务对象满意度指标",
}


class Operator(models.TextChoices):
    AT_LEAST = ">=", "≥"
    AT_MOST = "<=", "≤"


class PerformanceIndicator(models.Model):
    """A performance target (绩效指标) of a project: ``operator target unit``, e.g.
    "≥ 95 %". ``metric`` names a live metric (xinfang.funds.metrics.METRICS); empty means
    the actual value is entered by hand with its evidence."""

    project = models.ForeignKey(FundProject, on_delete=models.CASCADE, related_name="indicators")
    level2 = models.CharField(_("indicator kind"), max_length=16, choices=Level2.choices)
    name = models.CharField(_("indicator"), max_length=120)  # 三级指标
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=12)  # %, 件, 条, 元
    metric = models.CharField(_("live metric"), max_length=40, blank=True)
    manual_value = models.DecimalField(
        _("actual value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="funds/evidence/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    entered_at = models.DateTimeField(null=True, blank=True)
    applicable = models.BooleanField(_("applies this year"), default=True)
    deviation_note = models.TextField(_("reason for a deviation"), blank=True)  # 偏差原因
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.get_operator_display()} {self.target}{self.unit}"

    @property
    def level1(self) -> str:
        return str(LEVEL2_PARENT[Level2(self.level2)])

    @property
    def target_text(self) -> str:
        return f"{self.get_operator_display()}{fmt_number(self.target)}{self.unit}"


class SelfAssessment(models.Model):
    """The year-end self-assessment (绩效自评) of a project, as recorded: the table and the
    score stay as they were when recorded, whatever the live data do afterwards."""

    project = models.ForeignKey(FundProject, on_delete=models.CASCADE, related_name="assessments")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    grade = models.CharField(max_length=4)
    table = models.JSONField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.score} {self.grade}"


def fmt_number(value: Decimal | int | None) -> str:
    """A target or actual as written in the disclosure: no trailing zeros (95, 8.5)."""
    if value is None:
        return "—"
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")
