"""Indicator definitions (研判指标, DOMAIN.md §5), each written once, here.

No public text gives the formulas; these are ours, stated once, configurable (targets and
ranking weights: :mod:`xinfang.analytics.models.IndicatorSetting`), and documented as such
wherever they are shown.

Every indicator is a ratio (or an average) of two *counters*. A counter counts the cases whose
*anchor* date falls in the reporting period and that meet a condition:

- the anchor places a case in a period (received, accepted, answered, rated, or the day a
  limit ends);
- a *due-based* counter (a limit that ends in the period) counts a case only once its limit
  has fallen: the last day is over (before today), or the step was done already. A limit
  that ends today or later, with the step not yet done, is still running and not counted.

The conditions are small objects that render to a Django ``Q`` (the direct engine and the
case-list drill-down) and to SQL (the maintained rollup's triggers and rebuild,
:mod:`xinfang.analytics.rollup`), so the definition exists once; tests check that both give
the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Channel, Rating, Status
from xinfang.cases.selectors import ACTIVE_STATUSES

# --- conditions ---------------------------------------------------------------------------


class Cond:
    """A condition on one case row."""

    def q(self) -> Q:
        raise NotImplementedError

    def sql(self, row: str) -> str:
        """SQL on the columns of ``row`` (a table alias, or NEW/OLD in a trigger). The
        same text works on SQLite and PostgreSQL."""
        raise NotImplementedError


@dataclass(frozen=True)
class Always(Cond):
    def q(self) -> Q:
        return Q()

    def sql(self, row: str) -> str:
        return "1 = 1"


@dataclass(frozen=True)
class IsTrue(Cond):
    name: str

    def q(self) -> Q:
        return Q(**{self.name: True})

    def sql(self, row: str) -> str:
        return f"{row}.{self.name} = TRUE"


@dataclass(frozen=True)
class NotNull(Cond):
    name: str

    def q(self) -> Q:
        return Q(**{f"{self.name}__isnull": False})

    def sql(self, row: str) -> str:
        return f"{row}.{self.name} IS NOT NULL"


@dataclass(frozen=True)
class NotBlank(Cond):
    name: str

    def q(self) -> Q:
        return ~Q(**{self.name: ""})

    def sql(self, row: str) -> str:
        return f"{row}.{self.name} <> ''"


@dataclass(frozen=True)
class OnOrBefore(Cond):
    """``name`` is set and not later than ``limit`` (a step done on its last day is on
    time, DOMAIN.md §2)."""

    name: str
    limit: str

    def q(self) -> Q:
        from django.db.models import F

        return Q(**{f"{self.name}__isnull": False, f"{self.name}__lte": F(self.limit)})

    def sql(self, row: str) -> str:
        return (
            f"{row}.{self.name} IS NOT NULL AND {row}.{self.limit} IS NOT NULL"
            f" AND {row}.{self.name} <= {row}.{self.limit}"
        )


@dataclass(frozen=True)
class In(Cond):
    name: str
    values: tuple[str, ...]

    def q(self) -> Q:
        return Q(**{f"{self.name}__in": list(self.values)})

    def sql(self, row: str) -> str:
        # Values come from this module's constants (choices), never from input.
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in self.values)
        return f"{row}.{self.name} IN ({listed})"


@dataclass(frozen=True)
class Not(Cond):
    cond: Cond

    def q(self) -> Q:
        return ~self.cond.q()

    def sql(self, row: str) -> str:
        return f"NOT ({self.cond.sql(row)})"


@dataclass(frozen=True)
class All(Cond):
    conds: tuple[Cond, ...]

    def q(self) -> Q:
        result = Q()
        for c in self.conds:
            result &= c.q()
        return result

    def sql(self, row: str) -> str:
        return " AND ".join(f"({c.sql(row)})" for c in self.conds)


ALWAYS = Always()

# --- counters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counter:
    """Cases whose ``anchor`` date lies in the period and that meet ``when``.

    ``settled``: for a limit that ends on ``anchor``: the case counts once the limit has
    fallen (``anchor`` before today) or once this holds (the step was done).
    ``days_from``: the counter sums the days from this date to the anchor instead of
    counting cases (for averages)."""

    code: str
    anchor: str
    label: str | Promise
    when: Cond = ALWAYS
    settled: Cond | None = None
    days_from: str | None = None

    def q(self, *, start: date, end: date, today: date) -> Q:
        cond = Q(**{f"{self.anchor}__gte": start, f"{self.anchor}__lte": end}) & self.when.q()
        if self.settled is not None:
            cond &= Q(**{f"{self.anchor}__lt": today}) | self.settled.q()
        return cond

    def pending_cond(self) -> Cond | None:
        """Cases counted by the rollup under the anchor's month but whose limit may still
        be running (subtracted for anchors from today on)."""
        if self.settled is None:
            return None
        return All((self.when, Not(self.settled)))


# 及时受理率: merged repeats and matters diverted to a legal procedure get no acceptance
# decision of their own (the earlier case's decision stands; 诉访分离), so they are left out.
ACCEPTANCE_POPULATION = Not(In("status", (Status.MERGED.value, Status.DIVERTED.value)))
SATISFIED_RATINGS = (Rating.SATISFIED.value, Rating.BASICALLY.value)

COUNTERS: dict[str, Counter] = {
    c.code: c
    for c in [
        # registered in the period (received_on): volumes, repeat rate
        Counter("registered", "received_on", _("Cases registered")),
        Counter("repeats", "received_on", _("Registered repeat petitions"), IsTrue("is_repeat")),
        # acceptance limit (acceptance_due) ended in the period: 及时受理率
        Counter(
            "acc_due",
            "acceptance_due",
            _("Acceptance limit ended"),
            ACCEPTANCE_POPULATION,
            settled=NotNull("acceptance_notified_on"),
        ),
        Counter(
            "acc_on_time",
            "acceptance_due",
            _("Acceptance decision notified in time"),
            All((ACCEPTANCE_POPULATION, OnOrBefore("acceptance_notified_on", "acceptance_due"))),
        ),
        # accepted in the period (accepted_on): 办结率, average days to acceptance
        Counter("accepted", "accepted_on", _("Cases accepted")),
        Counter(
            "accepted_answered", "accepted_on", _("Accepted and answered"), NotNull("replied_on")
        ),
        Counter("accept_days", "accepted_on", _("Days to acceptance"), days_from="received_on"),
        # answer limit (handling_due, extended) ended in the period: 按期办结率
        Counter(
            "hnd_due",
            "handling_due",
            _("Answer due"),
            settled=NotNull("replied_on"),
        ),
        Counter(
            "hnd_on_time",
            "handling_due",
            _("Answered by the (extended) due date"),
            OnOrBefore("replied_on", "handling_due"),
        ),
        # answered in the period (replied_on): average days to the answer
        Counter("answered", "replied_on", _("Cases answered")),
        Counter("answer_days", "replied_on", _("Days to the answer"), days_from="received_on"),
        # rating window (evaluation_due) ended in the period: 参评率
        Counter(
            "win_due",
            "evaluation_due",
            _("Rating window closed"),
            settled=NotBlank("rating"),
        ),
        Counter("win_rated", "evaluation_due", _("Rated in the window"), NotBlank("rating")),
        # rated in the period (rated_on): 满意率
        Counter("rated", "rated_on", _("Cases rated"), NotBlank("rating")),
        Counter(
            "satisfied",
            "rated_on",
            _("Satisfied or basically satisfied"),
            In("rating", SATISFIED_RATINGS),
        ),
    ]
}

# --- live counts (now, not for a period) --------------------------------------------------


@dataclass(frozen=True)
class Tracker:
    """Open cases by the day their current step is due (``due_on``), kept by the rollup's
    triggers so the dashboards count overdue and due-soon cases without scanning the cases.
    The same sets as the case list's queues (xinfang.cases.queues "overdue": open and due
    before today; "due_soon": open, flagged by the deadline sweep, due today or later); a test
    holds the two definitions together."""

    code: str
    label: str | Promise
    when: Cond
    anchor: str = "due_on"


OPEN_STATUSES = tuple(sorted(s.value for s in ACTIVE_STATUSES))
TRACKERS: dict[str, Tracker] = {
    t.code: t
    for t in [
        Tracker("open", _("Open cases"), In("status", OPEN_STATUSES)),
        Tracker(
            "soon",
            _("Flagged due soon"),
            All((In("status", OPEN_STATUSES), In("due_flag", ("soon",)))),
        ),
    ]
}


def pending_specs() -> list[tuple[str, str, Cond]]:
    """(code, anchor, condition) of every row kind of the pending table: the due-based
    counters' limits not yet met, and the live trackers."""
    out: list[tuple[str, str, Cond]] = []
    for c in COUNTERS.values():
        cond = c.pending_cond()
        if cond is not None:
            out.append((c.code, c.anchor, cond))
    out += [(t.code, t.anchor, t.when) for t in TRACKERS.values()]
    return out


