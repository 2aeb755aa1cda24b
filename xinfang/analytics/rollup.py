"""The maintained rollup: exact monthly sums of every counter, kept by database triggers.

Why triggers: the leader dashboard must stay fast with 1,000,000 cases, so it reads monthly
sums instead of scanning the cases, and the sums must be exact whatever writes the cases (the
services, the deadline sweep, bulk loaders, a restore). Triggers on ``cases_case`` see every
insert, update and delete, on SQLite and PostgreSQL alike.

How: the triggers only *append* rows (+1 for a case's new contribution, -1 for its old one,
for each anchor whose columns changed), so two writers never wait for or deadlock on the same
counter row; a read sums the rows. ``compact()`` (run by the hourly analytics job) merges rows
with the same key. A limit that may still be running is also recorded by the day it ends in
``PendingCell``; reads subtract those that end today or later (definitions.Counter.settled).

The trigger SQL is generated from definitions.COUNTERS (the same condition objects that give
the direct engine its ``Q``), and carries a hash of itself in its name: after a change of the
definitions, the next ``migrate`` replaces the triggers and rebuilds the rollup
(``ensure_rollup``). ``manage.py analytics_rollup --check`` compares the rollup with a direct
count; ``rollup_suspended()`` lets bulk loaders insert without the triggers and rebuilds after.
"""

# ruff: noqa: S608 -- every SQL text here is built from this module's and definitions.py's
# constants (table, column and choice names), never from input; values go as parameters.
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .definitions import (
    ANCHORS,
    COUNTERS,
    DIMENSION_COLUMNS,
    TRACKERS,
    Cond,
    Counter,
    Tracker,
    anchor_columns,
    cond_columns,
    pending_specs,
)

log = logging.getLogger(__name__)

ROLLUP = "analytics_rollupcell"
PENDING = "analytics_pendingcell"
CASES = "cases_case"
KEYS = ("month", "unit_id", "town", "category_id", "channel")
PENDING_KEYS = ("counter", "due", "unit_id", "town", "category_id", "channel")
COLUMNS: tuple[str, ...] = tuple(COUNTERS)
TRIGGER_PREFIX = "analytics_case_"


# --- SQL pieces ---------------------------------------------------------------------------


def _month(expr: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {expr}) AS date)"
    return f"date({expr}, 'start of month')"


