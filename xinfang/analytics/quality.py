"""Quality inspections (质检) as analytics needs them: (passed, inspected) per period.

xinfang.supervision owns the inspections. This adapter is the only place analytics touches
them, imported only when that app is installed (selectors.quality_available). It looks for the
inspection model and its decision date and result by name, so it keeps working while that app
is being built; if it cannot make sense of the model it says so in the log and reports nothing
(the pages then show "n/a", never an invented number).

Maintained counts: when the decision date is a date column (not a timestamp), triggers keep
``analytics_qualitycell`` -- passed and inspected by decision month and by the inspected case's
unit, town, category and channel -- exactly as the rollup keeps the case counters: +/- rows
appended on every insert, update and delete of an inspection, and on a case's move to another
unit, town, category or channel; merged by ``rollup.compact``; rebuilt and verified with the
rollup. The dashboards read those cells for month-aligned periods (selectors.quality_for) and
count the inspections directly otherwise.
"""

# ruff: noqa: S608 -- SQL built from model metadata (table and column names) and constants.
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, DateField, DateTimeField, Exists, OuterRef, Q, QuerySet, Sum

from xinfang.cases.models import Case

from .engine import scoped
from .periods import Filters, Period, month_start

log = logging.getLogger(__name__)

MODEL_NAMES = ("QualityInspection", "Inspection", "QualityCheck")
DATE_FIELDS = ("decided_on", "inspected_on", "checked_on", "completed_on", "created_at")
PASS_VALUES = ("pass", "passed", "qualified")
DONE_VALUES = ("done", "decided", "completed")
CELLS = "analytics_qualitycell"
CELL_KEYS = ("month", "unit_id", "town", "category_id", "channel")
CELL_COLUMNS = ("passed", "inspected")
TRIGGER_PREFIX = "analytics_quality_"
FLAG_FIELD = "passed"  # a boolean result field, when the model has one


def _model() -> Any | None:
    if not apps.is_installed("xinfang.supervision"):
        return None
    config = apps.get_app_config("supervision")
    for name in MODEL_NAMES:
        try:
            return config.get_model(name)
        except LookupError:
            continue
    return None


def _fields(model: Any) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


@dataclass(frozen=True)
class Spec:
    """What the adapter found: the model, its decision date, what counts as passed and as
    decided (ORM and SQL)."""

    model: Any
    date_field: str
    pass_field: str  # "passed" (a boolean) or the result field
    status_field: str  # "" unless only a status tells a decided inspection

    @property
    def lookup(self) -> str:
        field = self.model._meta.get_field(self.date_field)
        return f"{self.date_field}__date" if isinstance(field, DateTimeField) else self.date_field

    @property
    def passed(self) -> Q:
        if self.pass_field == FLAG_FIELD:
            return Q(**{FLAG_FIELD: True})
        return Q(**{f"{self.pass_field}__in": PASS_VALUES})

    @property
    def decided(self) -> Q:
        return Q(**{f"{self.status_field}__in": DONE_VALUES}) if self.status_field else Q()

    # --- SQL (maintained cells) --------------------------------------------------------

    @property
    def maintainable(self) -> bool:
        """Cells by month need the decision as a date (a timestamp's day depends on the
        time zone; such a model is counted directly)."""
        field = self.model._meta.get_field(self.date_field)
        return isinstance(field, DateField) and not isinstance(field, DateTimeField)

    @property
    def table(self) -> str:
        return str(self.model._meta.db_table)

    def column(self, name: str) -> str:
        return str(self.model._meta.get_field(name).column)

    def passed_sql(self, row: str) -> str:
        col = f"{row}.{self.column(self.pass_field)}"
        if self.pass_field == FLAG_FIELD:
            return f"({col})"
        return f"{col} IN ({', '.join(repr(v) for v in PASS_VALUES)})"

    def counted_sql(self, row: str) -> str:
        """The inspection counts (decided) -- the ORM filter of ``inspection_rows``."""
        cond = f"{row}.{self.column(self.date_field)} IS NOT NULL"
        if self.status_field:
            values = ", ".join(repr(v) for v in DONE_VALUES)
            cond += f" AND {row}.{self.column(self.status_field)} IN ({values})"
        return cond

    def watched(self) -> list[str]:
        cols = ["case", self.date_field, self.pass_field]
        if self.status_field:
            cols.append(self.status_field)
        return [self.column(c) for c in cols]


