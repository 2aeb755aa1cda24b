from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.org.models import Division, Unit

from .models import Case, Category, Channel, LegalChannel, Outcome, PetitionType, Rating
from .transitions import Action


class RegisterForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    petition_type = forms.ChoiceField(label=_("Type"), choices=PetitionType.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    title = forms.CharField(label=_("Title"), max_length=120)
    content = forms.CharField(label=_("Facts and reasons"), widget=forms.Textarea)
    request = forms.CharField(
        label=_("Request"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    division = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Division.objects.filter(level__in=["county", "township", "village"]),
    )
    address = forms.CharField(label=_("Address of the matter"), max_length=200, required=False)
    received_on = forms.DateField(
        label=_("Received on"), initial=date.today, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline_assigned = forms.DateField(
        label=_("Deadline set by the assigning leader"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    name = forms.CharField(label=_("Petitioner's name"), max_length=40)
    id_number = forms.RegexField(
        label=_("ID number"),
        regex=r"^\d{17}[\dXx]$",
        required=False,
        error_messages={
            "invalid": _("An ID number has 18 characters: 17 digits and a digit or X.")
        },
    )
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^[\d\-+ ]{5,20}$",
        required=False,
        error_messages={"invalid": _("Enter a phone number of digits.")},
    )
    petitioner_address = forms.CharField(
        label=_("Petitioner's address"), max_length=200, required=False
    )
    representatives = forms.CharField(
        label=_("Representatives (collective petition), one name per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    people_count = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)
    accused_units = forms.ModelMultipleChoiceField(
        label=_("Accused units (accusations only)"), queryset=Unit.objects.all(), required=False
    )


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

    def clean_into(self) -> Case:
        number = self.cleaned_data["into"].strip()
        case = Case.objects.filter(number=number).first()
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


def action_form(action: Action, case: Case, data: Any = None) -> ActionForm:
    form = ACTION_FORMS[action](data, initial={"version": case.version}, prefix=action.value)
    return form