def _days(later: str, earlier: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _town(row: str) -> str:
    """The township code (first 9 digits) of the case's place; '' above town level."""
    return (
        "COALESCE((SELECT CASE WHEN length(d.code) >= 9 THEN substr(d.code, 1, 9) ELSE '' END"
        f" FROM org_division d WHERE d.id = {row}.division_id), '')"
    )


def _differs(column: str, vendor: str) -> str:
    op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return f"OLD.{column} {op} NEW.{column}"


def _value(counter: Counter, row: str, vendor: str) -> str:
    amount = "1"
    if counter.days_from:
        amount = _days(f"{row}.{counter.anchor}", f"{row}.{counter.days_from}", vendor)
    return f"CASE WHEN {counter.when.sql(row)} THEN {amount} ELSE 0 END"


def _dims(row: str) -> list[str]:
    return [
        f"COALESCE({row}.handling_unit_id, 0)",
        _town(row),
        f"{row}.category_id",
        f"{row}.channel",
    ]


def _rollup_insert(anchor: str, row: str, sign: str, vendor: str, extra: str = "") -> str:
    values = [
        f"{sign} * ({_value(c, row, vendor)})" if c.anchor == anchor else "0"
        for c in COUNTERS.values()
    ]
    select = [_month(f"{row}.{anchor}", vendor), *_dims(row), *values]
    where = f"{row}.{anchor} IS NOT NULL" + (f" AND ({extra})" if extra else "")
    return (
        f"INSERT INTO {ROLLUP} ({', '.join(KEYS + COLUMNS)}) "
        f"SELECT {', '.join(select)} WHERE {where};"
    )


def _pending_insert(
    code: str, anchor: str, cond: Cond, row: str, sign: str, extra: str = ""
) -> str:
    where = f"{row}.{anchor} IS NOT NULL AND ({cond.sql(row)})"
    if extra:
        where += f" AND ({extra})"
    select = [f"'{code}'", f"{row}.{anchor}", *_dims(row), sign]
    return (
        f"INSERT INTO {PENDING} ({', '.join(PENDING_KEYS)}, n) "
        f"SELECT {', '.join(select)} WHERE {where};"
    )


def _changed(columns: list[str], vendor: str) -> str:
    cols = dict.fromkeys([*DIMENSION_COLUMNS, *columns])
    return " OR ".join(_differs(c, vendor) for c in cols)


def _tracker_columns(tracker: Tracker) -> list[str]:
    return [tracker.anchor, *cond_columns(tracker.when)]


def _statements(row: str, sign: str, vendor: str, *, only_changed: bool) -> list[str]:
    """One rollup row per anchor, one pending row per limit not met and per tracker; on
    update only for the groups whose columns changed."""
    out: list[str] = []
    specs = pending_specs()
    for anchor in ANCHORS:
        extra = _changed(list(anchor_columns(anchor)), vendor) if only_changed else ""
        out.append(_rollup_insert(anchor, row, sign, vendor, extra))
        for code, spec_anchor, cond in specs:
            if spec_anchor == anchor and code in COUNTERS:
                out.append(_pending_insert(code, anchor, cond, row, sign, extra))
    for tracker in TRACKERS.values():
        extra = _changed(_tracker_columns(tracker), vendor) if only_changed else ""
        out.append(_pending_insert(tracker.code, tracker.anchor, tracker.when, row, sign, extra))
    return out


def _any_changed(vendor: str) -> str:
    cols = [c for a in ANCHORS for c in anchor_columns(a)]
    cols += [c for t in TRACKERS.values() for c in _tracker_columns(t)]
    return _changed(cols, vendor)


def trigger_sql(vendor: str) -> tuple[list[str], list[str]]:
    """(statements creating the triggers, their names) for ``vendor``."""
    if vendor == "postgresql":
        body = "\n".join(
            [
                "BEGIN",
                "IF TG_OP = 'INSERT' THEN",
                *_statements("NEW", "1", vendor, only_changed=False),
                "ELSIF TG_OP = 'DELETE' THEN",
                *_statements("OLD", "-1", vendor, only_changed=False),
                f"ELSIF TG_OP = 'UPDATE' AND ({_any_changed(vendor)}) THEN",
                *_statements("OLD", "-1", vendor, only_changed=True),
                *_statements("NEW", "1", vendor, only_changed=True),
                "END IF;",
                "RETURN NULL;",
                "END;",
            ]
        )
        name = f"{TRIGGER_PREFIX}rollup_{_digest(body)}"
        function = (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
            f"{body}\n$fn$;"
        )
        trigger = (
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {CASES} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}();"
        )
        return [function, trigger], [name]
    parts = {
        "ai": ("AFTER INSERT", "", _statements("NEW", "1", vendor, only_changed=False)),
        "ad": ("AFTER DELETE", "", _statements("OLD", "-1", vendor, only_changed=False)),
        "au": (
            "AFTER UPDATE",
            f" WHEN {_any_changed(vendor)}",
            _statements("OLD", "-1", vendor, only_changed=True)
            + _statements("NEW", "1", vendor, only_changed=True),
        ),
    }
    digest = _digest("".join(s for _e, _w, stmts in parts.values() for s in stmts))
    sql: list[str] = []
    names: list[str] = []
    for suffix, (event, when, stmts) in parts.items():
        name = f"{TRIGGER_PREFIX}{suffix}_{digest}"
        names.append(name)
        sql.append(
            f"CREATE TRIGGER {name} {event} ON {CASES} FOR EACH ROW{when} BEGIN\n"
            + "\n".join(stmts)
            + "\nEND;"
        )
    return sql, names


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


# --- installing, checking -----------------------------------------------------------------


