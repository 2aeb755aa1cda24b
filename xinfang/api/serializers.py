"""Shapes of the API: what a request may carry (validated at the edge: types, lengths, known
codes) and what an answer contains. Rules are decided by the services, not here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from xinfang.cases.deadlines import EXTENSION_MAX_DAYS
from xinfang.cases.filters import SORTS
from xinfang.cases.forms import RegisterForm
from xinfang.cases.models import (
    Attachment,
    Case,
    CaseDocument,
    CaseEvent,
    Category,
    Channel,
    DueFlag,
    LegalChannel,
    Outcome,
    Petitioner,
    PetitionType,
    Rating,
    Review,
    Status,
)
from xinfang.cases.queues import QUEUES
from xinfang.cases.transitions import Action
from xinfang.org.models import Division, Unit

from . import intake, presenters

# Column limits of the database (PostgreSQL integer / bigint), so no value crashes a query.
MAX_INT = 2**31 - 1
MAX_ID = 2**63 - 1
# A petition's text is recorded in full; this only bounds one request's work (segmentation
# for search), far above any real letter.
MAX_TEXT = 50_000
# A leader's deadline (交办) lies after the receipt and, in practice, within a year.
MAX_ASSIGNED_DAYS = 366


def _form_regex(name: str) -> str:
    """The pattern the registration page uses for a field, so both edges accept the same."""
    return str(RegisterForm.base_fields[name].regex.pattern)  # type: ignore[attr-defined]


def active_units() -> Any:
    return Unit.objects.filter(is_active=True)


# --- answers -------------------------------------------------------------------------------


class ReferenceSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class CaseSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Case number, e.g. XF530423-2026-000001.")
    title = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    petition_type = serializers.ChoiceField(choices=PetitionType.choices)
    category = ReferenceSerializer()
    division = ReferenceSerializer(help_text="Place of the matter.")
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    handling_unit = ReferenceSerializer(allow_null=True)
    received_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True, help_text="Due date of the current step.")
    due_flag = serializers.ChoiceField(choices=DueFlag.choices, allow_blank=True)
    version = serializers.IntegerField(
        help_text="Send it back as 'version' with an action (optimistic locking)."
    )
    url = serializers.SerializerMethodField()

    def get_url(self, case: Case) -> str:
        return reverse("api:case-detail", kwargs={"pk": case.pk})


class PetitionerSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Petitioner.Role.choices)
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="Masked unless the role may see personal data.")
    phone = serializers.CharField()
    address = serializers.CharField()


class DeadlineSerializer(serializers.Serializer[Any]):
    step = serializers.ChoiceField(choices=presenters.DEADLINE_STEPS_CHOICES)
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    due = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    remaining_working_days = serializers.IntegerField(
        allow_null=True, help_text="Negative when overdue; null once the step is done."
    )


class EventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label")
    action = serializers.CharField()
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]  # a field, not .data

    def get_label(self, event: CaseEvent) -> str:
        return presenters.event_label(event.action)


class ReviewSerializer(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=Review.Level.choices)
    requested_on = serializers.DateField()
    reason = serializers.CharField()
    decide_due = serializers.DateField()
    decided_on = serializers.DateField(allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)
    decision_text = serializers.CharField()
    hearing_days = serializers.IntegerField()


class DocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The PDF (GET, same credentials).")

    def get_url(self, document: CaseDocument) -> str:
        return reverse("api:case-document", kwargs={"pk": document.case_id, "doc_pk": document.pk})


class AttachmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices)
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The file (GET, same credentials).")

    def get_url(self, attachment: Attachment) -> str:
        return reverse(
            "api:case-attachment", kwargs={"pk": attachment.case_id, "att_pk": attachment.pk}
        )


class AllowedActionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=[(a.value, a.value) for a in Action])
    label = serializers.CharField()  # type: ignore[assignment]
    url = serializers.CharField(help_text="POST here to take the action.")


class CaseDetailSerializer(CaseSummarySerializer):
    """A case with its people, deadlines, timeline, reviews, documents and the actions the user
    may take now. Context: ``personal`` (bool: unmasked personal data)."""

    content = serializers.CharField()
    request = serializers.CharField()
    address = serializers.CharField()
    is_collective = serializers.BooleanField()
    people_count = serializers.IntegerField()
    accused_units = ReferenceSerializer(many=True, source="accused_units.all")
    accused_persons = serializers.CharField()
    co_units = ReferenceSerializer(many=True, source="co_units.all")
    registered_at = serializers.DateTimeField()
    deadline_assigned = serializers.DateField(allow_null=True)
    routed_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    acceptance_notified_on = serializers.DateField(allow_null=True)
    extension_days = serializers.IntegerField()
    extension_reason = serializers.CharField()
    replied_on = serializers.DateField(allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)
    reply_text = serializers.CharField()
    not_accepted_reason = serializers.CharField()
    diverted_to = serializers.ChoiceField(choices=LegalChannel.choices, allow_blank=True)
    repeat_of = serializers.IntegerField(source="repeat_of_id", allow_null=True)
    is_repeat = serializers.BooleanField()
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    rating_comment = serializers.CharField()
    rated_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    personal_data_masked = serializers.SerializerMethodField()
    query_code = serializers.SerializerMethodField()
    petitioners = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    reviews = ReviewSerializer(many=True, source="reviews.all")
    documents = DocumentSerializer(many=True, source="documents.all")
    attachments = AttachmentSerializer(many=True, source="attachments.all")
    actions = serializers.SerializerMethodField()

    def _personal(self) -> bool:
        return bool(self.context.get("personal"))

    def get_personal_data_masked(self, case: Case) -> bool:
        return not self._personal()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_query_code(self, case: Case) -> str | None:
        """The citizen's query code: personal data, shown only to roles that may see it."""
        return case.query_code if self._personal() else None

    @extend_schema_field(PetitionerSerializer(many=True))
    def get_petitioners(self, case: Case) -> list[dict[str, str]]:
        return presenters.petitioner_rows(case, personal=self._personal())

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, case: Case) -> Any:
        rows = presenters.deadline_rows(case, today=timezone.localdate())
        return DeadlineSerializer(rows, many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, case: Case) -> Any:
        return EventSerializer(presenters.timeline(case), many=True).data

    @extend_schema_field(AllowedActionSerializer(many=True))
    def get_actions(self, case: Case) -> list[dict[str, str]]:
        if self.context.get("actions") is not None:
            return list(self.context["actions"])
        return presenters.allowed_actions(self.context["request"].user, case)


class SuggestionSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(help_text="The classifier's category label.")  # type: ignore[assignment]
    confidence = serializers.FloatField(help_text="Calibrated probability, 0-1.")
    category = ReferenceSerializer(allow_null=True, help_text="Our category of that label.")
    unit = ReferenceSerializer(allow_null=True, help_text="The unit that usually handles it.")


class EarlierCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    received_on = serializers.DateField()
    reason = serializers.ChoiceField(
        choices=list(intake.REASONS.items()),
        help_text="; ".join(f"{code}: {text}" for code, text in intake.REASONS.items()),
    )
    similarity = serializers.FloatField(
        allow_null=True, help_text="Word similarity of the texts (0-1), when computed."
    )
    url = serializers.CharField()


class IntakeAdviceSerializer(serializers.Serializer[Any]):
    """Advice only: the clerk decides (route, or merge as a repeat)."""

    routing_model = serializers.CharField(
        allow_null=True, help_text="Version of the classifier; null: no suggestions."
    )
    model_status = serializers.ChoiceField(
        choices=[(s, s) for s in intake.MODEL_STATUSES],
        help_text="ready; training (a first classifier is being trained, suggestions follow); "
        "unavailable; not_installed (no routing area: repeat check only).",
    )
    suggestions = SuggestionSerializer(many=True, help_text="Most likely first.")
    earlier_cases = EarlierCaseSerializer(
        many=True, help_text="Earlier cases of the same person or matter (重复信访 check)."
    )


class RegisteredCaseSerializer(CaseDetailSerializer):
    """The registered case and the advice for routing it, in one answer."""

    intake = IntakeAdviceSerializer(read_only=True)


class UnitSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Unit.Kind.choices)
    parent = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.parent
        source="parent.code", allow_null=True, default=None
    )
    division = serializers.CharField(source="division.code")
    is_active = serializers.BooleanField()


class DivisionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="GB/T 2260 code (6 digits), town 9, village 12.")
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Division.Level.choices)
    parent = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.parent
        source="parent.code", allow_null=True, default=None
    )
    is_demo = serializers.BooleanField()


class CategorySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    default_unit = serializers.CharField(source="default_unit.code", allow_null=True, default=None)


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    unit = ReferenceSerializer(allow_null=True)
    capabilities = serializers.ListField(child=serializers.CharField())


# --- requests -------------------------------------------------------------------------------


def _null_characters(
    serializer: serializers.Serializer[Any], data: Any
) -> dict[str, list[serializers.ErrorDetail]]:
    """Fields whose text holds a NUL character, which no text column can store (PostgreSQL
    refuses it): refused at the edge for every field, codes and look-ups included, not only
    where DRF's CharField checks it."""
    return {
        name: [
            serializers.ErrorDetail(
                _("Null characters are not allowed."), code="null_characters_not_allowed"
            )
        ]
        for name in serializer.fields.keys()  # noqa: SIM118  # BindingDict, not a dict
        if name in data and isinstance(data[name], str) and "\x00" in data[name]
    }


