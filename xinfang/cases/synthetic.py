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
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
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
LOAD_CACHE_KIB = 256 * 1024  # SQLite page cache while loading
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
    writer = _Writer(rng, today=today or timezone.localdate(), years=years)
    # The analytics rollup is built once at the end instead of by a trigger per row: faster,
    # and the table comes out compacted (docs/analytics.md, bulk loads).
    suspended: AbstractContextManager[None] = nullcontext()
    if apps.is_installed("xinfang.analytics"):
        from xinfang.analytics.rollup import rollup_suspended

        suspended = rollup_suspended()
    with _loading(), suspended:
        done = 0
        while done < n:
            size = min(batch, n - done)
            with transaction.atomic():
                writer.write(size)
            done += size
            progress(done, n)
    with transaction.atomic():
        writer.save_numbers()
        audit_log(
            actor=None,
            action="cases.synthetic.generate",
            object_type="cases.case",
            object_id="",
            after={"cases": n, "seed": seed},
        )
    return done


@contextmanager
def _loading() -> Iterator[None]:
    """The database set for a bulk load, and back after it (also after a failure): the
    full-text index is rebuilt once at the end instead of row by row (SQLite: its triggers;
    PostgreSQL: the GIN index, built anew, which is much faster than growing it), and
    SQLite's page cache is large meanwhile (random index keys: digests, band keys)."""
    vendor = connection.vendor
    off, on = FULLTEXT_SUSPEND.get(vendor, ([], []))
    _run(off)
    cache_size = None
    if vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size")
            cache_size = int(cur.fetchone()[0])
            cur.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        _run(on)
        if cache_size is not None:
            _run([f"PRAGMA cache_size = {cache_size}"])


