"""Leaders' instructions, assigned matters and supervision orders: open, answer, check."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.cases.models import PetitionType
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.org.models import Unit
from xinfang.supervision.models import EscalationRule, ItemKind, ItemStatus, Priority
from xinfang.supervision.rules import DEFAULT_RULES
from xinfang.supervision.selectors import items_visible_to, leader_items, unit_queue
from xinfang.supervision.services import (
    ensure_default_rules,
    item_accept,
    item_answer,
    item_cancel,
    item_open,
    item_send_back,
    rule_save,
)

from .factories import routed

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def open_item(users, unit, **kw):
    params = {
        "actor": users["supervisor"],
        "kind": ItemKind.ORDER,
        "title": "督办事项",
        "text": "请按期反馈办理情况。",
        "unit": unit,
        "due_on": date(2026, 3, 13),
        "today": TODAY,
    }
    params.update(kw)
    return item_open(**params)


def test_a_leaders_instruction_records_leader_unit_and_date_and_tells_the_unit(users, zjj):
    item = item_open(
        actor=users["leader"],
        kind=ItemKind.INSTRUCTION,
        title="县长批示：老旧小区漏水问题",
        text="请住建局牵头，两周内拿出方案。",
        unit=zjj,
        due_on=date(2026, 3, 16),
        priority=Priority.URGENT,
        today=TODAY,
    )
    assert item.number.startswith("PS-2026-")
    assert (item.leader, item.opened_by, item.unit, item.status) == (
        users["leader"],
        users["leader"],
        zjj,
        ItemStatus.OPEN,
    )
    told = set(
        Notification.objects.filter(kind="supervision.opened").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"handler", "unithead"}
    record = AuditRecord.objects.get(action="supervision.item.open")
    assert record.after["leader"] == "leader"
    assert record.after["unit"] == "zjj"


def test_a_supervisor_records_an_assigned_matter_for_a_named_leader(users, zjj):
    with pytest.raises(DomainError) as exc:
        open_item(users, zjj, kind=ItemKind.ASSIGNMENT)
    assert exc.value.field == "leader"
    with pytest.raises(DomainError):
        open_item(users, zjj, kind=ItemKind.ASSIGNMENT, leader=users["supervisor"])
    item = open_item(users, zjj, kind=ItemKind.ASSIGNMENT, leader=users["leader"])
    assert item.leader == users["leader"]
    assert item.opened_by == users["supervisor"]


@pytest.mark.parametrize("who", ["handler", "clerk", "inspector", "analyst", "admin"])
def test_only_supervisors_and_leaders_open_items(users, zjj, who):
    with pytest.raises(PermissionDeniedError):
        open_item(users, zjj, actor=users[who])


def test_refused_input_changes_nothing(users, zjj):
    for kw, field in [
        ({"title": " "}, "title"),
        ({"text": ""}, "text"),
        ({"due_on": date(2026, 3, 1)}, "due_on"),
        ({"priority": "whenever"}, "priority"),
    ]:
        with pytest.raises(DomainError) as exc:
            open_item(users, zjj, **kw)
        assert exc.value.field == field
    assert not AuditRecord.objects.filter(action__startswith="supervision.").exists()


def test_an_order_on_an_accusation_never_goes_to_the_accused_unit(users, zjj):
    case = routed(
        users,
        unit="rsj",
        petition_type=PetitionType.ACCUSATION,
        accused_units=[zjj],
    )
    with pytest.raises(DomainError) as exc:
        open_item(users, zjj, case=case)
    assert exc.value.code == "accused_unit"
    assert open_item(users, Unit.objects.get(code="rsj"), case=case).case == case


def test_only_the_receiving_unit_answers_and_the_bureau_checks(users, zjj):
    item = open_item(users, zjj)
    for who in ["handler2", "supervisor"]:
        with pytest.raises(PermissionDeniedError):
            item_answer(actor=users[who], item=item, answer="已办理完毕。")
    with pytest.raises(DomainError) as exc:
        item_answer(actor=users["handler"], item=item, answer="好")
    assert exc.value.field == "answer"
    with pytest.raises(DomainError):
        item_accept(actor=users["supervisor"], item=item)  # not answered yet
    item = item_answer(
        actor=users["handler"], item=item, answer="已维修完毕并回访。", today=date(2026, 3, 10)
    )
    assert (item.status, item.answered_by, item.answered_on) == (
        ItemStatus.ANSWERED,
        users["handler"],
        date(2026, 3, 10),
    )
    assert Notification.objects.filter(
        user=users["supervisor"], kind="supervision.answered"
    ).exists()
    with pytest.raises(PermissionDeniedError):
        item_accept(actor=users["handler"], item=item)
    item = item_accept(
        actor=users["supervisor"], item=item, note="同意办结", today=date(2026, 3, 11)
    )
    assert (item.status, item.done_on) == (ItemStatus.DONE, date(2026, 3, 11))
    assert [e.action for e in item.events.all()] == ["open", "answer", "accept"]
    actions = list(
        AuditRecord.objects.filter(
            object_id=str(item.pk), object_type="supervision.supervisionitem"
        )
        .order_by("pk")
        .values_list("action", "after")
    )
    assert [a for a, _ in actions] == [
        "supervision.item.open",
        "supervision.item.answer",
        "supervision.item.accept",
    ]
    assert actions[2][1]["status"] == "done"


def test_send_back_and_cancel(users, zjj):
    item = open_item(users, zjj)
    item = item_answer(
        actor=users["handler"], item=item, answer="正在处理。", today=date(2026, 3, 5)
    )
    with pytest.raises(DomainError):
        item_send_back(actor=users["supervisor"], item=item, reason="")
    with pytest.raises(ConflictError):
        item_send_back(actor=users["supervisor"], item=item, reason="x", expected_version=1)
    item = item_send_back(
        actor=users["supervisor"],
        item=item,
        reason="请说明完成时间。",
        due_on=date(2026, 3, 20),
        today=date(2026, 3, 6),
    )
    assert (item.status, item.due_on) == (ItemStatus.OPEN, date(2026, 3, 20))
    item = item_cancel(actor=users["supervisor"], item=item, reason="已并入其他督办单")
    assert item.status == ItemStatus.CANCELLED
    with pytest.raises(DomainError):
        item_answer(actor=users["handler"], item=item, answer="已办理完毕。")


def test_units_see_only_their_own_items(users, zjj, rsj):
    mine = open_item(users, zjj)
    theirs = open_item(users, rsj)
    assert set(items_visible_to(users["handler"])) == {mine}
    assert set(items_visible_to(users["unithead"])) == {mine}
    assert set(items_visible_to(users["handler2"])) == {theirs}
    for who in ["supervisor", "leader", "inspector"]:
        assert set(items_visible_to(users[who])) == {mine, theirs}
    for who in ["clerk", "analyst", "admin"]:
        assert not items_visible_to(users[who]).exists()


def test_the_unit_queue_puts_priority_first(users, zjj):
    normal = open_item(users, zjj, due_on=date(2026, 3, 5))
    urgent = open_item(users, zjj, priority=Priority.URGENT, due_on=date(2026, 3, 20))
    high_late = open_item(users, zjj, priority=Priority.HIGH, due_on=date(2026, 3, 30))
    high_soon = open_item(users, zjj, priority=Priority.HIGH, due_on=date(2026, 3, 10))
    assert list(unit_queue(users["handler"])) == [urgent, high_soon, high_late, normal]
    item_answer(actor=users["handler"], item=urgent, answer="已全部办理完毕。")
    assert urgent not in unit_queue(users["handler"])


def test_the_leader_sees_their_instructions_until_done(users, zjj):
    instruction = open_item(users, zjj, actor=users["leader"], kind=ItemKind.INSTRUCTION)
    order = open_item(users, zjj)
    assert list(leader_items(users["leader"])) == [instruction]
    assert list(leader_items(users["supervisor"])) == [instruction]
    instruction = item_answer(actor=users["handler"], item=instruction, answer="已拿出整改方案。")
    assert list(leader_items(users["leader"])) == [instruction]  # answered is not done
    # Something escalated to the leaders shows up too.
    type(order).objects.filter(pk=order.pk).update(escalation_level=4)
    assert set(leader_items(users["leader"])) == {instruction, order}
    item_accept(actor=users["leader"], item=instruction)
    assert list(leader_items(users["leader"])) == [order]


def test_default_rules_are_seeded_once_and_administrators_edit_them(users):
    assert ensure_default_rules() == len(DEFAULT_RULES)
    assert ensure_default_rules() == 0
    rule = EscalationRule.objects.get(code="item-warning")
    with pytest.raises(PermissionDeniedError):
        rule_save(
            actor=users["supervisor"],
            rule=rule,
            name="x",
            subject="item",
            kind="",
            step="warning",
            offset_days=2,
            recipients=["unit_head"],
        )
    for kw, field in [
        ({"offset_days": 99}, "offset_days"),
        ({"recipients": []}, "recipients"),
        ({"recipients": ["mayor"]}, "recipients"),
        ({"step": "open_order"}, "step"),
        ({"subject": "case", "kind": "order"}, "kind"),
    ]:
        params = {
            "name": "超期预警",
            "subject": "item",
            "kind": "",
            "step": "warning",
            "offset_days": 2,
            "recipients": ["unit_head"],
        } | kw
        with pytest.raises(DomainError) as exc:
            rule_save(actor=users["admin"], rule=rule, **params)
        assert exc.value.field == field
    rule_save(
        actor=users["admin"],
        rule=rule,
        name="超期2个工作日预警",
        subject="item",
        kind="",
        step="warning",
        offset_days=2,
        recipients=["unit_head", "leader"],
    )
    rule.refresh_from_db()
    assert (rule.offset_days, rule.recipients, rule.updated_by) == (
        2,
        ["unit_head", "leader"],
        users["admin"],
    )
    change = AuditRecord.objects.get(action="supervision.rule.change")
    assert change.before["offset_days"] == 1
    assert change.before["recipients"] == ["unit_staff", "unit_head", "opener"]
    assert change.after["offset_days"] == 2
    assert AuditRecord.objects.filter(action="supervision.rule.seed").count() == len(DEFAULT_RULES)
