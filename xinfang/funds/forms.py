"""Forms of the special funds (input only; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.org.models import Unit

from .metrics import metric_choices
from .models import BudgetLine, Classification, FundProject, Level2, Operator

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Project name"), max_length=200)
    implementing_unit = forms.ModelChoiceField(
        label=_("Implementing unit"), queryset=Unit.objects.filter(is_active=True)
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), min_value=0, max_digits=14, decimal_places=2
    )
    basis = forms.CharField(label=_("Basis"), widget=forms.Textarea(attrs={"rows": 3}))
    overview = forms.CharField(
        label=_("Overview"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    content = forms.CharField(
        label=_("What the project does"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    plan = forms.CharField(
        label=_("Implementation plan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class ProjectTextForm(forms.ModelForm[FundProject]):
    class Meta:
        model = FundProject
        fields = ["basis", "overview", "content", "plan", "results"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}


class LineForm(forms.Form):
    prefix = "line"
    classification = forms.ChoiceField(
        label=_("Economic classification"), choices=Classification.choices
    )
    detail = forms.CharField(label=_("Detail"), max_length=100, required=False)
    amount = forms.DecimalField(
        label=_("Budget (yuan)"), min_value=0, max_digits=14, decimal_places=2
    )


class LineChoice(forms.ModelChoiceField[BudgetLine]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class SpendingForm(forms.Form):
    prefix = "spend"
    line = LineChoice(label=_("Budget line"), queryset=BudgetLine.objects.none())
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=0, max_digits=14, decimal_places=2
    )
    voucher = forms.CharField(label=_("Voucher number"), max_length=40)
    description = forms.CharField(label=_("Description"), max_length=300)
    attachment = forms.FileField(label=_("Attachment (PDF, JPG, PNG)"), required=False)

    def __init__(self, *args: Any, project: FundProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = project.lines.all()  # type: ignore[attr-defined]


class AdjustmentForm(forms.Form):
    prefix = "adjust"
    line = LineChoice(label=_("Line to receive more"), queryset=BudgetLine.objects.none())
    source_line = LineChoice(
        label=_("Taken from line (empty: added to the project's budget)"),
        queryset=BudgetLine.objects.none(),
        required=False,
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=0, max_digits=14, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, project: FundProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("line", "source_line"):
            self.fields[name].queryset = project.lines.all()  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class IndicatorForm(forms.Form):
    prefix = "ind"
    level2 = forms.ChoiceField(label=_("Indicator kind"), choices=Level2.choices)
    name = forms.CharField(label=_("Indicator"), max_length=120)
    operator = forms.ChoiceField(label=_("Operator"), choices=Operator.choices)
    target = forms.DecimalField(label=_("Target"), min_value=0, max_digits=14, decimal_places=2)
    unit = forms.CharField(label=_("Unit"), max_length=12)
    metric = forms.ChoiceField(label=_("Live metric"), choices=(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()  # type: ignore[attr-defined]


class IndicatorValueForm(forms.Form):
    value = forms.DecimalField(
        label=_("Actual value"), required=False, max_digits=14, decimal_places=2
    )
    evidence = forms.CharField(
        label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    evidence_file = forms.FileField(label=_("Evidence file (PDF, JPG, PNG)"), required=False)
    applicable = forms.BooleanField(label=_("Applies this year"), required=False, initial=True)
    deviation_note = forms.CharField(
        label=_("Reason for a deviation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
