"""Dispute screening and mediation (矛盾纠纷排查调处) and special campaigns (专项行动).

The ledger records matters, not people: parties are kept on the dispute only because a
mediation agreement names them (人民调解法 art. 29); there is no person index, no lookup of a
party across disputes, and exports mask them by default.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.fields import EncryptedTextField
from xinfang.org.models import Division, Unit


class RiskLevel(models.TextChoices):
    """Risk level of a dispute or a major matter (高/中/低, DOMAIN.md §6)."""

    HIGH = "high", _("High risk")  # 高风险
    MEDIUM = "medium", _("Medium risk")  # 中风险
    LOW = "low", _("Low risk")  # 低风险


RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class DisputeType(models.TextChoices):
    LAND_FOREST = "land_forest", _("Land and forest rights")  # 山林土地权属
    LABOUR_WAGES = "labour_wages", _("Labour and wages")  # 劳资纠纷, 欠薪
    RESTRUCTURING = "restructuring", _("Enterprise restructuring")  # 企业改制
    ENVIRONMENT = "environment", _("Environmental pollution")  # 环境污染
    NEIGHBOUR_FAMILY = "neighbour_family", _("Neighbourhood and family")  # 邻里、婚姻家庭
    CONSTRUCTION = "construction", _("Construction and demolition")  # 征地拆迁, 工程建设
    CONTRACT_DEBT = "contract_debt", _("Contracts and debts")  # 合同、债务
    MEDICAL = "medical", _("Medical disputes")  # 医疗纠纷
    TRAFFIC = "traffic", _("Traffic accidents")  # 交通事故
    PROPERTY_MANAGEMENT = "property", _("Property management")  # 物业纠纷
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    ROUTINE = "routine", _("Routine screening")  # 常态化排查
    CAMPAIGN = "campaign", _("Special campaign")  # 专项行动
    PETITION = "petition", _("From a petition case")  # 信访事项
    HOTLINE = "hotline", _("12345 hotline")
    REPORTED = "reported", _("Reported by the parties")  # 当事人申请调解
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    """Allowed moves: xinfang.disputes.transitions.TRANSITIONS."""

    REPORTED = "reported", _("Screened, not yet mediated")  # 已排查登记
    MEDIATING = "mediating", _("In mediation")  # 调解中
    AGREED = "agreed", _("Agreement signed")  # 已达成调解协议, performance pending
    FULFILLED = "fulfilled", _("Agreement performed")  # 协议履行完毕
    RESOLVED = "resolved", _("Resolved without written agreement")  # 已化解 (口头协议、疏导)
    REFERRED = "referred", _("Referred to a legal procedure")  # 转诉讼/仲裁/信访


class ReferralTarget(models.TextChoices):
    """Where a dispute goes when mediation does not settle it."""

    LITIGATION = "litigation", _("Litigation")  # 诉讼
    ARBITRATION = "arbitration", _("Arbitration")  # 仲裁 (劳动人事、农村土地承包)
    PETITION = "petition", _("Petition channel")  # 信访
    AUTHORITY = "authority", _("Administrative handling")  # 行政处理、行政裁决


class Dispute(models.Model):
    """A dispute found by screening (矛盾纠纷排查台账 row)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("facts and issues"))  # 纠纷主要事实和争议事项
    dispute_type = models.CharField(_("type"), max_length=20, choices=DisputeType.choices)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.ROUTINE
    )
    found_on = models.DateField(_("found on"))
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("town")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    people_involved = models.PositiveIntegerField(_("number of people involved"), default=2)
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    reporting_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="responsible_disputes",
        verbose_name=_("responsible unit"),
    )
    responsible_leader = models.CharField(_("responsible leader"), max_length=60)  # 包案领导
    deadline = models.DateField(_("resolve by"), db_index=True)  # 化解期限
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REPORTED
    )
    version = models.PositiveIntegerField(default=1)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name=_("petition case"),
    )
    referred_to = models.CharField(
        _("referred to"), max_length=12, choices=ReferralTarget.choices, blank=True
    )
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    referral_note = models.TextField(_("referral note"), blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["status", "deadline"])]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Party(models.Model):
    """A party to one dispute (当事人). Identifiers encrypted at rest and never indexed, so
    nobody can follow a person from one dispute to another."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class Side(models.TextChoices):
        APPLICANT = "applicant", _("Party A")  # 甲方 / 申请人
        RESPONDENT = "respondent", _("Party B")  # 乙方 / 被申请人
        OTHER = "other", _("Other party")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=80)
    id_number = EncryptedTextField(_("ID or credit code"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["side", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name


class MediationRecord(models.Model):
    """One mediation meeting (调解记录)."""

    class Result(models.TextChoices):
        CONTINUE = "continue", _("To be continued")  # 继续调解
        AGREED = "agreed", _("Agreement reached")  # 达成协议
        FAILED = "failed", _("No agreement")  # 调解不成

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    mediators = models.CharField(_("mediators"), max_length=200)
    attendance = models.CharField(_("attendance"), max_length=200, blank=True)
    content = models.TextField(_("what was discussed"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("mediation meeting")
        verbose_name_plural = _("mediation meetings")

    def __str__(self) -> str:
        return f"{self.dispute.number} {self.held_on}"


def agreement_path(instance: MediationAgreement, filename: str) -> str:
    return f"disputes/{instance.signed_on:%Y}/{instance.dispute.number}/{filename}"


class MediationAgreement(models.Model):
    """人民调解协议书 (人民调解法 art. 28-33). Effective when signed by the parties and the
    mediators and sealed; the parties may jointly ask a court for judicial confirmation within
    30 days of that day (art. 33)."""

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="agreement")
    number = models.CharField(_("agreement number"), max_length=40, unique=True)
    committee = models.CharField(_("mediation committee"), max_length=80)  # 人民调解委员会
    facts = models.TextField(_("facts and issues"))
    terms = models.TextField(_("agreed terms"))
    performance = models.TextField(_("how and when performed"))
    perform_by = models.DateField(_("perform by"))
    mediators = models.CharField(_("mediators"), max_length=200)
    signed_on = models.DateField(_("signed and effective on"))
    file = models.FileField(_("file"), upload_to=agreement_path)
    sha256 = models.CharField(max_length=64)
    confirmation_applied_on = models.DateField(
        _("judicial confirmation applied on"), null=True, blank=True
    )
    confirmation_court = models.CharField(_("court"), max_length=80, blank=True)
    fulfilled_on = models.DateField(_("performed on"), null=True, blank=True)
    fulfilment_note = models.TextField(_("performance"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self) -> str:
        return self.number


class Campaign(models.Model):
    """A special campaign (专项行动) over a period, with a list of target problems."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Under way")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("aims"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead unit")
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    closing_note = models.TextField(_("closing summary"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("special campaign")
        verbose_name_plural = _("special campaigns")

    def __str__(self) -> str:
        return self.title


class CampaignTarget(models.Model):
    """One target problem of a campaign, with its responsible unit and leader."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Solved")  # 已销号
        UNSOLVED = "unsolved", _("Closed unsolved")  # 未化解, carried on in the ledger

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    title = models.CharField(_("problem"), max_length=160)
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    responsible_leader = models.CharField(_("responsible leader"), max_length=60)
    due_on = models.DateField(_("due"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    dispute = models.ForeignKey(
        Dispute,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_targets",
        verbose_name=_("ledger entry"),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    target = models.ForeignKey(CampaignTarget, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("reported on"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("progress"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reported_on", "id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.target_id} {self.progress}%"
