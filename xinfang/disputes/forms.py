"""Forms of the dispute ledger and campaigns: input validation only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.org.models import Division, Unit

from .models import (
    DisputeType,
    MediationRecord,
    Party,
    ReferralTarget,
    RiskLevel,
    Source,
    Status,
)
from .selectors import town_of
from .transitions import Action

# ISO values: a type=date input cannot read the localised 2026/11/28 Django renders in zh-hans.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


ALL = _("All")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", ALL), *choices]


def town_divisions(user: Any) -> Any:
    """Towns and villages the user may report for (a town's staff: their own town)."""
    qs = Division.objects.filter(
        level__in=[Division.Level.TOWNSHIP, Division.Level.VILLAGE]
    ).select_related("parent")
    town = town_of(user)
    if town is not None:
        qs = qs.filter(Q(pk=town.pk) | Q(parent=town))
    return qs.order_by("code")


class DivisionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if obj.level == Division.Level.VILLAGE and obj.parent:
            return f"{obj.parent.name} · {obj.name}"
        return str(obj.name)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_blank([("active", _("Not yet settled")), *Status.choices]),
    )
    dispute_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=_blank(DisputeType.choices)
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=_blank(RiskLevel.choices)
    )
    town = forms.ModelChoiceField(
        label=_("Town"),
        required=False,
        queryset=Division.objects.filter(level=Division.Level.TOWNSHIP),
        empty_label=_("All"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class DisputeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(label=_("Facts and issues"), widget=forms.Textarea)
    dispute_type = forms.ChoiceField(label=_("Type"), choices=DisputeType.choices)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.ROUTINE)
    division = DivisionChoice(label=_("Town or village"), queryset=Division.objects.none())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    people_involved = forms.IntegerField(label=_("Number of people involved"), min_value=1)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    found_on = forms.DateField(label=_("Found on"), widget=DATE)
    deadline = forms.DateField(
        label=_("Resolve by"),
        widget=DATE,
        required=False,
        help_text=_("Empty: 30 days after the date found."),
    )
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.filter(is_active=True)
    )
    responsible_leader = forms.CharField(label=_("Responsible leader"), max_length=60)
    case_number = forms.CharField(
        label=_("Related petition case number"), max_length=32, required=False
    )
    a_name = forms.CharField(label=_("Party A: name"), max_length=80, required=False)
    a_kind = forms.ChoiceField(label=_("Party A: kind"), choices=Party.Kind.choices)
    a_phone = forms.CharField(label=_("Party A: phone"), max_length=20, required=False)
    b_name = forms.CharField(label=_("Party B: name"), max_length=80, required=False)
    b_kind = forms.ChoiceField(label=_("Party B: kind"), choices=Party.Kind.choices)
    b_phone = forms.CharField(label=_("Party B: phone"), max_length=20, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = town_divisions(user)  # type: ignore[attr-defined]
        self.fields["found_on"].initial = timezone.localdate()
        self.fields["people_involved"].initial = 2
        if user.unit_id:
            self.fields["responsible_unit"].initial = user.unit_id


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingForm(VersionForm):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    mediators = forms.CharField(label=_("Mediators"), max_length=200)
    attendance = forms.CharField(label=_("Who attended (roles)"), max_length=200, required=False)
    content = forms.CharField(label=_("What was discussed"), widget=forms.Textarea)
    result = forms.ChoiceField(label=_("Result"), choices=MediationRecord.Result.choices)


class AgreementForm(VersionForm):
    committee = forms.CharField(label=_("Mediation committee"), max_length=80)
    facts = forms.CharField(label=_("Facts and issues"), widget=forms.Textarea)
    terms = forms.CharField(
        label=_("Agreed terms"), widget=forms.Textarea, help_text=_("One term per line.")
    )
    performance = forms.CharField(label=_("How the terms are performed"), widget=forms.Textarea)
    perform_by = forms.DateField(label=_("Perform by"), widget=DATE)
    mediators = forms.CharField(label=_("Mediators"), max_length=200)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)


class ConfirmationForm(forms.Form):
    applied_on = forms.DateField(label=_("Applied on"), widget=DATE)
    court = forms.CharField(label=_("Court"), max_length=80)


class FulfilForm(VersionForm):
    fulfilled_on = forms.DateField(label=_("Performed on"), widget=DATE)
    note = forms.CharField(label=_("How it was performed"), widget=forms.Textarea)


class ResolveForm(VersionForm):
    note = forms.CharField(label=_("How it was resolved"), widget=forms.Textarea)


class ReferForm(VersionForm):
    to = forms.ChoiceField(label=_("Refer to"), choices=ReferralTarget.choices)
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea)
    case_number = forms.CharField(
        label=_("Petition case number (if registered)"), max_length=32, required=False
    )


class UpdateForm(VersionForm):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    deadline = forms.DateField(label=_("Resolve by"), widget=DATE)
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.filter(is_active=True)
    )
    responsible_leader = forms.CharField(label=_("Responsible leader"), max_length=60)


class PartyForm(forms.Form):
    side = forms.ChoiceField(label=_("Side"), choices=Party.Side.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Party.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=80)
    id_number = forms.CharField(label=_("ID or credit code"), max_length=30, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


class LinkCaseForm(forms.Form):
    case_number = forms.CharField(label=_("Petition case number"), max_length=32)


ACTION_FORMS: dict[Action, type[forms.Form]] = {
    Action.MEETING: MeetingForm,
    Action.AGREEMENT: AgreementForm,
    Action.CONFIRMATION: ConfirmationForm,
    Action.FULFIL: FulfilForm,
    Action.RESOLVE: ResolveForm,
    Action.REFER: ReferForm,
    Action.UPDATE: UpdateForm,
    Action.PARTY: PartyForm,
    Action.LINK_CASE: LinkCaseForm,
}


def action_form(action: Action, dispute: Any, data: Any = None) -> forms.Form:
    today = timezone.localdate()
    initial: dict[str, Any] = {"version": dispute.version}
    if action == Action.MEETING:
        initial["held_on"] = today
    elif action == Action.AGREEMENT:
        division = dispute.division
        town = division.parent if division.level == Division.Level.VILLAGE else division
        initial.update(
            committee=f"{town.name}人民调解委员会",
            facts=dispute.summary,
            signed_on=today,
        )
    elif action in (Action.CONFIRMATION,):
        initial["applied_on"] = today
    elif action == Action.FULFIL:
        initial["fulfilled_on"] = today
    elif action == Action.UPDATE:
        initial.update(
            risk_level=dispute.risk_level,
            deadline=dispute.deadline,
            responsible_unit=dispute.responsible_unit_id,
            responsible_leader=dispute.responsible_leader,
        )
    return ACTION_FORMS[action](data, initial=initial, prefix=action.value)


# --- campaigns ------------------------------------------------------------------------------


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Aims"), widget=forms.Textarea, required=False)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.filter(is_active=True)
    )


class TargetForm(forms.Form):
    title = forms.CharField(label=_("Target problem"), max_length=160)
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.filter(is_active=True)
    )
    responsible_leader = forms.CharField(label=_("Responsible leader"), max_length=60)
    due_on = forms.DateField(label=_("Due"), widget=DATE)
    dispute_number = forms.CharField(label=_("Ledger number"), max_length=24, required=False)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea)


class CloseTargetForm(forms.Form):
    solved = forms.BooleanField(label=_("Solved"), required=False)
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea)


class CloseCampaignForm(forms.Form):
    note = forms.CharField(label=_("Closing summary"), widget=forms.Textarea)
