"""A hand-built set of cases taken through the lifecycle with explicit dates, with the
answers every indicator must give (worked out by hand below, not computed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinfang.cases import services as s
from xinfang.cases.models import Case, Category, Channel
from xinfang.cases.tests.factories import register
from xinfang.org.models import Division, Unit

D = date
ANSWER = "经查，所反映问题属实，已责成相关单位于限期内整改到位。"


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


@dataclass
class World:
    cases: dict[str, Case]


def build(users: dict) -> World:
    """Seven cases received on 2026-03-02 (a Monday) and one in April.

    A  routed 03-03 (acceptance due 03-18), accepted 03-05, answered 04-10 (due 05-06),
       rated satisfied 04-12 (window to 05-10).
    B  accepted on its last day 03-18, extended by 30 days (due 06-16 instead of 05-18),
       answered on the extended last day 06-16, never rated (window to 07-16).
    C  accepted late 03-20, answered late 05-25 (due 05-19), rated unsatisfied 05-26
       (window to 06-24).
    D  returned by 住建局 03-05, re-routed to 人社局 03-10 (acceptance due 03-25), accepted
       03-12, never answered (due 05-11).
    E  not accepted by the unit 03-06 (a decision, notified in time).
    F  routed, never decided (acceptance due 03-18 passes).
    G  a repeat of A, merged into it (no acceptance decision of its own).
    H  a 12345 hotline case received 04-02, in 九龙街道, not yet routed.
    """
    clerk, handler, handler2, head = (
        users["clerk"],
        users["handler"],
        users["handler2"],
        users["unithead"],
    )
    zjj, rsj = unit("zjj"), unit("rsj")

    def routed(title: str, to: Unit = zjj) -> Case:
        case = register(users, title=title)
        return s.case_route(actor=clerk, case=case, unit=to, today=D(2026, 3, 3))

    a = routed("甲 楼顶漏水")
    a = s.case_accept(actor=handler, case=a, today=D(2026, 3, 5))
    a = s.case_reply(actor=handler, case=a, outcome="supported", text=ANSWER, today=D(2026, 4, 10))
    a = s.case_evaluate(actor=None, case=a, rating="satisfied", today=D(2026, 4, 12))

    b = routed("乙 路灯不亮")
    b = s.case_accept(actor=handler, case=b, today=D(2026, 3, 18))
    b = s.case_extend(actor=head, case=b, days=30, reason="需要协调供电部门")
    b = s.case_reply(actor=handler, case=b, outcome="explained", text=ANSWER, today=D(2026, 6, 16))

    c = routed("丙 噪音扰民")
    c = s.case_accept(actor=handler, case=c, today=D(2026, 3, 20))
    c = s.case_reply(actor=handler, case=c, outcome="supported", text=ANSWER, today=D(2026, 5, 25))
    c = s.case_evaluate(actor=None, case=c, rating="unsatisfied", today=D(2026, 5, 26))

    d = routed("丁 工资拖欠")
    d = s.case_return(actor=handler, case=d, reason="不属于本单位职责", today=D(2026, 3, 5))
    d = s.case_route(actor=clerk, case=d, unit=rsj, today=D(2026, 3, 10))
    d = s.case_accept(actor=handler2, case=d, today=D(2026, 3, 12))

    e = routed("戊 要求赔偿")
    e = s.case_not_accept(actor=handler, case=e, reason="已进入诉讼程序", today=D(2026, 3, 6))

    f = routed("己 围墙倒塌")

    g = register(users, title="甲 楼顶漏水 再次反映", repeat_of=a)
    g = s.case_merge(actor=clerk, case=g, into=a)

    h = register(
        users,
        title="庚 热线 噪音",
        channel=Channel.HOTLINE,
        received_on=D(2026, 4, 2),
        division=Division.objects.get(code="530423002"),
        category=Category.objects.get(code="environment"),
    )
    cases = {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g, "H": h}
    return World({k: Case.objects.get(pk=v.pk) for k, v in cases.items()})


# The dates the lifecycle gave (checked by the tests, so the hand counts rest on them).
DUE_DATES = {
    "A": {
        "acceptance_due": D(2026, 3, 18),
        "handling_due": D(2026, 5, 6),
        "evaluation_due": D(2026, 5, 10),
    },
    "B": {
        "acceptance_due": D(2026, 3, 18),
        "handling_due": D(2026, 6, 16),
        "evaluation_due": D(2026, 7, 16),
    },
    "C": {
        "acceptance_due": D(2026, 3, 18),
        "handling_due": D(2026, 5, 19),
        "evaluation_due": D(2026, 6, 24),
    },
    "D": {"acceptance_due": D(2026, 3, 25), "handling_due": D(2026, 5, 11), "evaluation_due": None},
    "E": {"acceptance_due": D(2026, 3, 18), "handling_due": None, "evaluation_due": None},
    "F": {"acceptance_due": D(2026, 3, 18), "handling_due": None, "evaluation_due": None},
}

LATE = D(2026, 7, 31)  # every limit above has fallen by then

# (period, today) -> counters, by hand from the story above.
EXPECTED = {
    # March: 7 received (A-G), 1 repeat (G). Acceptance limits ending in March: A, B, C, E, F
    # (03-18) and D (03-25 after re-routing; its first limit was cleared by the return);
    # G never had one. In time: A (03-05), B (on the last day), D (03-12), E (03-06);
    # C (03-20) late, F never decided. Accepted in March: A, B, C, D; answered since: A, B, C.
    # Days to acceptance: A 3, B 16, C 18, D 10.
    ("2026-03", LATE): {
        "registered": 7,
        "repeats": 1,
        "acc_due": 6,
        "acc_on_time": 4,
        "accepted": 4,
        "accepted_answered": 3,
        "accept_days": 3 + 16 + 18 + 10,
    },
    # Q2: answers due A 05-06, D 05-11, C 05-19, B 06-16 (extended): on time A and B (on the
    # extended last day); C late, D not answered. Answered in Q2: A (39 days after receipt),
    # C (84), B (106). Rating windows closing in Q2: A 05-10 (rated), C 06-24 (rated).
    # Rated in Q2: A satisfied, C unsatisfied. Received in Q2: H.
    ("2026-Q2", LATE): {
        "registered": 1,
        "hnd_due": 4,
        "hnd_on_time": 2,
        "answered": 3,
        "answer_days": 39 + 84 + 106,
        "win_due": 2,
        "win_rated": 2,
        "rated": 2,
        "satisfied": 1,
    },
    # July: B's window closes 07-16 without a rating.
    ("2026-07", LATE): {"win_due": 1, "win_rated": 0},
    # Seen on 05-11 (D's last day): D's limit is still running, so it is not counted yet.
    # A (due 05-06, answered early) counts, and so does C (due 05-19): it was answered (late,
    # 05-25), which settles a limit whatever day it is seen from.
    # Also in May: C answered (05-25, 84 days after receipt) and rated unsatisfied (05-26).
    ("2026-05", D(2026, 5, 11)): {
        "hnd_due": 2,
        "hnd_on_time": 1,
        "win_due": 1,
        "win_rated": 1,
        "answered": 1,
        "answer_days": 84,
        "rated": 1,
    },
    # The day after: D's limit has fallen, unanswered.
    ("2026-05", D(2026, 5, 12)): {
        "hnd_due": 3,
        "hnd_on_time": 1,
        "win_due": 1,
        "win_rated": 1,
        "answered": 1,
        "answer_days": 84,
        "rated": 1,
    },
    # March seen on 03-18, the last day of most acceptance limits: F (undecided) is still
    # running and left out; A, B (decided that day), C (decided later), D and E are counted.
    ("2026-03", D(2026, 3, 18)): {
        "registered": 7,
        "repeats": 1,
        "acc_due": 5,
        "acc_on_time": 4,
        "accepted": 4,
        "accepted_answered": 3,
        "accept_days": 47,
    },
}