def spec() -> Spec | None:
    model = _model()
    if model is None:
        return None
    names = _fields(model)
    date_field = next((f for f in DATE_FIELDS if f in names), None)
    pass_field = "passed" if "passed" in names else None
    if pass_field is None:
        pass_field = next((n for n in ("result", "outcome", "verdict") if n in names), None)
    if date_field is None or pass_field is None or "case" not in names:
        log.warning("analytics: cannot read %s (date, result or case missing)", model.__name__)
        return None
    status = "status" if "status" in names and not ("passed" in names or "result" in names) else ""
    return Spec(model, date_field, pass_field, status)


# --- direct counts ------------------------------------------------------------------------


def inspection_rows(
    period: Period, filters: Filters, *, cases: QuerySet[Case] | None, by_unit: bool
) -> dict[Any, tuple[int, int]]:
    """(passed, inspected) of the inspections decided in ``period``, of the cases of ``cases``
    matching ``filters``, counted from the inspections."""
    found = spec()
    if found is None:
        if _model() is None:
            log.warning("analytics: no quality inspection model found in xinfang.supervision")
        return {}
    lookup = found.lookup
    # The inspections of the period drive the query (an index on the decision date); each
    # is checked against the scope by its case (EXISTS, a primary-key probe). ``case IN
    # (the scope's ids)`` made the database list every case of the scope first.
    in_scope = scoped(cases if cases is not None else Case.objects.all(), filters)
    qs = found.model._default_manager.filter(
        Exists(in_scope.filter(pk=OuterRef("case_id"))),
        **{f"{lookup}__gte": period.start, f"{lookup}__lte": period.end},
    ).filter(found.decided)
    aggregates = {"passed": Count("pk", filter=found.passed), "inspected": Count("pk")}
    if not by_unit:
        row = qs.aggregate(**aggregates)
        return {None: (row["passed"], row["inspected"])}
    rows = qs.values("case__handling_unit_id").annotate(**aggregates)
    return {r["case__handling_unit_id"] or 0: (r["passed"], r["inspected"]) for r in rows}


# --- maintained cells -----------------------------------------------------------------------


def maintained() -> bool:
    found = spec()
    return found is not None and found.maintainable


def cell_rows(period: Period, filters: Filters, *, by_unit: bool) -> dict[Any, tuple[int, int]]:
    """The same as ``inspection_rows`` over all cases, from the cells (month-aligned
    periods)."""
    from .models import QualityCell

    if not period.month_aligned:
        raise ValueError("the quality cells answer month-aligned periods only")
    cells = QualityCell.objects.filter(
        month__gte=month_start(period.start), month__lte=month_start(period.end)
    ).filter(filters.cell_q())
    sums = {"p": Sum("passed"), "i": Sum("inspected")}
    if not by_unit:
        row = cells.aggregate(**sums)
        return {None: (int(row["p"] or 0), int(row["i"] or 0))}
    out = {}
    rows: Any = cells.values("unit_id").annotate(**sums)
    for r in rows:
        if r["p"] or r["i"]:
            out[r["unit_id"]] = (int(r["p"] or 0), int(r["i"] or 0))
    return out


def _dims(row: str) -> list[str]:
    from .rollup import _town

    return [
        f"COALESCE({row}.handling_unit_id, 0)",
        _town(row),
        f"{row}.category_id",
        f"{row}.channel",
    ]


def _insert_one(found: Spec, row: str, sign: str, vendor: str) -> str:
    """The contribution of one inspection row (NEW or OLD) with its case's place."""
    from .rollup import _month

    date = f"{row}.{found.column(found.date_field)}"
    select = [
        _month(date, vendor),
        *_dims("c"),
        f"{sign} * (CASE WHEN {found.passed_sql(row)} THEN 1 ELSE 0 END)",
        sign,
    ]
    return (
        f"INSERT INTO {CELLS} ({', '.join(CELL_KEYS + CELL_COLUMNS)}) SELECT {', '.join(select)}"
        f" FROM cases_case c WHERE c.id = {row}.{found.column('case')}"
        f" AND {found.counted_sql(row)};"
    )


def _move_case(found: Spec, row: str, sign: str, vendor: str) -> str:
    """All inspections of a case (OLD or NEW row of cases_case) under its place."""
    from .rollup import _month

    month = _month(f"q.{found.column(found.date_field)}", vendor)
    select = [
        month,
        *_dims(row),
        f"{sign} * SUM(CASE WHEN {found.passed_sql('q')} THEN 1 ELSE 0 END)",
        f"{sign} * COUNT(*)",
    ]
    return (
        f"INSERT INTO {CELLS} ({', '.join(CELL_KEYS + CELL_COLUMNS)}) SELECT {', '.join(select)}"
        f" FROM {found.table} q WHERE q.{found.column('case')} = {row}.id"
        f" AND {found.counted_sql('q')} GROUP BY {month};"
    )