class QueryParametersSerializer(serializers.Serializer[Any]):
    """Query parameters: one given empty (``?unit=``) is an error, not a missing filter (DRF
    would silently drop it), so a client never gets an unfiltered list by mistake."""

    def to_internal_value(self, data: Any) -> Any:
        errors = {
            name: [serializers.ErrorDetail(_("This field may not be blank."), code="blank")]
            for name, _field in self.fields.items()
            if name in data and data.get(name) == ""
        }
        errors.update(_null_characters(self, data))
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class CaseFilterSerializer(QueryParametersSerializer):
    """Query parameters of the case list."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    petition_type = serializers.ChoiceField(choices=PetitionType.choices, required=False)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), required=False
    )
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.all(),
        required=False,
        help_text="Handling unit (code).",
    )
    division = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Division.objects.all(),
        required=False,
        help_text="Town or any division (code): the division and everything below it.",
    )
    due_flag = serializers.ChoiceField(
        choices=[("soon", "soon"), ("overdue", "overdue"), ("on_time", "on_time")],
        required=False,
        help_text="As set by the hourly deadline sweep.",
    )
    queue = serializers.ChoiceField(
        choices=[(code, code) for code in QUEUES],
        required=False,
        help_text="A work queue of the web pages, e.g. to_route, overdue.",
    )
    received_from = serializers.DateField(required=False)
    received_to = serializers.DateField(required=False)
    q = serializers.CharField(
        required=False, max_length=100, help_text="Words in the title (case-insensitive)."
    )
    sort = serializers.ChoiceField(choices=[(k, k) for k in SORTS], required=False)


def _json_type(field: serializers.Field[Any, Any, Any, Any]) -> tuple[type, ...] | None:
    """The JSON type a body field takes (None: left to the field, e.g. a nested object)."""
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.IntegerField):
        return (int,)
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField):
        return (list,)
    if isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.DateField
        | serializers.RelatedField,
    ):
        return (str,)
    return None


class BodySerializer(serializers.Serializer[Any]):
    """A JSON request body, its types as strict as the OpenAPI schema says: DRF would turn
    ``1`` into ``"1"``, ``"1"`` into ``1`` and ``"yes"`` into ``true``, and read the keys of an
    object given for a list. A client that sends the wrong type learns it (code
    ``wrong_type``) instead of having its value reinterpreted."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)  # DRF's own "not an object" error
        wrong = _null_characters(self, data)
        for name, field in self.fields.items():
            if name in wrong:
                continue
            if field.read_only or name not in data:
                continue
            value = data[name]
            expected = _json_type(field)
            if expected is None or (value is None and field.allow_null):
                continue
            if value == "" and isinstance(field, serializers.RelatedField):
                # DRF reads "" as null for a relation; the schema says a code is 1+ characters
                wrong[name] = [
                    serializers.ErrorDetail(_("This field may not be blank."), code="blank")
                ]
                continue
            # bool is a subclass of int in Python, not in JSON
            if not isinstance(value, expected) or (
                isinstance(value, bool) and bool not in expected
            ):
                wrong[name] = [
                    serializers.ErrorDetail(
                        str(WRONG_TYPE_MESSAGES[expected[0]]),
                        code="wrong_type",
                    )
                ]
                continue
            # the schema's maxLength is about the string sent; DRF would trim first
            limit = getattr(field, "max_length", None)
            if isinstance(value, str) and isinstance(limit, int) and len(value) > limit:
                wrong[name] = [
                    serializers.ErrorDetail(
                        str(field.error_messages["max_length"]).format(max_length=limit),
                        code="max_length",
                    )
                ]
        if not wrong:
            return super().to_internal_value(data)
        errors: dict[str, Any] = {}
        try:
            super().to_internal_value({k: v for k, v in data.items() if k not in wrong})
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                errors = {k: v for k, v in exc.detail.items() if k not in wrong}
        raise serializers.ValidationError({**errors, **wrong})


WRONG_TYPE_MESSAGES = {
    bool: gettext_lazy("Expected true or false."),
    int: gettext_lazy("Expected a whole number."),
    list: gettext_lazy("Expected a list."),
    str: gettext_lazy("Expected a string."),
}


