"""Forms of the supervision pages: validate input at the edge, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.org.models import Role, Unit, User

from .models import (
    EscalationRule,
    Finding,
    FollowUp,
    ItemKind,
    Priority,
    Recipient,
    RuleSubject,
    Step,
)
from .quality import CHECKLIST

DATE = forms.DateInput(attrs={"type": "date"})
CREATE_KINDS = [ItemKind.INSTRUCTION, ItemKind.ASSIGNMENT, ItemKind.ORDER]


def _units() -> Any:
    return Unit.objects.filter(is_active=True)


class ItemForm(forms.Form):
    """A leader's instruction, an assigned matter or a supervision order."""

    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(
        label=_("Instruction or requirement"), widget=forms.Textarea(attrs={"rows": 4})
    )
    leader = forms.ModelChoiceField(
        label=_("Assigning leader"), queryset=User.objects.none(), required=False
    )
    case_number = forms.CharField(label=_("Case number (optional)"), max_length=32, required=False)
    unit = forms.ModelChoiceField(
        label=_("Receiving unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Leave empty to use the handling unit of the case."),
    )
    due_on = forms.DateField(label=_("Required by"), widget=DATE)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["unit"].queryset = _units()  # type: ignore[attr-defined]
        leaders = self.fields["leader"]
        leaders.queryset = User.objects.filter(role=Role.LEADER, is_active=True)  # type: ignore[attr-defined]
        if kind == ItemKind.ORDER:
            del self.fields["leader"]
            self.fields["due_on"].label = _("Feedback date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("unit") and not data.get("case_number"):
            self.add_error("unit", _("Choose the unit, or give a case number."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("What was done and the result"), widget=forms.Textarea(attrs={"rows": 5})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("What is missing"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("New date (optional)"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


ITEM_ACTION_FORMS: dict[str, type[forms.Form]] = {
    "answer": AnswerForm,
    "accept": AcceptForm,
    "send_back": SendBackForm,
    "cancel": CancelForm,
}


class RuleForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=80)
    subject = forms.ChoiceField(label=_("Applies to"), choices=RuleSubject.choices)
    kind = forms.ChoiceField(
        label=_("Only items of kind"),
        choices=[("", _("All kinds")), *ItemKind.choices],
        required=False,
    )
    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    offset_days = forms.IntegerField(
        label=_("Working days from the due date"),
        help_text=_("Negative: before the due date; 0: on it; positive: after it."),
    )
    recipients = forms.MultipleChoiceField(
        label=_("Who is told"),
        choices=Recipient.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    feedback_days = forms.IntegerField(
        label=_("Feedback within (working days)"),
        initial=5,
        help_text=_("Only for opening a supervision order."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, rule: EscalationRule | None = None, **kwargs: Any) -> None:
        if rule is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                f: getattr(rule, f)
                for f in [
                    "code",
                    "name",
                    "subject",
                    "kind",
                    "step",
                    "offset_days",
                    "recipients",
                    "feedback_days",
                    "is_active",
                ]
            }
        super().__init__(*args, **kwargs)
        if rule is not None:
            self.fields["code"].disabled = True
            self.fields["code"].required = False


class JointForm(forms.Form):
    lead = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"), queryset=Unit.objects.none()
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = _units()  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = _units()  # type: ignore[attr-defined]


TASK_ROWS = 4


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE, initial=timezone.localdate)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    chair = forms.CharField(label=_("Chaired by"), max_length=80)
    units = forms.ModelMultipleChoiceField(label=_("Units present"), queryset=Unit.objects.none())
    topics = forms.CharField(
        label=_("Questions discussed"), widget=forms.Textarea(attrs={"rows": 3})
    )
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units()  # type: ignore[attr-defined]
        for n in range(1, TASK_ROWS + 1):
            self.fields[f"task_unit_{n}"] = forms.ModelChoiceField(
                label=_("Task %(n)d: unit") % {"n": n}, queryset=_units(), required=False
            )
            self.fields[f"task_text_{n}"] = forms.CharField(
                label=_("Task %(n)d: what to do") % {"n": n}, max_length=500, required=False
            )
            self.fields[f"task_due_{n}"] = forms.DateField(
                label=_("Task %(n)d: due") % {"n": n}, required=False, widget=DATE
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tasks = []
        for n in range(1, TASK_ROWS + 1):
            row = [
                data.get(f"task_unit_{n}"),
                data.get(f"task_text_{n}"),
                data.get(f"task_due_{n}"),
            ]
            if any(row) and not all(row):
                self.add_error(f"task_text_{n}", _("A task needs its unit, what to do and a date."))
            elif all(row):
                tasks.append(row)
        data["tasks"] = tasks
        return data


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner (包案)"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role__in=[Role.LEADER, Role.SUPERVISOR, Role.UNIT_HEAD]
        ).order_by("role", "username")


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 3})
    )


class VisitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit or town"), queryset=Unit.objects.none())
    planned_on = forms.DateField(label=_("Planned for"), widget=DATE)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    plan = forms.CharField(
        label=_("Visit plan: what to check, how, whom to meet"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    team = forms.CharField(label=_("Inspection team"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()  # type: ignore[attr-defined]


class VisitRecordForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    summary = forms.CharField(
        label=_("Summary of the visit"), widget=forms.Textarea(attrs={"rows": 4})
    )


class FindingForm(forms.Form):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    correction = forms.CharField(
        label=_("Required correction (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label=_("Correction due"), required=False, widget=DATE)


class EmptyForm(forms.Form):
    pass


class SelectCaseForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=32)


class DrawForm(forms.Form):
    start = forms.DateField(label=_("Answered from"), widget=DATE)
    end = forms.DateField(label=_("Answered until"), widget=DATE)
    mode = forms.ChoiceField(
        label=_("Draw"),
        choices=[("all", _("All answered cases")), ("random", _("A random share"))],
        initial="random",
    )
    percent = forms.IntegerField(
        label=_("Share (%)"), min_value=1, max_value=100, initial=20, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "random" and not data.get("percent"):
            self.add_error("percent", _("Give the share to draw."))
        return data


class InspectForm(forms.Form):
    """One yes/no and one reason per checklist item (quality.CHECKLIST)."""

    comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in CHECKLIST:
            self.fields[f"met_{item.code}"] = forms.BooleanField(
                label=_("%(item)s (%(weight)d points)")
                % {"item": item.label, "weight": item.weight}
                if not item.essential
                else _("%(item)s (%(weight)d points, essential)")
                % {"item": item.label, "weight": item.weight},
                required=False,
            )
            self.fields[f"note_{item.code}"] = forms.CharField(
                label=_("If not: why"), required=False, max_length=500
            )
        # the comment last
        self.fields["comment"] = self.fields.pop("comment")

    def checklist_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"met_{c.code}"], self[f"note_{c.code}"]) for c in CHECKLIST]

    def checks(self) -> dict[str, bool]:
        return {c.code: bool(self.cleaned_data.get(f"met_{c.code}")) for c in CHECKLIST}

    def notes(self) -> dict[str, str]:
        return {c.code: self.cleaned_data.get(f"note_{c.code}", "") for c in CHECKLIST}


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=FollowUp.Outcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("What the petitioner said"), widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = forms.DateField(
        label=_("Unit answers again by (when handling is reopened)"), required=False, widget=DATE
    )
