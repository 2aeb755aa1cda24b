"""Petition cases (信访事项): one record for every channel, its people, events and documents."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.crypto import blind_index
from xinfang.core.fields import EncryptedTextField
from xinfang.org.models import Division, Unit


class Channel(models.TextChoices):
    """How the matter reached us (信访工作条例 art. 17, plus 12345 and assignments)."""

    ONLINE = "online", _("Online")  # 网上信访
    EMAIL = "email", _("E-mail")  # counts as 网上信访
    LETTER = "letter", _("Letter")  # 来信
    FAX = "fax", _("Fax")  # 传真
    PHONE = "phone", _("Phone")  # 来电
    VISIT = "visit", _("Walk-in visit")  # 走访
    HOTLINE = "hotline", _("12345 hotline transfer")  # 12345转办
    LEADER = "leader", _("Leader's instruction")  # 领导交办
    HIGHER_LEVEL = "higher_level", _("Transfer from a higher level")  # 上级转送/交办
    OFFICIAL_FOUND = "official_found", _("Found by officials at work")  # 工作中发现


class PetitionType(models.TextChoices):
    """分类处理 (信访工作条例 art. 30-32)."""

    SUGGESTION = "suggestion", _("Suggestion or opinion")  # 建议意见类
    ACCUSATION = "accusation", _("Report or accusation")  # 检举控告类
    APPEAL = "appeal", _("Appeal or demand")  # 申诉求决类


class Status(models.TextChoices):
    """Where a case stands. Allowed moves: xinfang.cases.transitions.TRANSITIONS."""

    REGISTERED = "registered", _("Registered")  # 已登记, waiting to be routed
    ROUTED = "routed", _("Routed to unit")  # 已转送/交办, waiting for the acceptance decision
    RETURNED = "returned", _("Returned by unit")  # 已退回 (异议), back to the bureau
    NOT_ACCEPTED = "not_accepted", _("Not accepted")  # 不予受理 (final, with notice)
    IN_HANDLING = "in_handling", _("Accepted, in handling")  # 已受理, 办理中
    EXTENDED = "extended", _("In handling, extended")  # 延期办理
    REPLIED = "replied", _("Answered")  # 已答复 (处理意见书 issued)
    EVALUATED = "evaluated", _("Rated by petitioner")  # 已评价
    REVIEW_REQUESTED = "review_requested", _("Review requested")  # 复查申请
    REVIEW_DECIDED = "review_decided", _("Review decided")  # 复查意见
    REREVIEW_REQUESTED = "rereview_requested", _("Re-review requested")  # 复核申请
    TERMINATED = "terminated", _("Terminated after re-review")  # 终结 (复核意见)
    CLOSED = "closed", _("Closed")  # 办结归档
    MERGED = "merged", _("Merged as repeat")  # 重复信访, merged into an earlier case
    DIVERTED = "diverted", _("Diverted to legal procedure")  # 诉访分离


class Outcome(models.TextChoices):
    """The decision in the answer (信访工作条例 art. 32)."""

    SUPPORTED = "supported", _("Supported")  # 支持
    EXPLAINED = "explained", _("Explained")  # 解释说明
    NOT_SUPPORTED = "not_supported", _("Not supported")  # 不予支持


class Rating(models.TextChoices):
    """群众评价 scale (DOMAIN.md §4, configurable default)."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY = "basically", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意


class LegalChannel(models.TextChoices):
    """Where a matter that belongs to a legal procedure is guided (诉访分离)."""

    LITIGATION = "litigation", _("Litigation")  # 诉讼
    ARBITRATION = "arbitration", _("Arbitration")  # 仲裁
    RECONSIDERATION = "reconsideration", _("Administrative reconsideration")  # 行政复议
    POLITICAL_LEGAL = "political_legal", _("Political-legal organs (涉法涉诉)")
    DISCIPLINE = "discipline", _("Discipline inspection organs")


