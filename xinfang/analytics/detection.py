"""Early warning (预警): rising topics and places, similar matters from many petitioners, cases
at risk of going overdue. Each detector returns findings; ``detect_warnings`` stores them as
EarlyWarning rows (one live warning per key, refreshed on every run; cleared when no longer
detected) with their evidence, and audits what it opens and clears.

The methods, stated here and on the warnings page:

Rising categories and towns: for each category and each town, the cases received in the
last ``WINDOW_DAYS`` days are compared with the same-length windows of the previous
``BASELINE_WINDOWS`` windows (its own history). With ``λ`` the mean count of those windows
(at least ``MIN_RATE``), the chance of seeing at least the observed count ``x`` if nothing had
changed is the Poisson upper tail ``P(X >= x | λ)``. A warning is raised when that chance is
below ``ALPHA`` and ``x >= MIN_COUNT`` (so a quiet place going from 0 to 2 is not an alarm).

Similar matters from many petitioners (collective or coordinated petitions, 联名): the
cases received in the last ``CLUSTER_DAYS`` days are compared on their full-text search
tokens (``Case.search_text``, jieba) with TF-IDF weights (scikit-learn when installed, the
same formula in plain Python otherwise) and cosine similarity; cases at least
``SIMILARITY`` alike are linked, and a group of ``CLUSTER_MIN_CASES`` or more cases from
``CLUSTER_MIN_PEOPLE`` or more different petitioners is a warning. When xinfang.routing
provides cluster detection, that is used instead.

At risk of going overdue: per handling unit, the active cases whose current step is due
within the next ``RISK_WORKING_DAYS`` working days.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.deadlines import add_working_days
from xinfang.cases.models import Case, Category
from xinfang.cases.selectors import ACTIVE_STATUSES
from xinfang.org.models import Division, Unit

from .models import LIVE_WARNING_STATUSES, EarlyWarning, Severity, WarningKind, WarningStatus

log = logging.getLogger(__name__)

WINDOW_DAYS = 7
BASELINE_WINDOWS = 8
MIN_COUNT = 5
MIN_RATE = 0.5
ALPHA = 0.01
HIGH_ALPHA = 0.001

CLUSTER_DAYS = 30
CLUSTER_MAX_CASES = 3000
SIMILARITY = 0.5
CLUSTER_MIN_CASES = 3
CLUSTER_MIN_PEOPLE = 5

RISK_WORKING_DAYS = 3


@dataclass
class Finding:
    kind: str
    key: str
    title: str
    severity: str
    evidence: dict[str, Any]
    unit_id: int | None = None


# --- rising -------------------------------------------------------------------------------


def poisson_upper_tail(x: int, lam: float) -> float:
    """P(X >= x) for X ~ Poisson(lam), summed in log space (stable for large counts)."""
    if x <= 0:
        return 1.0
    below = 0.0
    log_lam = math.log(lam)
    for k in range(x):
        below += math.exp(k * log_lam - lam - math.lgamma(k + 1))
    return max(0.0, 1.0 - below)


@dataclass
class RiseTest:
    observed: int
    history: list[int]
    rate: float
    p_value: float
    alert: bool
    high: bool


def rise_test(observed: int, history: Sequence[int]) -> RiseTest:
    rate = max(MIN_RATE, sum(history) / len(history)) if history else MIN_RATE
    p = poisson_upper_tail(observed, rate)
    alert = observed >= MIN_COUNT and observed > rate and p < ALPHA
    return RiseTest(observed, list(history), rate, p, alert, alert and p < HIGH_ALPHA)


def _windows(today: date) -> list[tuple[date, date]]:
    """The current window first, then the baseline windows back in time (ends inclusive)."""
    out = []
    end = today - timedelta(days=1)
    for _i in range(BASELINE_WINDOWS + 1):
        start = end - timedelta(days=WINDOW_DAYS - 1)
        out.append((start, end))
        end = start - timedelta(days=1)
    return out


def rising(today: date) -> list[Finding]:
    windows = _windows(today)
    first = windows[-1][0]
    rows = (
        Case.objects.filter(received_on__gte=first, received_on__lte=windows[0][1])
        .values("category_id", "division__code", "received_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, Any], list[int]] = defaultdict(lambda: [0] * len(windows))
    for row in rows:
        index = next(i for i, (s, e) in enumerate(windows) if s <= row["received_on"] <= e)
        code = row["division__code"] or ""
        counts[("category", row["category_id"])][index] += row["n"]
        if len(code) >= 9:
            counts[("town", code[:9])][index] += row["n"]
    categories = {c.pk: c for c in Category.objects.all()}
    towns = {d.code: d for d in Division.objects.filter(level=Division.Level.TOWNSHIP)}
    findings = []
    for (dim, value), series in sorted(counts.items(), key=lambda kv: str(kv[0])):
        test = rise_test(series[0], series[1:])
        if not test.alert:
            continue
        if dim == "category":
            name = categories[value].name if value in categories else str(value)
            kind, title = WarningKind.RISING_CATEGORY, _("Rising category: %(name)s")
            drill = {"category": str(value)}
        else:
            name = towns[value].name if value in towns else value
            kind, title = WarningKind.RISING_TOWN, _("Rising town: %(name)s")
            drill = {"town": str(towns[value].pk)} if value in towns else {}
        drill.update(received_from=windows[0][0].isoformat(), received_to=windows[0][1].isoformat())
        findings.append(
            Finding(
                kind=kind,
                key=f"{kind}:{value}",
                title=title % {"name": name},
                severity=Severity.HIGH if test.high else Severity.MEDIUM,
                evidence={
                    "method": "poisson_upper_tail",
                    "window_days": WINDOW_DAYS,
                    "window": [windows[0][0].isoformat(), windows[0][1].isoformat()],
                    "observed": test.observed,
                    "history": test.history,
                    "baseline_rate": round(test.rate, 2),
                    "p_value": float(f"{test.p_value:.3g}"),
                    "alpha": ALPHA,
                    "min_count": MIN_COUNT,
                    "case_list": drill,
                },
            )
        )
    return findings


# --- clusters -----------------------------------------------------------------------------


def _similar_pairs(texts: Sequence[str]) -> Iterable[tuple[int, int, float]]:
    """Pairs of texts at least SIMILARITY alike (TF-IDF cosine on whitespace tokens)."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        yield from _similar_pairs_plain(texts)
        return
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True)  # noqa: S106 (a regex)
    matrix = vectorizer.fit_transform(texts)
    sims = (matrix @ matrix.T).tocoo()
    for i, j, v in zip(sims.row, sims.col, sims.data, strict=True):
        if i < j and v >= SIMILARITY:
            yield int(i), int(j), float(v)


