from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.org.models import Division, Unit

from .models import Case, Category, Channel, LegalChannel, Outcome, PetitionType, Rating
from .transitions import Action


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class RegisterForm(forms.Form):
    """Ordered for a phone call: who, how to reach them, what happened, then the details."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    received_on = forms.DateField(
        label=_("Received on"),
        initial=date.today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    name = forms.CharField(label=_("Petitioner's name"), max_length=40)
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^[\d\-+ ]{5,20}$",
        required=False,
        error_messages={"invalid": _("Enter a phone number of digits.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = forms.RegexField(
        label=_("ID number"),
        regex=r"^\d{17}[\dXx]$",
        required=False,
        error_messages={
            "invalid": _("An ID number has 18 characters: 17 digits and a digit or X.")
        },
    )
    petitioner_address = forms.CharField(
        label=_("Petitioner's address"), max_length=200, required=False
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    content = forms.CharField(
        label=_("Facts and reasons"), widget=forms.Textarea(attrs={"rows": 5})
    )
    request = forms.CharField(
        label=_("Request"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    petition_type = forms.ChoiceField(
        label=_("Type"), choices=PetitionType.choices, initial=PetitionType.APPEAL
    )
    division = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Division.objects.filter(level__in=["county", "township", "village"]),
        widget=forms.Select(
            attrs={
                "data-division-picker": "1",
                "data-town-label": _("Town or street"),
                "data-village-label": _("Village or community"),
            }
        ),
    )
    address = forms.CharField(label=_("Address of the matter"), max_length=200, required=False)
    representatives = forms.CharField(
        label=_("Representatives (collective petition), one name per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    people_count = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)
    accused_units = forms.ModelMultipleChoiceField(
        label=_("Accused units (accusations only)"), queryset=Unit.objects.all(), required=False
    )
    deadline_assigned = forms.DateField(
        label=_("Deadline set by the assigning leader"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    attachments = MultipleFileField(
        label=_("Attachments (PDF, JPG, PNG, MP3, WAV, M4A, AMR; at most 20 MB each)"),
        required=False,
    )
    repeat_of = forms.IntegerField(required=False, widget=forms.HiddenInput)
    repeat_checked = forms.BooleanField(required=False, widget=forms.HiddenInput)

    QUICK_FIELDS = (
        "channel",
        "received_on",
        "name",
        "phone",
        "id_number",
        "petitioner_address",
        "title",
        "content",
        "request",
        "category",
        "petition_type",
        "division",
        "address",
    )

    def quick_fields(self) -> list[Any]:
        return [self[name] for name in self.QUICK_FIELDS]

    def more_fields(self) -> list[Any]:
        return [
            self[n]
            for n in (
                "representatives",
                "people_count",
                "accused_units",
                "deadline_assigned",
                "attachments",
            )
        ]

    def clean_attachments(self) -> list[Any]:
        from .attachments import check_upload

        files = self.cleaned_data.get("attachments") or []
        for upload in files:
            head = upload.read(16)
            upload.seek(0)
            error = check_upload(name=upload.name, head=head, size=upload.size)
            if error:
                raise forms.ValidationError(error)
        return files


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RouteForm(ActionForm):
    unit = forms.ModelChoiceField(
        label=_("Handling unit"), queryset=Unit.objects.filter(is_active=True)
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"), queryset=Unit.objects.filter(is_active=True), required=False
    )


class JointForm(ActionForm):
    lead = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.filter(is_active=True)
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"), queryset=Unit.objects.filter(is_active=True)
    )


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(ReasonForm):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=30, initial=30)


class AnswerForm(ActionForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    text = forms.CharField(label=_("Facts, decision and legal basis"), widget=forms.Textarea)


class RereviewDecisionForm(AnswerForm):
    hearing_days = forms.IntegerField(label=_("Hearing days (not counted)"), min_value=0, initial=0)


class EvaluateForm(ActionForm):
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MergeForm(ActionForm):
    into = forms.CharField(label=_("Number of the earlier case"), max_length=32)
    user: Any = None  # set by action_form: the earlier case must be one this user may see

    def clean_into(self) -> Case:
        from .selectors import cases_visible_to

        number = self.cleaned_data["into"].strip()
        visible = cases_visible_to(self.user) if self.user is not None else Case.objects.none()
        # a case out of sight answers like a number that does not exist
        case = visible.filter(number=number).first()
        if case is None:
            raise forms.ValidationError(_("No case with this number."))
        return case


class DivertForm(ReasonForm):
    to = forms.ChoiceField(label=_("Legal procedure"), choices=LegalChannel.choices)


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.ROUTE: RouteForm,
    Action.JOINT: JointForm,
    Action.RETURN: ReasonForm,
    Action.ACCEPT: ActionForm,
    Action.NOT_ACCEPT: ReasonForm,
    Action.EXTEND: ExtendForm,
    Action.REPLY: AnswerForm,
    Action.EVALUATE: EvaluateForm,
    Action.REQUEST_REVIEW: ReasonForm,
    Action.DECIDE_REVIEW: AnswerForm,
    Action.REQUEST_REREVIEW: ReasonForm,
    Action.DECIDE_REREVIEW: RereviewDecisionForm,
    Action.CLOSE: ActionForm,
    Action.MERGE: MergeForm,
    Action.DIVERT: DivertForm,
}


def action_form(action: Action, case: Case, data: Any = None, *, user: Any = None) -> ActionForm:
    form = ACTION_FORMS[action](data, initial={"version": case.version}, prefix=action.value)
    if isinstance(form, MergeForm):
        form.user = user
    return form
