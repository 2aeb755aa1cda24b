"""The escalation ladder's calendar and its default rules.

Rung dates are counted in working days on the calendar of xinfang.cases.deadlines (Chinese
public holidays and make-up working days from the chinese_calendar package): a rung at
offset -2 fires on the second working day before the due date, one at +3 on the third working
day after it, one at 0 on the due date itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from xinfang.cases.deadlines import add_working_days, is_working_day

from .models import Recipient, RuleSubject, Step

# Longest offset a rule may have, either side (a guard against typing 300 for 3).
MAX_OFFSET_DAYS = 60


def working_days_before(d: date, n: int) -> date:
    """The n-th working day before ``d`` (``d`` itself is not counted); n=0 is ``d``."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    counted = 0
    while counted < n:
        d -= timedelta(days=1)
        if is_working_day(d):
            counted += 1
    return d


def fire_date(*, due: date, offset_days: int) -> date:
    """The day a rung at ``offset_days`` working days from ``due`` fires."""
    if offset_days >= 0:
        return add_working_days(due, offset_days)
    return working_days_before(due, -offset_days)


@dataclass(frozen=True)
class DefaultRule:
    code: str
    name: object  # lazy translation
    subject: str
    step: str
    offset_days: int
    recipients: list[str] = field(default_factory=list)
    feedback_days: int = 5


# Seeded when the table is empty (services.ensure_default_rules). Local practice, our choice:
# the bureau's usual ladder is reminder before the date, a warning the day after it, then the
# unit head, then the leader (DOMAIN.md §4 names the rungs, not the days).
DEFAULT_RULES: list[DefaultRule] = [
    DefaultRule(
        "item-reminder",
        _("Reminder 2 working days before the answer is due"),
        RuleSubject.ITEM,
        Step.REMINDER,
        -2,
        [Recipient.UNIT_STAFF],
    ),
    DefaultRule(
        "item-warning",
        _("Warning notice 1 working day after the due date"),
        RuleSubject.ITEM,
        Step.WARNING,
        1,
        [Recipient.UNIT_STAFF, Recipient.UNIT_HEAD, Recipient.OPENER],
    ),
    DefaultRule(
        "item-unit-head",
        _("Escalation to the unit head 3 working days after the due date"),
        RuleSubject.ITEM,
        Step.UNIT_HEAD,
        3,
        [Recipient.UNIT_HEAD, Recipient.SUPERVISORS],
    ),
    DefaultRule(
        "item-leader",
        _("Escalation to the leader 5 working days after the due date"),
        RuleSubject.ITEM,
        Step.LEADER,
        5,
        [Recipient.LEADER, Recipient.UNIT_HEAD, Recipient.SUPERVISORS],
    ),
    DefaultRule(
        "case-overdue-order",
        _("Supervision order on a case 3 working days overdue"),
        RuleSubject.CASE,
        Step.OPEN_ORDER,
        3,
        [Recipient.UNIT_STAFF, Recipient.UNIT_HEAD, Recipient.SUPERVISORS],
        5,
    ),
]