def _similar_pairs_plain(texts: Sequence[str]) -> Iterable[tuple[int, int, float]]:
    """The same TF-IDF (smooth idf, sublinear tf, l2 norm) as scikit-learn's defaults."""
    docs = [t.split() for t in texts]
    n = len(docs)
    df: dict[str, int] = defaultdict(int)
    for doc in docs:
        for tok in set(doc):
            df[tok] += 1
    vectors = []
    for doc in docs:
        tf: dict[str, int] = defaultdict(int)
        for tok in doc:
            tf[tok] += 1
        vec = {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    postings: dict[str, list[int]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for tok in vec:
            postings[tok].append(i)
    for i, vec in enumerate(vectors):
        scores: dict[int, float] = defaultdict(float)
        for tok, w in vec.items():
            for j in postings[tok]:
                if j > i:
                    scores[j] += w * vectors[j][tok]
        for j, s in scores.items():
            if s >= SIMILARITY:
                yield i, j, s


def _routing_clusters(cases: list[Case]) -> list[list[int]] | None:
    """Cluster detection of xinfang.routing, when it offers one (list of lists of ids)."""
    if not apps.is_installed("xinfang.routing"):
        return None
    from xinfang.routing import selectors as routing

    finder = getattr(routing, "case_clusters", None)
    if finder is None:
        return None
    try:
        return [list(group) for group in finder([c.pk for c in cases])]
    except Exception:  # a routing failure must not stop the other detectors
        log.exception("analytics: xinfang.routing cluster detection failed")
        return None


def clusters(today: date) -> list[Finding]:
    cases = list(
        Case.objects.filter(received_on__gte=today - timedelta(days=CLUSTER_DAYS))
        .exclude(search_text="")
        .order_by("-received_on", "-id")
        .only("id", "number", "search_text", "handling_unit_id", "category_id", "received_on")[
            :CLUSTER_MAX_CASES
        ]
    )
    if len(cases) < CLUSTER_MIN_CASES:
        return []
    groups = _routing_clusters(cases)
    method = "xinfang.routing"
    if groups is None:
        method = "tfidf_cosine"
        parent = list(range(len(cases)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j, _s in _similar_pairs([c.search_text for c in cases]):
            parent[find(i)] = find(j)
        members: dict[int, list[int]] = defaultdict(list)
        for i in range(len(cases)):
            members[find(i)].append(cases[i].pk)
        groups = [g for g in members.values() if len(g) >= CLUSTER_MIN_CASES]
    by_id = {c.pk: c for c in cases}
    people = _people(sum(groups, []))
    findings = []
    for group in groups:
        ids = sorted(group)
        persons = set().union(*(people.get(i, set()) for i in ids))
        if len(ids) < CLUSTER_MIN_CASES or len(persons) < CLUSTER_MIN_PEOPLE:
            continue
        units = {by_id[i].handling_unit_id for i in ids if i in by_id}
        findings.append(
            Finding(
                kind=WarningKind.CLUSTER,
                key=f"{WarningKind.CLUSTER}:{ids[0]}",
                title=_("%(cases)d similar matters from %(people)d petitioners")
                % {"cases": len(ids), "people": len(persons)},
                severity=Severity.HIGH
                if len(persons) >= 2 * CLUSTER_MIN_PEOPLE
                else Severity.MEDIUM,
                evidence={
                    "method": method,
                    "similarity": SIMILARITY,
                    "case_ids": ids,
                    "people": len(persons),
                    "days": CLUSTER_DAYS,
                },
                unit_id=units.pop() if len(units) == 1 else None,
            )
        )
    return findings


def _people(case_ids: list[int]) -> dict[int, set[str]]:
    """Distinct petitioners per case, told apart by their keyed ID or phone digest (names
    only when neither was given) — never by the clear personal data."""
    from xinfang.cases.models import Petitioner

    out: dict[int, set[str]] = defaultdict(set)
    rows = Petitioner.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "id_number_digest", "phone_digest", "name"
    )
    for case_id, id_digest, phone_digest, name in rows:
        out[case_id].add(id_digest or phone_digest or f"name:{name}")
    return out


# --- overdue risk -------------------------------------------------------------------------


def overdue_risk(today: date) -> list[Finding]:
    limit = add_working_days(today, RISK_WORKING_DAYS)
    rows = (
        Case.objects.filter(status__in=ACTIVE_STATUSES, due_on__gte=today, due_on__lte=limit)
        .order_by("due_on", "id")
        .values_list("handling_unit_id", "id", "due_on")
    )
    by_unit: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for unit_id, case_id, due in rows:
        if due is not None:
            by_unit[unit_id or 0].append((case_id, due))
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[k for k in by_unit if k])}
    findings = []
    for unit_id, items in sorted(by_unit.items()):
        unit = units.get(unit_id)
        name = unit.label if unit else _("the petition bureau (not yet routed)")
        findings.append(
            Finding(
                kind=WarningKind.OVERDUE_RISK,
                key=f"{WarningKind.OVERDUE_RISK}:{unit_id}",
                title=_("%(n)d cases of %(unit)s due within %(days)d working days")
                % {"n": len(items), "unit": name, "days": RISK_WORKING_DAYS},
                severity=Severity.HIGH if any(d == today for _i, d in items) else Severity.LOW,
                evidence={
                    "method": "due_within_working_days",
                    "working_days": RISK_WORKING_DAYS,
                    "until": limit.isoformat(),
                    "case_ids": [i for i, _d in items],
                    "due": [d.isoformat() for _i, d in items],
                    "case_list": {"unit": str(unit_id)} if unit_id else {"queue": "to_route"},
                },
                unit_id=unit_id or None,
            )
        )
    return findings


# --- storing ------------------------------------------------------------------------------


@dataclass
class DetectionResult:
    opened: list[int] = field(default_factory=list)
    refreshed: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)


