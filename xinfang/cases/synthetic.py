"""Synthetic cases for demos and benchmarks (`manage.py generate_cases N`).

Texts come from real public citizen messages (data/README.md); channels, places, units,
dates over several years, states along the lifecycle, ratings — all random but consistent
with the rules (due dates from the deadline module). Rows are written with bulk inserts in
batches; the generation itself is one audit record, not one per row.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from xinfang.audit.services import audit_log
from xinfang.org.models import Division, Unit

from .deadlines import DayRule, Step, step_due_date
from .models import Case, Category, NumberSequence, Status
from .search import search_text_for
from .services import QUERY_CODE_ALPHABET, QUERY_CODE_LENGTH

DATA = Path(__file__).resolve().parent / "data" / "sample_petitions.csv.gz"

CHANNEL_WEIGHTS = {
    "hotline": 40,
    "phone": 15,
    "online": 15,
    "visit": 10,
    "letter": 10,
    "email": 3,
    "fax": 1,
    "leader": 3,
    "higher_level": 3,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文"


@dataclass(frozen=True)
class Sample:
    title: str
    body: str
    reply: str
    search_text: str


@cache
def samples() -> list[Sample]:
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(io.StringIO(fh.read())))
    return [
        Sample(
            r["title"], r["body"], r["reply"], search_text_for(title=r["title"], content=r["body"])
        )
        for r in rows
    ]


@cache
def _due(step: Step, start: date, rule: str, ext: int = 0) -> date:
    return step_due_date(step=step, start=start, rule=DayRule(rule), extension_days=ext)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _aware(d: date, rng: random.Random) -> datetime:
    return datetime.combine(d, time(rng.randint(0, 9), rng.randint(0, 59)), tzinfo=UTC)


def generate_cases(
    n: int,
    *,
    seed: int = 1,
    years: int = 3,
    today: date | None = None,
    batch: int = 5000,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    today = today or timezone.localdate()
    rule = str(settings.XINFANG["DAY_RULE"])
    county = str(settings.XINFANG["COUNTY_CODE"])
    texts = samples()
    categories = list(Category.objects.select_related("default_unit"))
    departments = list(Unit.objects.filter(kind__in=["department", "town_government"]))
    places = list(Division.objects.filter(level__in=["township", "village"]))
    if not categories or not departments or not places:
        raise ValueError("load the organisation first (manage.py seed_demo)")
    counters: dict[int, int] = {}
    for seq in NumberSequence.objects.filter(key__startswith="case-"):
        counters[int(seq.key[5:])] = seq.last

    from xinfang.core.crypto import blind_index, encrypt

    case_defaults = {str(f.column): _default(f) for f in Case._meta.concrete_fields}
    case_columns = list(case_defaults)
    person_columns = [
        "id",
        "case_id",
        "role",
        "name",
        "id_number",
        "phone",
        "id_number_digest",
        "phone_digest",
        "address",
    ]
    event_columns = [
        "id",
        "case_id",
        "at",
        "actor_id",
        "actor_label",
        "action",
        "from_status",
        "to_status",
        "note",
        "data",
    ]
    _db = _db_sqlite if connection.vendor == "sqlite" else _db_native
    # SQLite: the full-text index is rebuilt once at the end instead of row by row.
    bulk_fts = connection.vendor == "sqlite"
    if bulk_fts:
        _run(FTS_TRIGGERS_OFF)
    # The analytics rollup is built once at the end instead of by a trigger per row: faster,
    # and the table comes out compacted (docs/analytics.md, bulk loads).
    suspended: AbstractContextManager[None] = nullcontext()
    if apps.is_installed("xinfang.analytics"):
        from xinfang.analytics.rollup import rollup_suspended

        suspended = rollup_suspended()
    with suspended:
        done = 0
        while done < n:
            size = min(batch, n - done)
            with transaction.atomic():
                case_ids = _allocate_ids("cases_case", size)
                person_ids = _allocate_ids("cases_petitioner", size)
                case_rows, person_rows, event_rows = [], [], []
                for i in range(size):
                    received = today - timedelta(days=rng.randint(0, 365 * years))
                    counters[received.year] = counters.get(received.year, 0) + 1
                    row = dict(case_defaults)
                    row["id"] = case_ids[i]
                    _fill_case(
                        row,
                        rng,
                        received,
                        today,
                        rule,
                        county,
                        counters,
                        texts,
                        categories,
                        departments,
                        places,
                    )
                    case_rows.append(tuple(_db(row[c]) for c in case_columns))
                    born_year = rng.randint(1950, 2005)
                    born_month, born_day = rng.randint(1, 12), rng.randint(1, 28)
                    birth = f"{born_year}{born_month:02d}{born_day:02d}"
                    id_number = f"530423{birth}{rng.randint(0, 9999):04d}"
                    phone = f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
                    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                    person_rows.append(
                        (
                            person_ids[i],
                            case_ids[i],
                            "principal",
                            name,
                            encrypt(id_number),
                            encrypt(phone),
                            blind_index(id_number),
                            blind_index(phone),
                            "",
                        )
                    )
                    event_rows.append(
                        (
                            case_ids[i],
                            _db(row["registered_at"]),
                            None,
                            "synthetic",
                            "register",
                            "",
                            row["status"],
                            "",
                            "{}",
                        )
                    )
                _insert("cases_case", case_columns, case_rows)
                _insert("cases_petitioner", person_columns, person_rows)
                _insert("cases_caseevent", event_columns[1:], event_rows)
            done += size
            progress(done, n)
    if bulk_fts:
        _run(FTS_TRIGGERS_ON)
    with transaction.atomic():
        for year, last in counters.items():
            NumberSequence.objects.update_or_create(key=f"case-{year}", defaults={"last": last})
        audit_log(
            actor=None,
            action="cases.synthetic.generate",
            object_type="cases.case",
            object_id="",
            after={"cases": n, "seed": seed},
        )
    return done


def _run(statements: list[str]) -> None:
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def _fts_statements() -> tuple[list[str], list[str]]:
    import importlib

    migration = importlib.import_module("xinfang.cases.migrations.0004_fulltext_index")
    on = [sql for sql in migration.SQLITE if "TRIGGER" in sql] + [
        "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')"
    ]
    off = [sql for sql in migration.SQLITE_BACK if "TRIGGER" in sql]
    return off, on


FTS_TRIGGERS_OFF, FTS_TRIGGERS_ON = _fts_statements()


def _default(field: Any) -> Any:
    if field.has_default():
        return field.get_default()
    return None if field.null else ""


def _db_sqlite(value: Any) -> Any:
    """Values as Django stores them in SQLite (dates as ISO text, datetimes in UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _db_native(value: Any) -> Any:
    return value


def _allocate_ids(table: str, count: int) -> list[int]:
    """Primary keys for a batch, reserved the way the database would hand them out."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (our table name)
        start = cur.fetchone()[0] + 1
        return list(range(start, start + count))


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


def _fill_case(  # type: ignore[no-untyped-def]
    row, rng, received, today, rule, county, counters, texts, categories, departments, places
) -> None:
    sample = rng.choice(texts)
    category = rng.choice(categories)
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    row.update(
        number=f"XF{county}-{received.year}-{counters[received.year]:06d}",
        query_code="".join(rng.choices(QUERY_CODE_ALPHABET, k=QUERY_CODE_LENGTH)),
        channel=channel,
        petition_type=rng.choices(["appeal", "suggestion", "accusation"], weights=[80, 15, 5])[0],
        category_id=category.pk,
        title=sample.title,
        content=sample.body,
        search_text=sample.search_text,
        division_id=rng.choice(places).pk,
        received_on=received,
        registered_at=_aware(received, rng),
        status=Status.REGISTERED,
        route_due=_due(Step.REGISTER_ROUTE, received, rule),
        deadline_assigned=received + timedelta(days=30) if channel == "leader" else None,
    )
    age = (today - received).days
    unit = category.default_unit or rng.choice(departments)
    routed = received + timedelta(days=rng.randint(0, 5))
    if age < 3 or routed > today:
        row["due_on"] = row["route_due"]
        return
    fate = rng.random()
    if fate < 0.03:
        row.update(status=Status.MERGED, is_repeat=True)
        return
    if fate < 0.06:
        row.update(status=Status.DIVERTED, diverted_to="litigation")
        return
    acceptance_due = _due(Step.ACCEPTANCE_NOTICE, routed, rule)
    row.update(
        handling_unit_id=unit.pk,
        routed_on=routed,
        acceptance_due=acceptance_due,
        objection_due=_due(Step.OBJECTION, routed, rule),
    )
    accepted = routed + timedelta(days=rng.choice([1, 2, 3, 5, 8, 12, 14, 16, 20]))
    if accepted > today:
        row.update(status=Status.ROUTED, due_on=acceptance_due)
        return
    if fate < 0.09:
        row.update(
            status=Status.NOT_ACCEPTED,
            acceptance_notified_on=accepted,
            not_accepted_reason="不属于信访事项受理范围。",
        )
        return
    extended = rng.random() < 0.08
    extension = 30 if extended else 0
    handling_due = row["deadline_assigned"] or _due(Step.HANDLING, accepted, rule, extension)
    row.update(
        accepted_on=accepted,
        acceptance_notified_on=accepted,
        extension_days=extension,
        handling_due=handling_due,
    )
    replied = accepted + timedelta(days=int(rng.triangular(3, 75, 25)))
    if replied > today:
        row.update(status=Status.EXTENDED if extended else Status.IN_HANDLING, due_on=handling_due)
        return
    review_due = _due(Step.REVIEW_REQUEST, replied, rule)
    row.update(
        replied_on=replied,
        outcome=rng.choices(["supported", "explained", "not_supported"], weights=[55, 35, 10])[0],
        reply_text=sample.reply or "经调查核实，已依法依规处理。",
        evaluation_due=replied + timedelta(days=30),
        review_request_due=review_due,
        status=Status.REPLIED,
    )
    if rng.random() < 0.8:
        rated = replied + timedelta(days=rng.randint(0, 20))
        if rated <= today:
            row.update(
                rating=rng.choices(["satisfied", "basically", "unsatisfied"], weights=[70, 20, 10])[
                    0
                ],
                rated_on=rated,
                status=Status.EVALUATED,
            )
    if review_due < today and row["evaluation_due"] < today:
        row.update(status=Status.CLOSED, closed_on=review_due)
