"""Filtering and sorting of case lists: one form for the pages, the ledgers and exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinfang.org.models import Division, Unit

from .models import Case, Category, Channel, PetitionType, Status
from .queues import QUEUES
from .search import search

SORTS = {
    "due": ("due_on", "id"),
    "-received": ("-received_on", "-id"),
    "received": ("received_on", "id"),
    "number": ("number",),
    "status": ("status", "-received_on"),
}


def _metric_choices() -> list[tuple[str, Any]]:
    from xinfang.analytics.definitions import metric_choices

    return [("", _("All")), *metric_choices()]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search title and content"), required=False)
    queue = forms.ChoiceField(
        label=_("Queue"),
        required=False,
        choices=[("", _("All"))] + [(c, q.label) for c, q in QUEUES.items()],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )
    petition_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All")), *PetitionType.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all()
    )
    unit = forms.ModelChoiceField(
        label=_("Handling unit"), required=False, queryset=Unit.objects.all()
    )
    town = forms.ModelChoiceField(
        label=_("Town"), required=False, queryset=Division.objects.filter(level="township")
    )
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("Received until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-received", _("Newest first")),
            ("received", _("Oldest first")),
            ("due", _("Due date")),
            ("number", _("Case number")),
            ("status", _("Status")),
        ],
    )

    # --- Analytics drill-down (xinfang.analytics): the cases behind one dashboard number,
    # i.e. an indicator's counter for a period (definitions.DRILL_METRICS). ---
    metric = forms.ChoiceField(label=_("Indicator"), required=False, choices=_metric_choices)
    metric_from = forms.DateField(
        label=_("Indicator period from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    metric_to = forms.DateField(
        label=_("Indicator period until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def apply(self, qs: QuerySet[Case], *, today: date) -> QuerySet[Case]:
        if not self.is_valid():
            return qs.none()
        d: dict[str, Any] = self.cleaned_data
        if d["queue"]:
            qs = qs.filter(QUEUES[d["queue"]].condition(today))
        for field in ("status", "channel", "petition_type", "category", "unit"):
            if d[field]:
                qs = qs.filter(**{"handling_unit" if field == "unit" else field: d[field]})
        if d["town"]:
            qs = qs.filter(division__code__startswith=d["town"].code)
        if d["received_from"]:
            qs = qs.filter(received_on__gte=d["received_from"])
        if d["received_to"]:
            qs = qs.filter(received_on__lte=d["received_to"])
        if d["overdue"]:
            qs = qs.filter(QUEUES["overdue"].condition(today))
        if d["q"]:
            qs = search(qs, d["q"])
        if d["metric"]:
            from xinfang.analytics.definitions import drilldown_condition

            qs = qs.filter(
                drilldown_condition(
                    d["metric"], start=d["metric_from"], end=d["metric_to"], today=today
                )
            )
        return qs.order_by(*SORTS.get(d["sort"] or "-received", SORTS["-received"]))