def detect_warnings(*, today: date) -> DetectionResult:
    """Run every detector and store the findings (idempotent for the same data and day)."""
    findings = [*rising(today), *clusters(today), *overdue_risk(today)]
    result = DetectionResult()
    now = timezone.now()
    seen = set()
    with transaction.atomic():
        live = {w.key: w for w in EarlyWarning.objects.filter(status__in=LIVE_WARNING_STATUSES)}
        for f in findings:
            seen.add(f.key)
            existing = live.get(f.key)
            if existing is not None:
                existing.title, existing.severity, existing.evidence = (
                    f.title,
                    f.severity,
                    f.evidence,
                )
                existing.last_detected_at, existing.detected_on = now, today
                existing.unit_id = f.unit_id
                existing.save()
                result.refreshed.append(existing.pk)
                continue
            w = EarlyWarning.objects.create(
                kind=f.kind,
                key=f.key,
                title=f.title,
                severity=f.severity,
                evidence=f.evidence,
                unit_id=f.unit_id,
                last_detected_at=now,
                detected_on=today,
            )
            audit_log(
                actor=None,
                action="analytics.warning.open",
                obj=w,
                after={"kind": f.kind, "key": f.key, "severity": f.severity},
            )
            result.opened.append(w.pk)
        for key, w in live.items():
            if key in seen:
                continue
            w.status = WarningStatus.CLEARED
            w.closed_at = now
            w.save(update_fields=["status", "closed_at"])
            audit_log(
                actor=None,
                action="analytics.warning.clear",
                obj=w,
                before={"status": "live"},
                after={"status": WarningStatus.CLEARED},
            )
            result.cleared.append(w.pk)
    return result