PENDING_COUNTERS = tuple(c.code for c in COUNTERS.values() if c.settled is not None)

# Anchors in a fixed order (the rollup writes one row per anchor of a case).
ANCHORS: tuple[str, ...] = tuple(dict.fromkeys(c.anchor for c in COUNTERS.values()))
# Columns whose change can move a case between counters (the rollup's update trigger).
CASE_COLUMNS: tuple[str, ...] = (
    "received_on",
    "handling_unit_id",
    "division_id",
    "category_id",
    "channel",
    "is_repeat",
    "status",
    "acceptance_due",
    "acceptance_notified_on",
    "accepted_on",
    "handling_due",
    "replied_on",
    "evaluation_due",
    "rating",
    "rated_on",
    "due_on",
    "due_flag",
)
DIMENSION_COLUMNS = ("handling_unit_id", "division_id", "category_id", "channel")


def anchor_columns(anchor: str) -> tuple[str, ...]:
    """The case columns that decide the counters of one anchor."""
    cols: list[str] = [anchor]
    for counter in COUNTERS.values():
        if counter.anchor != anchor:
            continue
        conds: list[Cond] = [counter.when]
        if counter.settled is not None:
            conds.append(counter.settled)
        for cond in conds:
            cols.extend(cond_columns(cond))
        if counter.days_from:
            cols.append(counter.days_from)
    return tuple(dict.fromkeys(cols))