class DueFlag(models.TextChoices):
    NONE = "", _("On time")
    SOON = "soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Category(models.Model):
    """Subject category of a matter, with the unit that usually handles it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    default_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: object) -> models.QuerySet[Case]:
        from .selectors import restrict_cases

        return restrict_cases(self, user)


class Case(models.Model):
    """A petition matter (信访事项) from any channel."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    query_code = models.CharField(_("query code"), max_length=12)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    petition_type = models.CharField(_("type"), max_length=12, choices=PetitionType.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=120)
    content = models.TextField(_("content"))  # facts and reasons, recorded faithfully
    request = models.TextField(_("request"), blank=True)  # 诉求
    # jieba-segmented title, content and request, indexed for full-text search (search.py)
    search_text = models.TextField(blank=True, editable=False)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="cases", verbose_name=_("place")
    )
    address = models.CharField(_("address of the matter"), max_length=200, blank=True)
    is_collective = models.BooleanField(_("collective petition"), default=False)
    people_count = models.PositiveIntegerField(_("number of people"), default=1)
    accused_units = models.ManyToManyField(
        Unit, blank=True, related_name="accusations", verbose_name=_("accused units")
    )
    accused_persons = models.CharField(_("accused persons"), max_length=200, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    version = models.PositiveIntegerField(default=1)  # optimistic locking
    received_on = models.DateField(_("received on"))
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    deadline_assigned = models.DateField(_("deadline set by assigner"), null=True, blank=True)

    handling_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_cases",
        verbose_name=_("handling unit"),
    )
    co_units = models.ManyToManyField(
        Unit, blank=True, related_name="co_cases", verbose_name=_("co-handling units")
    )
    routed_on = models.DateField(_("routed on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    acceptance_notified_on = models.DateField(_("acceptance notified on"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension days"), default=0)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    replied_on = models.DateField(_("answered on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    reply_text = models.TextField(_("answer"), blank=True)
    not_accepted_reason = models.TextField(_("reason for not accepting"), blank=True)
    diverted_to = models.CharField(
        _("diverted to"), max_length=20, choices=LegalChannel.choices, blank=True
    )
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeat of"),
    )
    is_repeat = models.BooleanField(_("repeat petition"), default=False)

    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    # Stored due dates (computed by xinfang.cases.deadlines; indexed for queues and sweeps).
    route_due = models.DateField(_("routing due"), null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance decision due"), null=True, blank=True)
    objection_due = models.DateField(_("objection due"), null=True, blank=True)
    handling_due = models.DateField(_("answer due"), null=True, blank=True)
    evaluation_due = models.DateField(_("rating window ends"), null=True, blank=True)
    review_request_due = models.DateField(_("review request due"), null=True, blank=True)
    due_on = models.DateField(_("current step due"), null=True, blank=True, db_index=True)
    due_flag = models.CharField(_("due flag"), max_length=8, choices=DueFlag.choices, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            # The work queues and their navigation counts (queues.py) read the open statuses
            # only; this index covers every column their conditions test, so the counts never
            # touch the table rows. It also serves what (status, due_on) served before.
            models.Index(
                fields=[
                    "status",
                    "due_on",
                    "due_flag",
                    "channel",
                    "evaluation_due",
                    "handling_unit",
                ],
                # PostgreSQL: with the id in the index (SQLite has it as the rowid anyway), the
                # counts are index-only scans.
                include=["id"],
                name="case_queue_idx",
            ),
            models.Index(fields=["handling_unit", "status"]),
            # The case list's default order (newest first): read backwards, stops at a page.
            models.Index(fields=["received_on", "id"], name="case_received_idx"),
            # Equality look-ups only: declared here rather than with db_index=True, which on
            # PostgreSQL adds a second, pattern-matching (LIKE) index to every CharField that
            # no query uses and every insert pays for.
            models.Index(fields=["query_code"], name="case_query_code_idx"),
            models.Index(fields=["due_flag"], name="case_due_flag_idx"),
        ]
        verbose_name = _("petition case")
        verbose_name_plural = _("petition cases")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Petitioner(models.Model):
    """A person who petitions. Data kept only to handle and answer the matter (PIPL)."""

    class Role(models.TextChoices):
        PRINCIPAL = "principal", _("Petitioner")
        REPRESENTATIVE = "representative", _("Representative")  # 代表, at most 5

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitioners")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    name = models.CharField(_("name"), max_length=40)
    # Encrypted at rest; found again through the keyed digests below (xinfang.core.crypto).
    id_number = EncryptedTextField(_("ID number"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        # Equality look-ups only (no LIKE index on PostgreSQL, see Case.Meta).
        indexes = [
            models.Index(fields=["id_number_digest"], name="petitioner_id_digest_idx"),
            models.Index(fields=["phone_digest"], name="petitioner_phone_digest_idx"),
        ]
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_digests()
        super().save(*args, **kwargs)

    def refresh_digests(self) -> None:
        self.id_number_digest = blind_index(self.id_number)
        self.phone_digest = blind_index(self.phone)


class Review(models.Model):
    """A request for review (复查, art. 35) or re-review (复核, art. 36) and its decision."""

    class Level(models.TextChoices):
        REVIEW = "review", _("Review")  # 复查
        REREVIEW = "rereview", _("Re-review")  # 复核

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    requested_on = models.DateField(_("requested on"))
    reason = models.TextField(_("reason"))
    decide_due = models.DateField(_("decision due"))
    hearing_days = models.PositiveSmallIntegerField(_("hearing days (not counted)"), default=0)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    decision_text = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "level"], name="one_review_per_level")
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_level_display()}"


class CaseEvent(models.Model):
    """One line of the case timeline, written in the same transaction as the change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


def document_path(instance: CaseDocument, filename: str) -> str:
    return f"cases/{instance.case.received_on:%Y}/{instance.case.number}/{filename}"


class CaseDocument(models.Model):
    """A generated formal document (notice, letter, answer, decision), kept with the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30)
    number = models.CharField(_("document number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=60)
    file = models.FileField(_("file"), upload_to=document_path)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")

    def __str__(self) -> str:
        return self.number


class NumberSequence(models.Model):
    """Per-year counters for case and document numbers; a locked row makes them unique
    across processes."""

    key = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.case.received_on:%Y}/{instance.case.number}/{filename}"


class Attachment(models.Model):
    """A file the petitioner or the clerk adds: scanned letter, photo, audio recording."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document or scanned letter")
        IMAGE = "image", _("Photo")
        AUDIO = "audio", _("Audio recording")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