PERSON_COLUMNS = [
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
EVENT_COLUMNS = [
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


class _Writer:
    """Writes batches of generated cases with their petitioner, first timeline event and (with
    xinfang.routing) the repeat-check index rows, as raw bulk inserts."""

    def __init__(self, rng: random.Random, *, today: date, years: int) -> None:
        from xinfang.core.crypto import blind_index, encrypt

        self.rng, self.today, self.years = rng, today, years
        self.encrypt, self.blind_index = encrypt, blind_index
        self.rule = str(settings.XINFANG["DAY_RULE"])
        self.county = str(settings.XINFANG["COUNTY_CODE"])
        self.texts = samples()
        self.categories = list(Category.objects.select_related("default_unit"))
        self.departments = list(Unit.objects.filter(kind__in=["department", "town_government"]))
        self.places = list(Division.objects.filter(level__in=["township", "village"]))
        if not self.categories or not self.departments or not self.places:
            raise ValueError("load the organisation first (manage.py seed_demo)")
        self.counters = {
            int(seq.key[5:]): seq.last
            for seq in NumberSequence.objects.filter(key__startswith="case-")
        }
        fields = Case._meta.concrete_fields
        self.defaults = {str(f.column): _default(f) for f in fields}
        self.columns = list(self.defaults)
        # Only dates and datetimes need converting, and only for SQLite.
        self.to_db = _db_sqlite if connection.vendor == "sqlite" else None
        self.temporal = [
            i
            for i, f in enumerate(fields)
            if f.get_internal_type() in {"DateField", "DateTimeField"}
        ]
        # The repeat check's index is written with the cases: a sample text's fingerprint is
        # computed once and reused by every case that draws it.
        self.index = _RoutingIndex() if apps.is_installed("xinfang.routing") else None

    def write(self, size: int) -> None:
        rng, to_db, index = self.rng, self.to_db, self.index
        randint, choice, choices = rng.randint, rng.choice, rng.choices
        encrypt, blind_index = self.encrypt, self.blind_index
        case_ids = _allocate_ids("cases_case", size)
        person_ids = _allocate_ids("cases_petitioner", size)
        cases: list[list[Any]] = []
        people: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        prints: list[tuple[Any, ...]] = []
        keys: list[tuple[Any, ...]] = []
        for case_id, person_id in zip(case_ids, person_ids, strict=True):
            received = self.today - timedelta(days=randint(0, 365 * self.years))
            self.counters[received.year] = self.counters.get(received.year, 0) + 1
            row = dict(self.defaults)
            row["id"] = case_id
            sample = choice(self.texts)
            _fill_case(
                row,
                rng,
                received,
                self.today,
                self.rule,
                self.county,
                self.counters,
                sample,
                self.categories,
                self.departments,
                self.places,
            )
            values = list(row.values())
            if to_db is not None:
                for j in self.temporal:
                    if values[j] is not None:
                        values[j] = to_db(values[j])
            cases.append(values)
            birth = f"{randint(1950, 2005)}{randint(1, 12):02d}{randint(1, 28):02d}"
            id_number = f"530423{birth}{randint(0, 9999):04d}"
            phone = f"1{choice('3578')}{randint(0, 999999999):09d}"
            name = choice(SURNAMES) + "".join(choices(GIVEN, k=randint(1, 2)))
            people.append(
                (
                    person_id,
                    case_id,
                    "principal",
                    name,
                    encrypt(id_number),
                    encrypt(phone),
                    blind_index(id_number),
                    blind_index(phone),
                    "",
                )
            )
            registered = row["registered_at"]
            events.append(
                (
                    case_id,
                    registered if to_db is None else to_db(registered),
                    None,
                    "synthetic",
                    "register",
                    "",
                    row["status"],
                    "",
                    "{}",
                )
            )
            if index is not None:
                prints.append((case_id, *index.fingerprint(sample)))
                if key := index.person_key(name, row["division_id"]):
                    keys.append((person_id, case_id, key))
        if len(cases[0]) != len(self.columns):  # _fill_case set a name that is no column
            raise AssertionError("a generated case has a column the table does not")
        _insert("cases_case", self.columns, cases)
        _insert("cases_petitioner", PERSON_COLUMNS, people)
        _insert("cases_caseevent", EVENT_COLUMNS, events)
        if index is not None:
            _insert("routing_casefingerprint", index.fingerprint_columns, prints)
            _insert("routing_petitionerkey", ["petitioner_id", "case_id", "key"], keys)

    def save_numbers(self) -> None:
        for year, last in self.counters.items():
            NumberSequence.objects.update_or_create(key=f"case-{year}", defaults={"last": last})


class _RoutingIndex:
    """The rows of xinfang.routing's repeat-check index for generated cases, as
    ``manage.py routing_index`` would write them; fingerprints cached per sample text."""

    def __init__(self) -> None:
        from xinfang.routing import fingerprints

        self._values = fingerprints.fingerprint_values
        self.person_key = fingerprints.person_key
        self.fingerprint_columns = ["case_id", "words", *fingerprints.BAND_FIELDS]
        self._cache: dict[str, tuple[Any, ...]] = {}

    def fingerprint(self, sample: Sample) -> tuple[Any, ...]:
        row = self._cache.get(sample.search_text)
        if row is None:
            values = self._values(sample.search_text)
            row = tuple(values[c] for c in self.fingerprint_columns[1:])
            self._cache[sample.search_text] = row
        return row


def _run(statements: list[str]) -> None:
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def _fulltext_statements() -> dict[str, tuple[list[str], list[str]]]:
    """Per database vendor, the statements that take the full-text index out of a bulk load
    and those that put it back, built (the migration's own SQL)."""
    import importlib

    migration = importlib.import_module("xinfang.cases.migrations.0004_fulltext_index")
    sqlite_on = [sql for sql in migration.SQLITE if "TRIGGER" in sql] + [
        "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')"
    ]
    sqlite_off = [sql for sql in migration.SQLITE_BACK if "TRIGGER" in sql]
    return {
        "sqlite": (sqlite_off, sqlite_on),
        "postgresql": (list(migration.POSTGRES_BACK), list(migration.POSTGRES)),
    }


FULLTEXT_SUSPEND = _fulltext_statements()


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


def _insert(table: str, columns: list[str], rows: list[Any]) -> None:
    """Bulk insert: COPY on PostgreSQL, one prepared INSERT run for every row on SQLite."""
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


def _fill_case(  # type: ignore[no-untyped-def]
    row, rng, received, today, rule, county, counters, sample, categories, departments, places
) -> None:
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