class PetitionerInputSerializer(BodySerializer):
    name = serializers.CharField(max_length=40, allow_blank=True)
    id_number = serializers.RegexField(
        _form_regex("id_number"), required=False, allow_blank=True, max_length=18
    )
    phone = serializers.RegexField(
        _form_regex("phone"), required=False, allow_blank=True, max_length=20
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    representative = serializers.BooleanField(
        default=False, help_text="A representative (代表) of a collective petition."
    )


class RegisterSerializer(BodySerializer):
    """登记: the same fields as the registration page."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    petition_type = serializers.ChoiceField(choices=PetitionType.choices)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    title = serializers.CharField(max_length=120, allow_blank=True)
    content = serializers.CharField(max_length=MAX_TEXT, allow_blank=True)
    request = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    division = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Division.objects.filter(level__in=["county", "township", "village"]),
        help_text="Place of the matter: county, town or village code.",
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    received_on = serializers.DateField(required=False, help_text="Default: today.")
    deadline_assigned = serializers.DateField(
        required=False, allow_null=True, help_text="Required for a leader's instruction."
    )
    is_collective = serializers.BooleanField(default=False)
    people_count = serializers.IntegerField(min_value=1, max_value=MAX_INT, default=1)
    accused_units = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.all(), many=True, required=False
    )
    accused_persons = serializers.CharField(max_length=200, required=False, allow_blank=True)
    petitioners = PetitionerInputSerializer(many=True, max_length=100)  # type: ignore[call-arg]
    repeat_of = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="Id of an earlier case this one repeats.",
    )

    def validate_received_on(self, value: Any) -> Any:
        if value > timezone.localdate():
            raise serializers.ValidationError(
                _("The date of receipt cannot be in the future."), code="future_date"
            )
        return value

    def validate_repeat_of(self, value: int | None) -> Case | None:
        if value is None:
            return None
        case = self.context["visible_cases"].filter(pk=value).first()
        if case is None:
            raise serializers.ValidationError(_("No such case."), code="does_not_exist")
        return case  # type: ignore[no-any-return]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        received = attrs.get("received_on") or timezone.localdate()
        assigned = attrs.get("deadline_assigned")
        if assigned and not received <= assigned <= received + timedelta(days=MAX_ASSIGNED_DAYS):
            raise serializers.ValidationError(
                {
                    "deadline_assigned": _(
                        "The assigned date lies between the receipt and one year after it."
                    )
                },
                code="out_of_range",
            )
        return attrs


class IntakeCheckSerializer(BodySerializer):
    """What the advice is computed from; identifiers travel in the body, never in the URL."""

    title = serializers.CharField(max_length=120, allow_blank=True)
    content = serializers.CharField(max_length=MAX_TEXT, allow_blank=True)
    division = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Division.objects.filter(level__in=["county", "township", "village"]),
        required=False,
        allow_null=True,
        help_text="Place of the matter (helps to find the same person by name).",
    )
    petitioners = PetitionerInputSerializer(many=True, max_length=100, required=False)  # type: ignore[call-arg]


class VersionSerializer(BodySerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_INT,
        help_text="The version you last read; refused with 409 'conflict' if the case changed.",
    )


class RouteSerializer(VersionSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=active_units())
    co_units = serializers.SlugRelatedField(
        slug_field="code", queryset=active_units(), many=True, required=False
    )


class JointSerializer(VersionSerializer):
    lead = serializers.SlugRelatedField(slug_field="code", queryset=active_units())
    co_units = serializers.SlugRelatedField(
        slug_field="code", queryset=active_units(), many=True, allow_empty=True
    )


class ReasonSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=MAX_TEXT, allow_blank=True)


class DivertSerializer(ReasonSerializer):
    to = serializers.ChoiceField(choices=LegalChannel.choices)


class MergeSerializer(VersionSerializer):
    into = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of the earlier case."
    )

    def validate_into(self, value: int) -> Case:
        case = self.context["visible_cases"].filter(pk=value).first()
        if case is None:
            raise serializers.ValidationError(_("No such case."), code="does_not_exist")
        return case  # type: ignore[no-any-return]


class ExtendSerializer(ReasonSerializer):
    days = serializers.IntegerField(min_value=1, max_value=EXTENSION_MAX_DAYS)


class AnswerSerializer(VersionSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    text = serializers.CharField(max_length=MAX_TEXT, allow_blank=True)


class RereviewDecisionSerializer(AnswerSerializer):
    hearing_days = serializers.IntegerField(
        min_value=0, max_value=32767, default=0, help_text="Hearing time, not counted."
    )


class EvaluateSerializer(VersionSerializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)


class ReworkSerializer(ReasonSerializer):
    due_on = serializers.DateField(help_text="The new answer limit (not in the past).")
