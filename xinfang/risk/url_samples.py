"""Sample objects for the URL x role access matrix: an assessment of the mediation centre with
its report, a zero-report period, and a policy suggestion sent to 住建局 (the demo handler's
unit, so handler sees it and handler2 does not)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any


def _mediator() -> Any:
    from xinfang.disputes.demo import seed_demo_dispute_users
    from xinfang.org.models import User

    seed_demo_dispute_users()
    return User.objects.get(username="mediator")


def sample_assessment(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from xinfang.org.models import Division, Unit

    from . import services
    from .models import RiskAssessment

    a = RiskAssessment.objects.order_by("pk").first()
    if a is not None:
        return a
    mediator = _mediator()
    a = services.assessment_create(
        actor=mediator,
        title="演示：城区农贸市场搬迁",
        kind="project",
        description="农贸市场整体搬迁至新址。",
        division=Division.objects.get(code="530423001"),
        proposing_unit=Unit.objects.get(code="swj"),
        plan="走访商户，召开座谈会。",
    )
    services.consultation_start(actor=mediator, assessment=a)
    services.opinion_add(
        actor=mediator,
        assessment=a,
        method="forum",
        held_on=timezone.localdate(),
        support=40,
        objection=8,
        strong_opposition=2,
        summary="多数商户支持，少数担心租金上涨。",
    )
    services.analysis_start(actor=mediator, assessment=a)
    services.risk_add(
        actor=mediator, assessment=a, aspect="reasonableness", description="租金上涨", level="low"
    )
    services.assessment_grade(actor=mediator, assessment=a, level="low", mitigation="")
    services.report_issue(actor=mediator, assessment=a)
    return RiskAssessment.objects.get(pk=a.pk)


def sample_report(users: dict[str, Any]) -> Any:
    return sample_assessment(users).documents.order_by("pk").first()


def sample_period(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from xinfang.org.models import Unit

    from .models import ZeroReportPeriod
    from .zero import period_declare

    period = ZeroReportPeriod.objects.order_by("pk").first()
    if period is not None:
        return period
    today = timezone.localdate()
    return period_declare(
        actor=_mediator(),
        title="演示：重要会议期间零报告",
        starts_on=today,
        ends_on=today + timedelta(days=5),
        units=Unit.objects.filter(code__in=["zjj", "gov-530423101"]),
    )


def sample_suggestion(users: dict[str, Any]) -> Any:
    from xinfang.disputes.url_samples import sample_dispute
    from xinfang.org.models import Unit

    from .models import PolicySuggestion
    from .suggestions import suggestion_draft, suggestion_send

    s = PolicySuggestion.objects.order_by("pk").first()
    if s is not None:
        return s
    dispute = sample_dispute(users)
    s = suggestion_draft(
        actor=_mediator(),
        title="演示：规范农村宅基地界址测量",
        problem="宅基地界址纠纷多因界址不清。",
        suggestion="建议统一开展界址测量并公示。",
        to_unit=Unit.objects.get(code="zjj"),
        dispute_numbers=[dispute.number],
    )
    return suggestion_send(actor=_mediator(), suggestion=s)


def _visible_assessment(user: Any, users: dict[str, Any]) -> bool:
    from .selectors import assessments_visible_to

    return assessments_visible_to(user).filter(pk=sample_assessment(users).pk).exists()


def _visible_suggestion(user: Any, users: dict[str, Any]) -> bool:
    from .selectors import suggestions_visible_to

    return suggestions_visible_to(user).filter(pk=sample_suggestion(users).pk).exists()


URL_KWARGS = {
    "risk:assessment": lambda users: {"pk": sample_assessment(users).pk},
    "risk:assessment_act": lambda users: {"pk": sample_assessment(users).pk, "step": "decide"},
    "risk:assessment_document": lambda users: {
        "pk": sample_assessment(users).pk,
        "doc_pk": sample_report(users).pk,
    },
    "risk:zero_period": lambda users: {"pk": sample_period(users).pk},
    "risk:zero_submit": lambda users: {"pk": sample_period(users).pk},
    "risk:zero_cancel": lambda users: {"pk": sample_period(users).pk},
    "risk:zero_export": lambda users: {"pk": sample_period(users).pk},
    "risk:suggestion": lambda users: {"pk": sample_suggestion(users).pk},
    "risk:suggestion_act": lambda users: {"pk": sample_suggestion(users).pk, "action": "respond"},
}
OBJECT_URLS = {
    "risk:assessment",
    "risk:assessment_act",
    "risk:assessment_document",
    "risk:suggestion",
    "risk:suggestion_act",
}
POST_ONLY = {
    "risk:assessment_act",
    "risk:zero_declare",
    "risk:zero_submit",
    "risk:zero_cancel",
    "risk:note_create",
    "risk:suggestion_act",
}
VISIBLE = {
    "risk:assessment": _visible_assessment,
    "risk:assessment_act": _visible_assessment,
    "risk:assessment_document": _visible_assessment,
    "risk:suggestion": _visible_suggestion,
    "risk:suggestion_act": _visible_suggestion,
}
