"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py):
a dispute of 杨广镇, reported by the town's staff, mediated and settled by agreement; and a
campaign of the mediation centre."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

SAMPLE_TITLE = "演示：宅基地界址纠纷"


def sample_dispute(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from xinfang.org.models import Division, Unit, User

    from .demo import seed_demo_dispute_users
    from .models import Dispute, Party
    from .services import PartyData, agreement_sign, dispute_report, meeting_record

    dispute = Dispute.objects.filter(title=SAMPLE_TITLE).first()
    if dispute is not None:
        return dispute
    seed_demo_dispute_users()
    town_staff = User.objects.get(username="yangguang")
    today = timezone.localdate()
    dispute = dispute_report(
        actor=town_staff,
        title=SAMPLE_TITLE,
        summary="两户村民因宅基地界址发生争执。",
        dispute_type="neighbour_family",
        division=Division.objects.get(code="530423101201"),
        responsible_unit=Unit.objects.get(code="gov-530423101"),
        responsible_leader="杨广镇分管副镇长",
        found_on=today - timedelta(days=3),
        parties=[
            PartyData(side=Party.Side.APPLICANT, name="甲某", phone="13800002222"),
            PartyData(side=Party.Side.RESPONDENT, name="乙某"),
        ],
    )
    meeting_record(
        actor=town_staff,
        dispute=dispute,
        held_on=today,
        mediators="杨广镇人民调解委员会 调解员",
        content="双方陈述，现场查看界址。",
        result="agreed",
    )
    agreement_sign(
        actor=town_staff,
        dispute=dispute,
        committee="杨广镇人民调解委员会",
        facts="宅基地界址争议。",
        terms="以村委会测量结果为界。\n双方互不追究。",
        performance="十日内共同设立界桩。",
        perform_by=today + timedelta(days=10),
        mediators="调解员",
    )
    return Dispute.objects.get(pk=dispute.pk)


def sample_campaign(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from xinfang.org.models import Unit, User

    from .campaigns import campaign_create
    from .demo import seed_demo_dispute_users
    from .models import Campaign

    campaign = Campaign.objects.order_by("pk").first()
    if campaign is not None:
        return campaign
    seed_demo_dispute_users()
    today = timezone.localdate()
    return campaign_create(
        actor=User.objects.get(username="mediator"),
        title="演示：欠薪问题专项行动",
        starts_on=today,
        ends_on=today + timedelta(days=60),
        lead_unit=Unit.objects.get(code="rsj"),
    )


def _visible(user: Any, users: dict[str, Any]) -> bool:
    from .selectors import disputes_visible_to

    return disputes_visible_to(user).filter(pk=sample_dispute(users).pk).exists()


URL_KWARGS = {
    "disputes:detail": lambda users: {"pk": sample_dispute(users).pk},
    "disputes:act": lambda users: {"pk": sample_dispute(users).pk, "action": "meeting"},
    "disputes:agreement": lambda users: {"pk": sample_dispute(users).pk},
    "disputes:campaign": lambda users: {"pk": sample_campaign(users).pk},
    "disputes:campaign_act": lambda users: {"pk": sample_campaign(users).pk, "action": "target"},
    "disputes:campaign_export": lambda users: {"pk": sample_campaign(users).pk},
}
OBJECT_URLS = {"disputes:detail", "disputes:act", "disputes:agreement"}
POST_ONLY = {"disputes:act", "disputes:campaign_create", "disputes:campaign_act"}
VISIBLE = {name: _visible for name in OBJECT_URLS}
