from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
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


@requires(AUTHENTICATED)
def division_tree(request: HttpRequest) -> JsonResponse:
    """County, towns and villages for the division picker (one small JSON document)."""
    divisions = Division.objects.filter(
        level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP, Division.Level.VILLAGE]
    ).values("id", "code", "name", "level", "parent_id")
    return JsonResponse(
        {
            "divisions": [
                {
                    "id": d["id"],
                    "code": d["code"],
                    "name": d["name"],
                    "level": d["level"],
                    "parent": d["parent_id"],
                }
                for d in divisions
            ]
        }
    )