def cond_columns(cond: Cond) -> list[str]:
    if isinstance(cond, All):
        return [c for sub in cond.conds for c in cond_columns(sub)]
    if isinstance(cond, Not):
        return cond_columns(cond.cond)
    if isinstance(cond, OnOrBefore):
        return [cond.name, cond.limit]
    name = getattr(cond, "name", None)
    return [name] if name else []


# --- drill-down metrics -------------------------------------------------------------------


@dataclass(frozen=True)
class DrillMetric:
    """The cases behind one number: a counter, or a counter minus a narrower one (the
    misses: late, unanswered, unrated, not satisfied)."""

    code: str
    label: str | Promise
    base: str
    minus: str | None = None

    def q(self, *, start: date, end: date, today: date) -> Q:
        cond = COUNTERS[self.base].q(start=start, end=end, today=today)
        if self.minus:
            cond &= ~COUNTERS[self.minus].q(start=start, end=end, today=today)
        return cond


DRILL_METRICS: dict[str, DrillMetric] = {
    m.code: m
    for m in [
        *(DrillMetric(c.code, c.label, c.code) for c in COUNTERS.values() if not c.days_from),
        DrillMetric("acc_late", _("Acceptance decision late or missing"), "acc_due", "acc_on_time"),
        DrillMetric("hnd_late", _("Answered late or not answered"), "hnd_due", "hnd_on_time"),
        DrillMetric("accepted_open", _("Accepted, not answered"), "accepted", "accepted_answered"),
        DrillMetric("win_unrated", _("Not rated in the window"), "win_due", "win_rated"),
        DrillMetric("not_satisfied", _("Rated unsatisfied"), "rated", "satisfied"),
    ]
}


def drilldown_condition(code: str, *, start: date | None, end: date | None, today: date) -> Q:
    """The ``Q`` for the case list's ``metric`` filter (xinfang.cases.filters). Unknown
    metric or missing dates select nothing rather than everything."""
    metric = DRILL_METRICS.get(code)
    if metric is None or start is None or end is None:
        return Q(pk__in=[])
    return metric.q(start=start, end=end, today=today)


def metric_choices() -> list[tuple[str, str | Promise]]:
    return [(m.code, m.label) for m in DRILL_METRICS.values()]


# --- indicators ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """One performance indicator: numerator / denominator counters, in DOMAIN.md's words."""

    code: str
    term: str  # the Chinese term
    label: str | Promise
    definition: str | Promise
    numerator: str
    denominator: str
    kind: str = "rate"  # "rate" (percent) or "average" (days)
    higher_is_better: bool = True
    target: Decimal | None = None  # default; IndicatorSetting overrides
    weight: Decimal = Decimal(0)  # default ranking points; IndicatorSetting overrides
    source: str = "cases"  # "cases" or "quality" (xinfang.supervision)
    target_source: str = ""
    miss_metric: str | None = None  # drill-down for the cases that miss


# 2022 budget disclosure of 通海县信访局 (DOMAIN.md §7): both special funds set these targets.
TARGET_SOURCE = _("2022 performance targets of the county petition bureau's special funds")

INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in [
        Indicator(
            "timely_acceptance",
            "及时受理率",
            _("Timely acceptance rate"),
            _(
                "Cases whose acceptance decision was notified within its limit / cases whose "
                "acceptance limit fell in the period."
            ),
            "acc_on_time",
            "acc_due",
            target=Decimal(95),
            weight=Decimal(30),
            target_source="§7",
            miss_metric="acc_late",
        ),
        Indicator(
            "on_time_closure",
            "按期办结率",
            _("On-time closure rate"),
            _("Cases answered by their (extended) due date / cases due in the period."),
            "hnd_on_time",
            "hnd_due",
            weight=Decimal(25),
            miss_metric="hnd_late",
        ),
        Indicator(
            "closure",
            "办结率",
            _("Closure rate"),
            _("Cases answered / cases accepted (period of acceptance)."),
            "accepted_answered",
            "accepted",
            target=Decimal(80),
            weight=Decimal(15),
            target_source="§7",
            miss_metric="accepted_open",
        ),
        Indicator(
            "participation",
            "参评率",
            _("Participation rate"),
            _("Rated / answered cases whose rating window closed."),
            "win_rated",
            "win_due",
            miss_metric="win_unrated",
        ),
        Indicator(
            "satisfaction",
            "满意率",
            _("Satisfaction rate"),
            _("(Satisfied + basically satisfied) / rated."),
            "satisfied",
            "rated",
            target=Decimal(90),
            weight=Decimal(20),
            target_source="§7",
            miss_metric="not_satisfied",
        ),
        Indicator(
            "quality_pass",
            "质检合格率",
            _("Quality pass rate"),
            _("Passed / inspected."),
            "passed",
            "inspected",
            target=Decimal(90),
            weight=Decimal(10),
            source="quality",
            target_source="§7",
        ),
        Indicator(
            "repeat_rate",
            "重复信访率",
            _("Repeat-petition rate"),
            _("Cases marked as repeats / cases registered."),
            "repeats",
            "registered",
            higher_is_better=False,
        ),
        Indicator(
            "days_to_acceptance",
            "平均受理用时",
            _("Average days to acceptance"),
            _("Days from receipt to acceptance, averaged over the cases accepted in the period."),
            "accept_days",
            "accepted",
            kind="average",
            higher_is_better=False,
        ),
        Indicator(
            "days_to_answer",
            "平均办理用时",
            _("Average days to the answer"),
            _("Days from receipt to the written answer, averaged over the cases answered."),
            "answer_days",
            "answered",
            kind="average",
            higher_is_better=False,
        ),
    ]
}

# The indicators the unit ranking shows (all with a ranking weight by default).
RANKING_INDICATORS = (
    "timely_acceptance",
    "on_time_closure",
    "closure",
    "satisfaction",
    "quality_pass",
)

# --- volume targets (DOMAIN.md §7: yearly) ------------------------------------------------


@dataclass(frozen=True)
class VolumeTarget:
    code: str
    label: str | Promise
    counter: str
    channels: tuple[str, ...] = ()  # only these channels (empty: all)
    exclude_channels: tuple[str, ...] = ()
    yearly_target: int = 0
    source: str = "cases"  # or an external count source name
    term: str = ""  # the Chinese wording (reports)


VOLUME_TARGETS: dict[str, VolumeTarget] = {
    v.code: v
    for v in [
        # 信访专项工作经费: ">= 100 petitions accepted in the year".
        VolumeTarget(
            "petitions_accepted",
            _("Petitions accepted (not 12345)"),
            "accepted",
            exclude_channels=(Channel.HOTLINE.value,),
            yearly_target=100,
            term="受理信访事项（不含12345）",
        ),
        # 矛调中心工作经费: ">= 600 12345 hotline cases in the year".
        VolumeTarget(
            "hotline_cases",
            _("12345 hotline cases"),
            "registered",
            channels=(Channel.HOTLINE.value,),
            yearly_target=600,
            term="12345热线办件",
        ),
        # 矛调中心工作经费: ">= 10 public-opinion based policy suggestions".
        VolumeTarget(
            "policy_suggestions",
            _("Policy suggestions (社情民意)"),
            "",
            yearly_target=10,
            source="policy_suggestions",
            term="社情民意政策建议",
        ),
    ]
}

# --- ranking (考核排名) -------------------------------------------------------------------

# DOMAIN.md §7 self-assessment: a ">=" indicator scores actual / target x its points, a "<="
# indicator target / actual x its points, capped at its points; an indicator that does not
# apply is dropped and the rest rescaled. Without a target, a rate scores its own value.
GRADES: Sequence[tuple[Decimal, str | Promise]] = (
    (Decimal(90), _("Excellent (优)")),
    (Decimal(80), _("Good (良)")),
    (Decimal(60), _("Fair (中)")),
    (Decimal(0), _("Poor (差)")),
)


GRADES_CN = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))


def grade_cn(score: Decimal | None) -> str:
    if score is None:
        return "—"
    return next(label for floor, label in GRADES_CN if score >= floor)


def grade_for(score: Decimal | None) -> str:
    if score is None:
        return ""
    for floor, label in GRADES:
        if score >= floor:
            return str(label)
    return str(GRADES[-1][1])


@dataclass
class Setting:
    """The effective target and ranking weight of one indicator."""

    target: Decimal | None
    weight: Decimal
    custom: bool = False