def _differs(columns: list[str], vendor: str) -> str:
    op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in columns)


PLACE_COLUMNS = ["handling_unit_id", "division_id", "category_id", "channel"]


def trigger_sql(vendor: str) -> tuple[list[str], list[str]]:
    """(statements creating the triggers, their names); nothing when not maintainable."""
    found = spec()
    if found is None or not found.maintainable:
        return [], []
    table = found.table
    changed = _differs(found.watched(), vendor)
    moved = _differs(PLACE_COLUMNS, vendor)
    ins_new = _insert_one(found, "NEW", "1", vendor)
    ins_old = _insert_one(found, "OLD", "-1", vendor)
    move = _move_case(found, "OLD", "-1", vendor) + "\n" + _move_case(found, "NEW", "1", vendor)
    if vendor == "postgresql":
        inspection_body = "\n".join(
            [
                "BEGIN",
                "IF TG_OP = 'INSERT' THEN",
                ins_new,
                "ELSIF TG_OP = 'DELETE' THEN",
                ins_old,
                f"ELSIF TG_OP = 'UPDATE' AND ({changed}) THEN",
                ins_old,
                ins_new,
                "END IF;",
                "RETURN NULL;",
                "END;",
            ]
        )
        case_body = f"BEGIN\n{move}\nRETURN NULL;\nEND;"
        digest = _digest(inspection_body + case_body)
        insp, case = f"{TRIGGER_PREFIX}i_{digest}", f"{TRIGGER_PREFIX}c_{digest}"
        sql = []
        for name, body, on, events, when in (
            (insp, inspection_body, table, "INSERT OR UPDATE OR DELETE", ""),
            (case, case_body, "cases_case", "UPDATE", f" WHEN ({moved})"),
        ):
            sql.append(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $fn$\n{body}\n$fn$;"
            )
            sql.append(
                f"CREATE TRIGGER {name} AFTER {events} ON {on} FOR EACH ROW{when}"
                f" EXECUTE FUNCTION {name}();"
            )
        return sql, [insp, case]
    parts = {
        "ai": (table, "AFTER INSERT", "", ins_new),
        "ad": (table, "AFTER DELETE", "", ins_old),
        "au": (table, "AFTER UPDATE", f" WHEN {changed}", ins_old + "\n" + ins_new),
        "cu": ("cases_case", "AFTER UPDATE", f" WHEN {moved}", move),
    }
    digest = _digest("".join(body for _t, _e, _w, body in parts.values()))
    sql, names = [], []
    for suffix, (on, event, when, body) in parts.items():
        name = f"{TRIGGER_PREFIX}{suffix}_{digest}"
        names.append(name)
        sql.append(f"CREATE TRIGGER {name} {event} ON {on} FOR EACH ROW{when} BEGIN\n{body}\nEND;")
    return sql, names


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _installed(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """{trigger name: table} of this module's triggers."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        else:
            cur.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        return {r[0]: r[1] for r in cur.fetchall()}


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cur:
        for name, table in _installed(connection).items():
            if connection.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cur.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def install_triggers(connection: BaseDatabaseWrapper) -> bool:
    """The current triggers in place (none when not maintainable). True if changed."""
    statements, names = trigger_sql(connection.vendor)
    if set(_installed(connection)) == set(names):
        return False
    drop_triggers(connection)
    with connection.cursor() as cur:
        for stmt in statements:
            cur.execute(stmt)
    return True


def triggers_current(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    return set(_installed(connection)) == set(trigger_sql(connection.vendor)[1])


def select_all(vendor: str) -> str | None:
    """The exact cells from the inspections, grouped by key (None: not maintained)."""
    from .rollup import _month

    found = spec()
    if found is None or not found.maintainable:
        return None
    month = _month(f"q.{found.column(found.date_field)}", vendor)
    dims = _dims("c")
    inner = (
        f"SELECT {month} AS month, {dims[0]} AS unit_id, {dims[1]} AS town,"
        f" {dims[2]} AS category_id, {dims[3]} AS channel,"
        f" CASE WHEN {found.passed_sql('q')} THEN 1 ELSE 0 END AS passed"
        f" FROM {found.table} q JOIN cases_case c ON c.id = q.{found.column('case')}"
        f" WHERE {found.counted_sql('q')}"
    )
    keys = ", ".join(CELL_KEYS)
    return (
        f"SELECT {keys}, SUM(passed) AS passed, COUNT(*) AS inspected"
        f" FROM ({inner}) s GROUP BY {keys}"
    )


def table_exists(connection: BaseDatabaseWrapper) -> bool:
    return CELLS in set(connection.introspection.table_names())
