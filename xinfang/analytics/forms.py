"""Forms of the analytics pages: the period and filters of a dashboard, warning actions,
report requests, indicator settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Category, Channel
from xinfang.org.models import Division, Unit, User

from .definitions import INDICATORS, VOLUME_TARGETS
from .models import ReportKind
from .periods import Filters, Period, add_months


def period_choices(today: date) -> list[tuple[str, str]]:
    """This year and last, their quarters, and the last 18 months."""
    choices: list[tuple[str, str]] = []
    for year in (today.year, today.year - 1):
        p = Period.year(year)
        choices.append((p.code, p.label))
    for year in (today.year, today.year - 1):
        for q in range(4, 0, -1):
            p = Period.quarter(year, q)
            if p.start <= today:
                choices.append((p.code, p.label))
    for back in range(18):
        m = add_months(today.replace(day=1), -back)
        p = Period.month(m.year, m.month)
        choices.append((p.code, p.label))
    return choices


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Handling unit"), required=False, queryset=Unit.objects.filter(is_active=True)
    )
    town = forms.ModelChoiceField(
        label=_("Town"),
        required=False,
        queryset=Division.objects.filter(level=Division.Level.TOWNSHIP),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all()
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )

    def __init__(self, *args: Any, today: date, with_unit: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        choices = period_choices(today)
        current = self.data.get("period") if self.is_bound else None
        if current and current not in dict(choices):
            parsed = Period.parse(current, today=today)
            choices.insert(0, (parsed.code, parsed.label))
        cast(forms.ChoiceField, self.fields["period"]).choices = choices
        if not with_unit:
            del self.fields["unit"]

    def selection(self) -> tuple[Period, Filters]:
        if not self.is_bound or not self.is_valid():
            return Period.year(self.today.year), Filters()
        d = self.cleaned_data
        unit = d.get("unit")
        return Period.parse(d["period"], today=self.today), Filters(
            unit_id=unit.pk if unit else None,
            town=d["town"].code if d["town"] else "",
            category_id=d["category"].pk if d["category"] else None,
            channel=d["channel"] or "",
        )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xinfang.org.models import Role

        cast(
            "forms.ModelChoiceField[User]", self.fields["assignee"]
        ).queryset = User.objects.filter(
            is_active=True,
            role__in=[Role.SUPERVISOR, Role.LEADER, Role.ANALYST, Role.UNIT_HEAD],
        ).select_related("unit")


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12, required=False)
    suggestions = forms.CharField(
        label=_("Suggestions recorded"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The analysis and suggestions of the bureau, printed in the report."),
    )


class SettingsForm(forms.Form):
    """One target and one weight per indicator and volume target."""

    def __init__(self, *args: Any, current: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, ind in INDICATORS.items():
            setting = current[code]
            self.fields[f"{code}__target"] = forms.DecimalField(
                label=f"{ind.label} ({ind.term})",
                required=False,
                min_value=Decimal(0),
                max_digits=8,
                decimal_places=2,
                initial=setting.target,
            )
            self.fields[f"{code}__weight"] = forms.DecimalField(
                label=_("weight"),
                min_value=Decimal(0),
                max_digits=6,
                decimal_places=2,
                initial=setting.weight,
            )
        for code, vol in VOLUME_TARGETS.items():
            self.fields[f"{code}__target"] = forms.DecimalField(
                label=f"{vol.label} ({_('per year')})",
                required=False,
                min_value=Decimal(0),
                max_digits=8,
                decimal_places=0,
                initial=current[code].target,
            )

    def rows(self) -> list[tuple[str, Any, Any]]:
        out = []
        for code in [*INDICATORS, *VOLUME_TARGETS]:
            weight = self[f"{code}__weight"] if f"{code}__weight" in self.fields else None
            out.append((code, self[f"{code}__target"], weight))
        return out
