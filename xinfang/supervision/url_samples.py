"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py).

The item, the backlog entry and the answered case all belong to 住建局 (the demo handler's
unit): handler and unithead see them, handler2 (人社局) gets 404, the bureau's supervisors,
inspectors and leaders see everything.
"""

from __future__ import annotations

from typing import Any


def _case(users: dict[str, Any]) -> Any:
    from xinfang.cases.url_samples import sample_case

    return sample_case(users)


def sample_item(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from .models import SupervisionItem
    from .services import item_open

    item = SupervisionItem.objects.order_by("pk").first()
    if item is None:
        case = _case(users)
        item = item_open(
            actor=users["supervisor"],
            kind="order",
            title="演示：督办楼顶漏水",
            text="请于反馈日期前报告办理进展。",
            unit=case.handling_unit,
            due_on=timezone.localdate(),
            case=case,
        )
    return item


def sample_rule(users: dict[str, Any]) -> Any:
    from .models import EscalationRule
    from .services import ensure_default_rules

    ensure_default_rules()
    return EscalationRule.objects.order_by("pk").first()


def sample_meeting(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from xinfang.org.models import Unit

    from .complex import meeting_record
    from .models import CoordinationMeeting

    meeting = CoordinationMeeting.objects.order_by("pk").first()
    if meeting is None:
        meeting = meeting_record(
            actor=users["supervisor"],
            case=_case(users),
            held_on=timezone.localdate(),
            chair="陈督办",
            units=Unit.objects.filter(code__in=["zjj", "rsj"]),
            topics="演示：维修责任划分",
            decisions="住建局牵头，人社局配合。",
        )
    return meeting


def sample_backlog(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from .complex import backlog_assign
    from .models import BacklogEntry

    entry = BacklogEntry.objects.order_by("pk").first()
    if entry is None:
        entry = BacklogEntry.objects.create(
            case=_case(users), long_open=True, enrolled_on=timezone.localdate()
        )
        entry = backlog_assign(actor=users["supervisor"], entry=entry, owner=users["unithead"])
    return entry


def sample_visit(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from xinfang.org.models import Unit

    from .models import FieldInspection
    from .visits import visit_plan

    visit = FieldInspection.objects.order_by("pk").first()
    if visit is None:
        visit = visit_plan(
            actor=users["supervisor"],
            unit=Unit.objects.get(code="gov-530423101"),
            planned_on=timezone.localdate(),
            purpose="演示：信访工作督查",
            plan="查阅台账，走访群众。",
            team="陈督办",
        )
    return visit


def _answered_case(users: dict[str, Any]) -> Any:
    from xinfang.cases.models import Case, Status
    from xinfang.cases.services import case_accept, case_reply, case_route
    from xinfang.cases.tests.factories import register
    from xinfang.org.models import Unit

    _case(users)  # the cases app's own sample stays the first case
    case = Case.objects.filter(status=Status.REPLIED).order_by("pk").first()
    if case is None:
        case = case_route(
            actor=users["clerk"],
            case=register(users, title="演示：路灯不亮"),
            unit=Unit.objects.get(code="zjj"),
        )
        case = case_accept(actor=users["handler"], case=case)
        case = case_reply(
            actor=users["handler"],
            case=case,
            outcome="supported",
            text="经核实，已安排维修，三日内完成。",
        )
    return case


def sample_inspection(users: dict[str, Any]) -> Any:
    from .models import QualityInspection
    from .quality import quality_select

    inspection = QualityInspection.objects.order_by("pk").first()
    if inspection is None:
        inspection = quality_select(actor=users["inspector"], case=_answered_case(users))
    return inspection


def sample_follow_up(users: dict[str, Any]) -> Any:
    from django.utils import timezone

    from xinfang.cases.services import case_evaluate

    from .followups import follow_ups_open
    from .models import FollowUp

    follow_up = FollowUp.objects.order_by("pk").first()
    if follow_up is None:
        case = _answered_case(users)
        case_evaluate(actor=users["clerk"], case=case, rating="unsatisfied", comment="演示")
        follow_ups_open(today=timezone.localdate())
        follow_up = FollowUp.objects.get(case=case)
    return follow_up


def _item_visible(user: Any, users: dict[str, Any]) -> bool:
    from .selectors import items_visible_to

    return items_visible_to(user).filter(pk=sample_item(users).pk).exists()


def _backlog_visible(user: Any, users: dict[str, Any]) -> bool:
    from .selectors import backlog_visible_to

    return backlog_visible_to(user).filter(pk=sample_backlog(users).pk).exists()


def _case_visible(user: Any, users: dict[str, Any]) -> bool:
    from xinfang.cases.selectors import cases_visible_to

    return cases_visible_to(user).filter(pk=_case(users).pk).exists()


URL_KWARGS = {
    "supervision:item_create": lambda users: {"kind": "order"},
    "supervision:item": lambda users: {"pk": sample_item(users).pk},
    "supervision:item_act": lambda users: {"pk": sample_item(users).pk, "action": "answer"},
    "supervision:rule_edit": lambda users: {"pk": sample_rule(users).pk},
    "supervision:joint_set": lambda users: {"case_pk": _case(users).pk},
    "supervision:meeting_create": lambda users: {"case_pk": _case(users).pk},
    "supervision:meeting": lambda users: {"pk": sample_meeting(users).pk},
    "supervision:backlog_entry": lambda users: {"pk": sample_backlog(users).pk},
    "supervision:backlog_act": lambda users: {"pk": sample_backlog(users).pk, "action": "note"},
    "supervision:visit": lambda users: {"pk": sample_visit(users).pk},
    "supervision:visit_act": lambda users: {"pk": sample_visit(users).pk, "action": "visit"},
    "supervision:quality_inspect": lambda users: {"pk": sample_inspection(users).pk},
    "supervision:follow_up": lambda users: {"pk": sample_follow_up(users).pk},
}
OBJECT_URLS = {
    "supervision:item",
    "supervision:item_act",
    "supervision:backlog_entry",
    "supervision:backlog_act",
    "supervision:joint_set",
    "supervision:meeting_create",
}
POST_ONLY = {
    "supervision:item_act",
    "supervision:backlog_act",
    "supervision:visit_act",
    "supervision:quality_select",
    "supervision:quality_draw",
}
VISIBLE = {
    "supervision:item": _item_visible,
    "supervision:item_act": _item_visible,
    "supervision:backlog_entry": _backlog_visible,
    "supervision:backlog_act": _backlog_visible,
    "supervision:joint_set": _case_visible,
    "supervision:meeting_create": _case_visible,
}