def _installed(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        else:
            cur.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
        return {r[0] for r in cur.fetchall()}


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cur:
        for name in _installed(connection):
            if connection.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER IF EXISTS {name} ON {CASES}")
                cur.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def install_triggers(connection: BaseDatabaseWrapper) -> bool:
    """Install the current triggers (replacing older versions). True if anything changed."""
    statements, names = trigger_sql(connection.vendor)
    if _installed(connection) == set(names):
        return False
    drop_triggers(connection)
    with connection.cursor() as cur:
        for stmt in statements:
            cur.execute(stmt)
    return True


def triggers_current(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    return _installed(connection) == set(trigger_sql(connection.vendor)[1])


def _tables_exist(connection: BaseDatabaseWrapper) -> bool:
    tables = set(connection.introspection.table_names())
    return {ROLLUP, PENDING, CASES, "org_division"} <= tables


# --- rebuild, compact, verify -------------------------------------------------------------


def _select_all(vendor: str) -> tuple[str, str]:
    """SELECTs giving the exact rollup and pending cells from the cases, grouped by key."""
    dims = _dims("c")
    parts = []
    for anchor in ANCHORS:
        values = [_value(c, "c", vendor) if c.anchor == anchor else "0" for c in COUNTERS.values()]
        inner = (
            f"SELECT {_month(f'c.{anchor}', vendor)} AS month, {dims[0]} AS unit_id,"
            f" {dims[1]} AS town, c.category_id AS category_id, c.channel AS channel, "
            + ", ".join(f"{v} AS {name}" for v, name in zip(values, COLUMNS, strict=True))
            + f" FROM {CASES} c WHERE c.{anchor} IS NOT NULL"
        )
        parts.append(
            f"SELECT {', '.join(KEYS)}, {', '.join(f'SUM({c}) AS {c}' for c in COLUMNS)}"
            f" FROM ({inner}) s_{anchor} GROUP BY {', '.join(KEYS)}"
        )
    pending_parts = []
    for code, anchor, cond in pending_specs():
        inner = (
            f"SELECT '{code}' AS counter, c.{anchor} AS due, {dims[0]} AS unit_id,"
            f" {dims[1]} AS town, c.category_id AS category_id, c.channel AS channel"
            f" FROM {CASES} c WHERE c.{anchor} IS NOT NULL AND ({cond.sql('c')})"
        )
        pending_parts.append(
            f"SELECT {', '.join(PENDING_KEYS)}, COUNT(*) FROM ({inner}) p_{code}"
            f" GROUP BY {', '.join(PENDING_KEYS)}"
        )
    merged = (
        f"SELECT {', '.join(KEYS)}, {', '.join(f'SUM({c})' for c in COLUMNS)}"
        f" FROM ({' UNION ALL '.join(parts)}) u GROUP BY {', '.join(KEYS)}"
    )
    return merged, " UNION ALL ".join(pending_parts)


def rebuild(using: str = DEFAULT_DB_ALIAS) -> None:
    """Recompute the rollup from the cases (exact; a full scan)."""
    connection = connections[using]
    rollup_sql, pending_sql = _select_all(connection.vendor)
    with transaction.atomic(using=using), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Writers wait while the rollup is recomputed, so none of their rows is lost.
            cur.execute(f"LOCK TABLE {CASES} IN SHARE MODE")
        cur.execute(f"DELETE FROM {ROLLUP}")
        cur.execute(f"DELETE FROM {PENDING}")
        cur.execute(f"INSERT INTO {ROLLUP} ({', '.join(KEYS + COLUMNS)}) {rollup_sql}")
        cur.execute(f"INSERT INTO {PENDING} ({', '.join(PENDING_KEYS)}, n) {pending_sql}")
    rebuild_quality(using)


def rebuild_quality(using: str = DEFAULT_DB_ALIAS) -> None:
    """Recompute the quality cells from the inspections (emptied when not maintained)."""
    from . import quality

    connection = connections[using]
    if not quality.table_exists(connection):
        return
    select = quality.select_all(connection.vendor)
    with transaction.atomic(using=using), connection.cursor() as cur:
        found = quality.spec()
        if connection.vendor == "postgresql" and select and found is not None:
            cur.execute(f"LOCK TABLE {CASES}, {found.table} IN SHARE MODE")
        cur.execute(f"DELETE FROM {quality.CELLS}")
        if select:
            cols = ", ".join(quality.CELL_KEYS + quality.CELL_COLUMNS)
            cur.execute(f"INSERT INTO {quality.CELLS} ({cols}) {select}")


def compact(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Merge rows with the same key (and drop keys that sum to nothing). Sums unchanged."""
    from . import quality

    connection = connections[using]
    result = {}
    tables = [(ROLLUP, KEYS, COLUMNS), (PENDING, PENDING_KEYS, ("n",))]
    if quality.table_exists(connection):
        tables.append((quality.CELLS, quality.CELL_KEYS, quality.CELL_COLUMNS))
    for table, keys, cols in tables:
        key_list = ", ".join(keys)
        sums = ", ".join(f"SUM({c})" for c in cols)
        nonzero = " OR ".join(f"SUM({c}) <> 0" for c in cols)
        with transaction.atomic(using=using), connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            before = cur.fetchone()[0]
            if connection.vendor == "postgresql":
                # One statement: the rows deleted are exactly the rows summed, even while
                # triggers of other transactions append.
                cur.execute(
                    f"WITH moved AS (DELETE FROM {table} RETURNING {key_list}, {', '.join(cols)})"
                    f" INSERT INTO {table} ({key_list}, {', '.join(cols)})"
                    f" SELECT {key_list}, {sums} FROM moved GROUP BY {key_list} HAVING {nonzero}"
                )
            else:
                # SQLite: this transaction holds the only write lock.
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                last = cur.fetchone()[0]
                cur.execute(
                    f"INSERT INTO {table} ({key_list}, {', '.join(cols)})"
                    f" SELECT {key_list}, {sums} FROM {table} WHERE id <= %s"
                    f" GROUP BY {key_list} HAVING {nonzero}",
                    [last],
                )
                cur.execute(f"DELETE FROM {table} WHERE id <= %s", [last])
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            result[table] = before - cur.fetchone()[0]
    return result


def _normalise(rows: list[tuple[Any, ...]], nkeys: int) -> dict[tuple[str, ...], tuple[int, ...]]:
    out: dict[tuple[str, ...], tuple[int, ...]] = {}
    for row in rows:
        key = tuple(str(v) for v in row[:nkeys])
        values = tuple(int(v or 0) for v in row[nkeys:])
        prev = out.get(key)
        if prev:
            values = tuple(a + b for a, b in zip(prev, values, strict=True))
        out[key] = values
    return {k: v for k, v in out.items() if any(v)}


def verify(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Differences between the rollup and a direct count of the cases ([] when exact)."""
    from . import quality

    connection = connections[using]
    rollup_sql, pending_sql = _select_all(connection.vendor)
    problems: list[str] = []
    checks = [
        (ROLLUP, KEYS, COLUMNS, rollup_sql),
        (PENDING, PENDING_KEYS, ("n",), pending_sql),
    ]
    quality_sql = quality.select_all(connection.vendor)
    if quality_sql and quality.table_exists(connection):
        checks.append((quality.CELLS, quality.CELL_KEYS, quality.CELL_COLUMNS, quality_sql))
    with connection.cursor() as cur:
        for table, keys, cols, direct_sql in checks:
            key_list = ", ".join(keys)
            cur.execute(
                f"SELECT {key_list}, {', '.join(f'SUM({c})' for c in cols)} FROM {table}"
                f" GROUP BY {key_list}"
            )
            kept = _normalise(cur.fetchall(), len(keys))
            cur.execute(direct_sql)
            direct = _normalise(cur.fetchall(), len(keys))
            for key in sorted(set(kept) | set(direct)):
                if kept.get(key) != direct.get(key):
                    problems.append(
                        f"{table} {key}: kept {kept.get(key)} counted {direct.get(key)}"
                    )
    return problems


# --- lifecycle ----------------------------------------------------------------------------


def ensure_rollup(*args: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate (after every migrate and flush): current triggers in place, and the
    rollup agrees with the cases — rebuilt if the triggers were missing or outdated, emptied
    when the cases are gone (a flush may delete the rollup before the cases)."""
    connection = connections[using]
    if not _tables_exist(connection):
        return
    from . import quality

    changed = install_triggers(connection)
    has_quality = quality.table_exists(connection)
    quality_changed = quality.install_triggers(connection) if has_quality else False
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {CASES}")
        cases = cur.fetchone()[0]
        cur.execute(f"SELECT COALESCE(SUM(registered), 0) FROM {ROLLUP}")
        registered = cur.fetchone()[0]
        cur.execute(f"SELECT COUNT(*) FROM {PENDING} WHERE n <> 0")
        pending_rows = cur.fetchone()[0]
    if changed or cases != registered or (cases == 0 and pending_rows):
        log.info("analytics: rebuilding the rollup (%s cases)", cases)
        rebuild(using)  # the quality cells too
    elif has_quality:
        _ensure_quality(connection, using, changed=quality_changed)


def _ensure_quality(connection: BaseDatabaseWrapper, using: str, *, changed: bool) -> None:
    """The quality cells in step with the inspections (rebuilt after new triggers)."""
    from . import quality

    select = quality.select_all(connection.vendor)
    stale = changed
    if not stale and select is not None:
        with connection.cursor() as cur:
            cur.execute(f"SELECT COALESCE(SUM(inspected), 0) FROM {quality.CELLS}")
            kept = cur.fetchone()[0]
            cur.execute(f"SELECT COALESCE(SUM(inspected), 0) FROM ({select}) s")
            stale = kept != cur.fetchone()[0]
    if stale:
        log.info("analytics: rebuilding the quality cells")
        rebuild_quality(using)


def install_triggers_and_rebuild(using: str = DEFAULT_DB_ALIAS) -> None:
    from . import quality

    connection = connections[using]
    with transaction.atomic(using=using):
        install_triggers(connection)
        if quality.table_exists(connection):
            quality.install_triggers(connection)
        rebuild(using)


@contextmanager
def rollup_suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """For bulk loaders (e.g. a data generator): insert cases without the per-row triggers,
    then rebuild the rollup once and put the triggers back.

    Only for loads that own the database meanwhile: writes by others during the load are
    counted by the rebuild, not lost, but their rows must not be half-written then."""
    from . import quality

    connection = connections[using]
    drop_triggers(connection)
    quality.drop_triggers(connection)
    try:
        yield
    finally:
        install_triggers_and_rebuild(using)
