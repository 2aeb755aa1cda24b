"""Forms of the risk assessments, zero reports, notes and suggestions (input only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.disputes.forms import DATE, DivisionChoice
from xinfang.disputes.models import RiskLevel
from xinfang.org.models import Division, Unit

from .models import (
    AssessmentKind,
    NoteSource,
    OpinionCollection,
    RiskAssessment,
    RiskItem,
    SuggestionStatus,
)
from .services import allowed_decisions

UNITS = Unit.objects.filter(is_active=True)


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("Matter"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=AssessmentKind.choices)
    description = forms.CharField(
        label=_("Content of the decision or project"), widget=forms.Textarea
    )
    division = DivisionChoice(
        label=_("Place"),
        queryset=Division.objects.filter(
            level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP, Division.Level.VILLAGE]
        ).select_related("parent"),
    )
    proposing_unit = forms.ModelChoiceField(label=_("Proposing unit"), queryset=UNITS)
    plan = forms.CharField(
        label=_("Assessment plan"),
        widget=forms.Textarea,
        help_text=_("Scope, whose views are heard and how, timetable."),
    )


class EmptyForm(forms.Form):
    """A step without input (start consultation, start analysis, issue report, close)."""


class PlanForm(forms.Form):
    plan = forms.CharField(label=_("Assessment plan"), widget=forms.Textarea)


class OpinionForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=OpinionCollection.Method.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    support = forms.IntegerField(label=_("People in support"), min_value=0)
    objection = forms.IntegerField(label=_("People with some objection"), min_value=0)
    strong_opposition = forms.IntegerField(label=_("People strongly opposed"), min_value=0)
    summary = forms.CharField(label=_("Main views"), widget=forms.Textarea)


class RiskItemForm(forms.Form):
    aspect = forms.ChoiceField(label=_("Aspect"), choices=RiskItem.Aspect.choices)
    description = forms.CharField(label=_("Risk"), widget=forms.Textarea)
    level = forms.ChoiceField(label=_("Level"), choices=RiskLevel.choices)
    mitigation = forms.CharField(label=_("Mitigation"), widget=forms.Textarea, required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=UNITS, required=False
    )


class GradeForm(forms.Form):
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    mitigation = forms.CharField(
        label=_("Mitigation measures"), widget=forms.Textarea, required=False
    )
    reason = forms.CharField(
        label=_("Grounds for the level"), widget=forms.Textarea, required=False
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=())
    decided_by = forms.CharField(label=_("Decided by"), max_length=80)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    note = forms.CharField(
        label=_("Explanation or conditions"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args: Any, assessment: RiskAssessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = (
            allowed_decisions(assessment.kind, assessment.risk_level)
            if assessment.risk_level
            else []
        )
        self.fields["decision"].choices = [(d.value, d.label) for d in allowed]  # type: ignore[attr-defined]
        self.fields["decided_on"].initial = timezone.localdate()


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("Findings"), widget=forms.Textarea)
    new_risk = forms.BooleanField(label=_("New risk found"), required=False)


class AttachForm(forms.Form):
    file = forms.FileField(label=_("Document"))


STEP_FORMS: dict[str, type[forms.Form]] = {
    "edit_plan": PlanForm,
    "consult": EmptyForm,
    "opinion": OpinionForm,
    "analyse": EmptyForm,
    "risk": RiskItemForm,
    "grade": GradeForm,
    "report": EmptyForm,
    "decide": DecisionForm,
    "follow_up": FollowUpForm,
    "close": EmptyForm,
    "attach": AttachForm,
}


def step_form(step: str, assessment: RiskAssessment, data: Any = None, files: Any = None) -> Any:
    initial: dict[str, Any] = {}
    if step == "edit_plan":
        initial["plan"] = assessment.plan
    elif step == "opinion":
        initial["held_on"] = timezone.localdate()
    elif step == "grade":
        initial.update(
            level=assessment.risk_level or None,
            mitigation=assessment.mitigation,
            reason=assessment.level_reason,
        )
    cls = STEP_FORMS[step]
    kwargs: dict[str, Any] = {"initial": initial, "prefix": step}
    if cls is DecisionForm:
        kwargs["assessment"] = assessment
    if cls is AttachForm:
        return cls(data, files, **kwargs)
    return cls(data, **kwargs)


# --- zero reports -------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    units = forms.ModelMultipleChoiceField(
        label=_("Designated units"), queryset=UNITS, widget=forms.CheckboxSelectMultiple
    )
    instructions = forms.CharField(label=_("What to report"), widget=forms.Textarea, required=False)


class ZeroReportForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    nothing_to_report = forms.BooleanField(label=_("Nothing to report"), required=False)
    matters = forms.CharField(
        label=_("Matters and risks found"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Describe matters and risks; do not list persons."),
    )
    matter_count = forms.IntegerField(label=_("Number of matters"), min_value=0, initial=0)
    risk_level = forms.ChoiceField(
        label=_("Highest risk"), choices=[("", "—"), *RiskLevel.choices], required=False
    )


# --- notes and suggestions ----------------------------------------------------------------------

EVIDENCE_HELP = _("Numbers separated by spaces or commas.")


class NoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    content = forms.CharField(label=_("What people say"), widget=forms.Textarea)
    source = forms.ChoiceField(label=_("Source"), choices=NoteSource.choices)
    case_numbers = forms.CharField(
        label=_("Petition case numbers"), required=False, help_text=EVIDENCE_HELP
    )
    dispute_numbers = forms.CharField(
        label=_("Dispute ledger numbers"), required=False, help_text=EVIDENCE_HELP
    )


class SuggestionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    problem = forms.CharField(label=_("Problem found"), widget=forms.Textarea)
    suggestion = forms.CharField(label=_("Suggestion"), widget=forms.Textarea)
    to_unit = forms.ModelChoiceField(label=_("Send to"), queryset=UNITS)
    case_numbers = forms.CharField(
        label=_("Petition case numbers"), required=False, help_text=EVIDENCE_HELP
    )
    dispute_numbers = forms.CharField(
        label=_("Dispute ledger numbers"), required=False, help_text=EVIDENCE_HELP
    )
    notes: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(  # type: ignore[type-arg]
        label=_("Public-opinion notes"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, notes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notes"].queryset = notes  # type: ignore[attr-defined]


class LinkForm(forms.Form):
    case_numbers = forms.CharField(label=_("Petition case numbers"), required=False)
    dispute_numbers = forms.CharField(label=_("Dispute ledger numbers"), required=False)


class RespondForm(forms.Form):
    adoption = forms.ChoiceField(
        label=_("Adoption"),
        choices=[
            (s.value, s.label)
            for s in (
                SuggestionStatus.ADOPTED,
                SuggestionStatus.PARTLY,
                SuggestionStatus.NOT_ADOPTED,
            )
        ],
    )
    response = forms.CharField(label=_("Department's response"), widget=forms.Textarea)
    response_on = forms.DateField(label=_("Response on"), widget=DATE)
