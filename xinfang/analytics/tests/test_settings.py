"""Targets and ranking weights are configurable by an administrator (audited) and change
what the pages show; the rollup command checks and rebuilds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from conftest import verified_login
from xinfang.analytics import services
from xinfang.analytics.models import IndicatorSetting
from xinfang.analytics.selectors import indicator_settings, indicator_values, score
from xinfang.audit.models import AuditRecord
from xinfang.core.errors import DomainError, PermissionDeniedError

from .scenario import build

pytestmark = pytest.mark.django_db


def test_defaults_are_the_2022_targets(db):
    settings = indicator_settings()
    assert settings["timely_acceptance"].target == Decimal(95)
    assert settings["satisfaction"].target == Decimal(90)
    assert settings["closure"].target == Decimal(80)
    assert settings["quality_pass"].target == Decimal(90)
    assert settings["petitions_accepted"].target == Decimal(100)
    assert settings["hotline_cases"].target == Decimal(600)
    assert settings["policy_suggestions"].target == Decimal(10)


def test_an_administrator_changes_a_target_and_a_weight(users, client):
    verified_login(client, users["admin"])
    response = client.get("/analytics/settings/")
    assert response.status_code == 200
    data = {}
    for code, setting in indicator_settings().items():
        data[f"{code}__target"] = "" if setting.target is None else str(setting.target)
        data[f"{code}__weight"] = str(setting.weight)
    data["timely_acceptance__target"] = "98"
    data["repeat_rate__weight"] = "5"
    response = client.post("/analytics/settings/", data)
    assert response.status_code == 302
    settings = indicator_settings()
    assert settings["timely_acceptance"].target == Decimal(98)
    assert settings["repeat_rate"].weight == Decimal(5)
    assert IndicatorSetting.objects.count() == 2  # only what changed
    assert AuditRecord.objects.filter(action="analytics.setting.update").count() == 2


def test_settings_are_refused_to_others_and_checked(users):
    with pytest.raises(PermissionDeniedError):
        services.indicator_setting_update(
            actor=users["leader"], code="closure", target=Decimal(70), weight=Decimal(10)
        )
    with pytest.raises(DomainError):
        services.indicator_setting_update(
            actor=users["admin"], code="closure", target=Decimal(170), weight=Decimal(10)
        )


def test_weights_decide_the_ranking_score(users):
    world = build(users)
    assert world.cases
    from datetime import date

    from xinfang.analytics.engine import direct_counters
    from xinfang.analytics.periods import Period
    from xinfang.cases.models import Case

    counts = direct_counters(
        Case.objects.all(),
        period=Period.parse("2026-03", today=date(2026, 7, 31)),
        today=date(2026, 7, 31),
    )[None]
    settings = indicator_settings()
    values = indicator_values(counts, settings=settings, quality=None)
    # Timely acceptance 66.7 of target 95 (weight 30) and closure 75 of 80 (weight 15); the
    # others have no data in March and drop out: 100 * (30*66.7/95 + 15*75/80) / 45.
    total, parts = score(values, settings)
    assert parts == {"timely_acceptance": Decimal("21.06"), "closure": Decimal("14.06")}
    assert total == Decimal("78.0")


def test_the_rollup_command(users, capsys):
    build(users)
    call_command("analytics_rollup", "--check", "--compact", "--rebuild")
    out = capsys.readouterr().out
    assert "rollup exact" in out
    assert "rebuilt" in out
