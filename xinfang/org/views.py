from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.core.access import AUTHENTICATED, requires

from .models import Division, Unit


@requires(AUTHENTICATED)
def unit_list(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.select_related("parent", "division").annotate(staff_count=Count("staff"))
    return render(request, "org/unit_list.html", {"units": units})


@requires(AUTHENTICATED)
def division_list(request: HttpRequest) -> HttpResponse:
    divisions = Division.objects.select_related("parent").filter(
        level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP, Division.Level.VILLAGE]
    )
    return render(request, "org/division_list.html", {"divisions": divisions})
