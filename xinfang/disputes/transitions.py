"""The dispute state machine: one map of allowed moves (drawn in docs/disputes.md).

```
 report ─► REPORTED ─ meeting ─► MEDIATING ─ agreement ─► AGREED ─ fulfil ─► FULFILLED
              │                     │  ▲ meeting            │
              ├── resolve ──────────┴──┴──► RESOLVED        │
              └── refer ────────────┴───────────────────────┴──► REFERRED
                                    (litigation / arbitration / petition / authority)
```
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.core.errors import DomainError

from .models import Status


class Action(StrEnum):
    MEETING = "meeting"  # 调解记录 (first meeting starts the mediation)
    AGREEMENT = "agreement"  # 签订人民调解协议书
    CONFIRMATION = "confirmation"  # 申请司法确认 (no state change, 30-day window)
    FULFIL = "fulfil"  # 协议履行
    RESOLVE = "resolve"  # 化解 without a written agreement
    REFER = "refer"  # 转诉讼/仲裁/信访
    UPDATE = "update"  # risk level, deadline, responsibility (no state change)
    PARTY = "party"  # add a party (no state change)
    LINK_CASE = "link_case"  # 关联信访事项 (no state change)


S = Status
OPEN = frozenset({S.REPORTED, S.MEDIATING})

TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.MEETING: (OPEN, S.MEDIATING),
    Action.AGREEMENT: (frozenset({S.MEDIATING}), S.AGREED),
    Action.CONFIRMATION: (frozenset({S.AGREED, S.FULFILLED}), None),
    Action.FULFIL: (frozenset({S.AGREED}), S.FULFILLED),
    Action.RESOLVE: (OPEN, S.RESOLVED),
    Action.REFER: (OPEN | {S.AGREED}, S.REFERRED),
    Action.UPDATE: (OPEN | {S.AGREED}, None),
    Action.PARTY: (OPEN, None),
    Action.LINK_CASE: (frozenset(Status), None),
}

ACTIVE = OPEN | {S.AGREED}
FINAL = frozenset({S.FULFILLED, S.RESOLVED, S.REFERRED})


class IllegalTransition(DomainError):
    code = "illegal_transition"


def allowed_actions(status: str) -> list[Action]:
    return [a for a, (sources, _target) in TRANSITIONS.items() if status in sources]


def check(action: Action, status: str) -> Status:
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise IllegalTransition(
            _("“%(action)s” is not possible while the dispute is “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": Status(status).label}
        )
    return target if target is not None else Status(status)


ACTION_LABELS = {
    Action.MEETING: gettext_lazy("Record a mediation meeting"),
    Action.AGREEMENT: gettext_lazy("Sign mediation agreement"),
    Action.CONFIRMATION: gettext_lazy("Record judicial confirmation"),
    Action.FULFIL: gettext_lazy("Record performance"),
    Action.RESOLVE: gettext_lazy("Resolved without agreement"),
    Action.REFER: gettext_lazy("Refer to legal procedure"),
    Action.UPDATE: gettext_lazy("Update risk and responsibility"),
    Action.PARTY: gettext_lazy("Add a party"),
    Action.LINK_CASE: gettext_lazy("Link a petition case"),
}
