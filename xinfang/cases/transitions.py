"""The case state machine: one explicit map of allowed moves (drawn in docs/domain.md).

Each action names the states it may start from and the state it leads to. Services call
:func:`check` before changing anything, so an illegal move raises and changes nothing.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.core.errors import DomainError

from .models import Status


class Action(StrEnum):
    ROUTE = "route"  # 转送/交办 to the responsible unit
    RETURN = "return"  # 退回: unit objects within 5 working days
    ACCEPT = "accept"  # 受理 (notice in writing)
    NOT_ACCEPT = "not_accept"  # 不予受理 (notice with reason)
    EXTEND = "extend"  # 延期, once, up to 30 days
    REPLY = "reply"  # 答复: 信访处理意见书
    EVALUATE = "evaluate"  # 群众评价
    REQUEST_REVIEW = "request_review"  # 复查申请
    DECIDE_REVIEW = "decide_review"  # 复查意见
    REQUEST_REREVIEW = "request_rereview"  # 复核申请
    DECIDE_REREVIEW = "decide_rereview"  # 复核意见 -> 终结
    CLOSE = "close"  # 办结归档
    MERGE = "merge"  # 并案: repeat of an earlier case
    DIVERT = "divert"  # 诉访分离
    JOINT = "joint"  # 三跨三分: lead unit and co-units (no state change)
    REWORK = "rework"  # 返工: failed quality inspection or follow-up call, handle again


S = Status
ACTIVE_HANDLING = frozenset({S.IN_HANDLING, S.EXTENDED})
ANSWERED = frozenset({S.REPLIED, S.EVALUATED})

TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ROUTE: (frozenset({S.REGISTERED, S.RETURNED}), S.ROUTED),
    Action.RETURN: (frozenset({S.ROUTED}), S.RETURNED),
    Action.ACCEPT: (frozenset({S.ROUTED}), S.IN_HANDLING),
    Action.NOT_ACCEPT: (frozenset({S.REGISTERED, S.ROUTED, S.RETURNED}), S.NOT_ACCEPTED),
    Action.EXTEND: (frozenset({S.IN_HANDLING}), S.EXTENDED),
    Action.REPLY: (ACTIVE_HANDLING, S.REPLIED),
    Action.EVALUATE: (frozenset({S.REPLIED}), S.EVALUATED),
    Action.REQUEST_REVIEW: (ANSWERED, S.REVIEW_REQUESTED),
    Action.DECIDE_REVIEW: (frozenset({S.REVIEW_REQUESTED}), S.REVIEW_DECIDED),
    Action.REQUEST_REREVIEW: (frozenset({S.REVIEW_DECIDED}), S.REREVIEW_REQUESTED),
    Action.DECIDE_REREVIEW: (frozenset({S.REREVIEW_REQUESTED}), S.TERMINATED),
    Action.CLOSE: (ANSWERED | {S.REVIEW_DECIDED}, S.CLOSED),
    Action.MERGE: (frozenset({S.REGISTERED, S.ROUTED, S.RETURNED}), S.MERGED),
    Action.DIVERT: (frozenset({S.REGISTERED, S.ROUTED, S.RETURNED}), S.DIVERTED),
    Action.JOINT: (frozenset({S.REGISTERED, S.RETURNED, S.ROUTED} | ACTIVE_HANDLING), None),
    # DOMAIN.md §4: a failed case is reworked. A closed (办结归档) answer may be inspected and
    # failed too, so it reopens as well; a terminated matter (终结, art. 36) never does, and
    # the service refuses a case whose review the level above has decided (art. 35).
    Action.REWORK: (ANSWERED | {S.CLOSED}, S.IN_HANDLING),
}

# Final for the petitioner's steps; a closed case only reopens through REWORK (supervision).
FINAL_STATES = frozenset({S.NOT_ACCEPTED, S.TERMINATED, S.CLOSED, S.MERGED, S.DIVERTED})


class IllegalTransition(DomainError):
    code = "illegal_transition"


def allowed_actions(status: str) -> list[Action]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if status in sources]


def check(action: Action, status: str) -> Status:
    """Return the state ``action`` leads to from ``status`` or raise IllegalTransition."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise IllegalTransition(
            _("“%(action)s” is not possible while the case is “%(status)s”.")
            % {"action": action_label(action), "status": Status(status).label}
        )
    return target if target is not None else Status(status)


def action_label(action: Action) -> str:
    return str(ACTION_LABELS[action])


ACTION_LABELS = {
    Action.ROUTE: gettext_lazy("Route to unit"),
    Action.RETURN: gettext_lazy("Return (not our remit)"),
    Action.ACCEPT: gettext_lazy("Accept"),
    Action.NOT_ACCEPT: gettext_lazy("Do not accept"),
    Action.EXTEND: gettext_lazy("Extend"),
    Action.REPLY: gettext_lazy("Answer"),
    Action.EVALUATE: gettext_lazy("Record rating"),
    Action.REQUEST_REVIEW: gettext_lazy("Request review"),
    Action.DECIDE_REVIEW: gettext_lazy("Decide review"),
    Action.REQUEST_REREVIEW: gettext_lazy("Request re-review"),
    Action.DECIDE_REREVIEW: gettext_lazy("Decide re-review"),
    Action.CLOSE: gettext_lazy("Close"),
    Action.MERGE: gettext_lazy("Merge as repeat"),
    Action.DIVERT: gettext_lazy("Divert to legal procedure"),
    Action.JOINT: gettext_lazy("Joint handling"),
    Action.REWORK: gettext_lazy("Sent back for rework"),
}
