"""Writes on hotline orders: intake of one order, bulk import of a file, registration of the
orders as petition cases (12345转办, 信访工作条例 art. 17), all audited.

Bulk import (docs/hotline-import.md) runs in batches, each one transaction that
- validates every row and reports the bad ones with row number and reason,
- skips order numbers already imported (the unique order number makes it idempotent),
- refuses matters already in the petition channel or in a legal procedure (DOMAIN.md §2),
- inserts the good rows with one bulk insert and appends one audit record naming them,
- commits the row checkpoint and the counters with the rows, so the progress page can poll
  them and an interrupted import resumes after its last committed batch.
Registration then turns each order into a case through ``case_register`` (one transaction
per order, so it resumes too).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Field
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.cases.models import Case, Channel, Petitioner
from xinfang.cases.selectors import ACTIVE_STATUSES
from xinfang.cases.services import PetitionerData, case_register
from xinfang.core.crypto import blind_index
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.core.fields import EncryptedTextField
from xinfang.open311.models import ApiClient
from xinfang.org.models import User
from xinfang.org.permissions import Capability, has_capability

from .models import HotlineOrder, ImportJob, OrderStatus
from .readers import FileFormatError, count_rows, detect_format, read_rows
from .rows import OrderRow, RowError, RowValidator, map_header
from .rules import PETITION_TYPES, due_at

BATCH_SIZE = 2000
MAX_STORED_ERRORS = 10_000  # more bad rows are counted, not listed
# A job whose runner has not written for this long may be resumed by someone else.
STALE_AFTER = timedelta(minutes=2)

Progress = Callable[[str, int, int | None], None]


def _no_progress(phase: str, done: int, total: int | None) -> None:
    return None


def _require(actor: User | None, *capabilities: Capability) -> None:
    if actor is None or not all(has_capability(actor, c) for c in capabilities):
        raise PermissionDeniedError(_("You are not allowed to do this."))


# --- checks that need the database ---------------------------------------------------------


def not_taken_reasons(rows: Sequence[OrderRow]) -> dict[str, str]:
    """Orders (by number) that are not taken because the matter is already in the petition
    channel (DOMAIN.md §2): the row names an existing petition case, or the caller has a case
    of the same category in handling. Two queries for the whole batch."""
    reasons: dict[str, str] = {}
    named = {r.petition_case for r in rows if r.petition_case}
    if named:
        existing = set(Case.objects.filter(number__in=named).values_list("number", flat=True))
        for r in rows:
            if r.petition_case in existing:
                reasons[r.order_number] = _(
                    "Already in the petition channel as case %(case)s; not taken as a hotline "
                    "order (DOMAIN.md §2)."
                ) % {"case": r.petition_case}
    digests = {blind_index(r.caller_phone): r for r in rows if r.caller_phone}
    if digests:
        active = Petitioner.objects.filter(
            phone_digest__in=list(digests), case__status__in=ACTIVE_STATUSES
        ).values_list("phone_digest", "case__number", "case__category_id")
        open_cases = {(digest, category): number for digest, number, category in active}
        for r in rows:
            if not r.caller_phone or r.order_number in reasons:
                continue
            number = open_cases.get((blind_index(r.caller_phone), r.category.pk))
            if number:
                reasons[r.order_number] = _(
                    "The caller's matter on this subject is already in the petition channel "
                    "(case %(case)s, in handling); not taken as a hotline order (DOMAIN.md §2)."
                ) % {"case": number}
    return reasons


def _order(row: OrderRow, **extra: Any) -> HotlineOrder:
    return HotlineOrder(
        order_number=row.order_number,
        order_type=row.order_type,
        is_urgent=row.is_urgent,
        received_at=row.received_at,
        due_at=due_at(order_type=row.order_type, urgent=row.is_urgent, received_at=row.received_at),
        caller_name=row.caller_name,
        caller_phone=row.caller_phone,
        category=row.category,
        division=row.division,
        address=row.address,
        title=row.title,
        content=row.content,
        request=row.request,
        **extra,
    )


# --- registration as a case ----------------------------------------------------------------


def order_register_case(*, actor: User, order_id: int) -> HotlineOrder:
    """Register one received order as a petition case (channel 12345转办), link it, and
    clear the caller's data from the order (the case's petitioner record now holds it).
    Idempotent: an order already registered (or refused) is returned unchanged. A refusal
    by case_register is recorded on the order, not raised."""
    with transaction.atomic():
        order = (
            HotlineOrder.objects.select_for_update()
            .select_related("category", "division")
            .get(pk=order_id)
        )
        if order.status != OrderStatus.RECEIVED:
            return order
        received_on = min(timezone.localtime(order.received_at).date(), timezone.localdate())
        try:
            with transaction.atomic():
                case = case_register(
                    actor=actor,
                    channel=Channel.HOTLINE,
                    petition_type=PETITION_TYPES[order.order_type],
                    category=order.category,
                    title=order.title,
                    content=order.content,
                    request=order.request,
                    division=order.division,
                    address=order.address,
                    received_on=received_on,
                    petitioners=[PetitionerData(name=order.caller_name, phone=order.caller_phone)],
                )
        except DomainError as exc:
            order.status = OrderStatus.FAILED
            order.register_error = exc.message
            order.save(update_fields=["status", "register_error"])
            audit_log(
                actor=actor,
                action="hotline.order.register_refused",
                obj=order,
                before={"status": OrderStatus.RECEIVED},
                after={"status": order.status, "reason": exc.code},
            )
            return order
        order.case = case
        order.status = OrderStatus.REGISTERED
        order.caller_name = ""
        order.caller_phone = ""
        order.save(update_fields=["case", "status", "caller_name", "caller_phone"])
        audit_log(
            actor=actor,
            action="hotline.order.register",
            obj=order,
            before={"status": OrderStatus.RECEIVED},
            after={"status": order.status, "case": case.number},
        )
    return order


# --- intake of one order -------------------------------------------------------------------


def order_intake(
    *, actor: User, data: Mapping[str, Any], client: ApiClient | None = None
) -> tuple[HotlineOrder, bool]:
    """Take in one order (JSON intake endpoint) and register its case at once.

    Returns (order, created). The order number makes it idempotent: sending an order again
    returns the order taken the first time. Refuses (DomainError, nothing stored) an invalid
    order or a matter already in the petition channel or in a legal procedure."""
    _require(actor, Capability.REGISTER_CASE)
    try:
        row = RowValidator().validate(data)
    except RowError as exc:
        code = "not_taken" if exc.field == "legal_procedure" else "invalid"
        raise DomainError(exc.reason, code=code, field=exc.field) from exc
    existing = HotlineOrder.objects.filter(order_number=row.order_number).first()
    if existing is not None:
        return existing, False
    reason = not_taken_reasons([row]).get(row.order_number)
    if reason:
        raise DomainError(reason, code="not_taken", field="order_number")
    with transaction.atomic():
        order = _order(row, client=client)
        order.save()
        audit_log(
            actor=actor,
            action="hotline.order.intake",
            obj=order,
            after={"order_type": order.order_type, "urgent": order.is_urgent},
        )
        order = order_register_case(actor=actor, order_id=order.pk)
        if order.status == OrderStatus.FAILED:
            raise DomainError(order.register_error, code="registration_refused")
    return order, True


# --- bulk import ---------------------------------------------------------------------------


def import_create(
    *, actor: User, upload: File[Any], name: str, register_cases: bool = True
) -> ImportJob:
    """Keep an uploaded file and create its import job (run by ``import_run``)."""
    _require(actor, Capability.HOTLINE)
    if register_cases:
        _require(actor, Capability.REGISTER_CASE)
    try:
        fmt = detect_format(name)
    except FileFormatError:
        raise DomainError(
            _("Upload a .csv or .xlsx file (docs/hotline-import.md)."), code="format", field="file"
        ) from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(
            original_name=Path(name).name[:200],
            file_format=fmt,
            sha256=digest.hexdigest(),
            register_cases=register_cases,
            created_by=actor,
        )
        job.file.save(f"{digest.hexdigest()[:16]}.{fmt}", upload, save=False)
        job.save()
        audit_log(
            actor=actor,
            action="hotline.import.create",
            obj=job,
            after={"file": job.original_name, "sha256": job.sha256},
        )
    return job


def import_resumable(job: ImportJob, *, now: datetime | None = None) -> bool:
    """Whether someone may (re)start the job: not finished and nobody running it."""
    now = now or timezone.now()
    if job.state == ImportJob.State.DONE:
        return False
    if job.state in {ImportJob.State.PENDING, ImportJob.State.FAILED}:
        return True
    return job.heartbeat_at is None or now - job.heartbeat_at > STALE_AFTER


def stale_imports(*, now: datetime | None = None) -> list[ImportJob]:
    """Jobs whose runner died mid-way (a worker killed, a machine restarted): started, not
    finished, and no heartbeat for STALE_AFTER. Their committed batches stay; a new run
    resumes after the last one."""
    now = now or timezone.now()
    return list(
        ImportJob.objects.filter(
            state__in=[ImportJob.State.IMPORTING, ImportJob.State.REGISTERING],
            heartbeat_at__lt=now - STALE_AFTER,
        ).order_by("pk")
    )


@dataclass
class _Batch:
    first_row: int
    last_row: int
    rows: list[tuple[int, OrderRow]]
    errors: list[dict[str, Any]]


class Superseded(Exception):
    """Another runner has moved the checkpoint: this one stops."""


def _errors_of(job: ImportJob, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stored: list[dict[str, Any]] = list(job.errors)
    room = MAX_STORED_ERRORS - len(stored)
    return stored + new[: max(room, 0)]


def _commit_batch(job_id: int, expected_done: int, batch: _Batch) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.rows_done != expected_done:
            raise Superseded
        errors = list(batch.errors)
        numbers = [r.order_number for _n, r in batch.rows]
        already = set(
            HotlineOrder.objects.filter(order_number__in=numbers).values_list(
                "order_number", flat=True
            )
        )
        fresh = [(n, r) for n, r in batch.rows if r.order_number not in already]
        refused = not_taken_reasons([r for _n, r in fresh])
        for n, r in fresh:
            if r.order_number in refused:
                errors.append(
                    {"row": n, "order_number": r.order_number, "reason": refused[r.order_number]}
                )
        to_insert = [_order(r, import_job=job) for _n, r in fresh if r.order_number not in refused]
        _bulk_insert(to_insert)
        created = list(
            HotlineOrder.objects.filter(
                import_job=job, order_number__in=[o.order_number for o in to_insert]
            ).values_list("order_number", flat=True)
        )
        if created:
            audit_log(
                actor=job.created_by,
                action="hotline.order.import",
                object_type="hotline.hotlineorder",
                object_id=f"import-{job.pk}",
                object_repr=f"{job.original_name} rows {batch.first_row}-{batch.last_row}",
                after={"import": job.pk, "orders": created},
            )
        errors.sort(key=lambda e: int(e["row"]))
        job.rows_done = batch.last_row
        job.imported += len(created)
        job.duplicates += len(already) + (len(to_insert) - len(created))
        job.rejected += len(errors)
        job.errors = _errors_of(job, errors)
        job.heartbeat_at = timezone.now()
        job.save()
    return job


def _column_value(field: Field[Any, Any], order: HotlineOrder, now: datetime) -> Any:
    if isinstance(field, DateTimeField):
        value = now if field.auto_now_add else getattr(order, field.attname)
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, EncryptedTextField):
        return field.get_prep_value(getattr(order, field.attname))
    return getattr(order, field.attname)


def _bulk_insert(orders: list[HotlineOrder]) -> None:
    """One multi-row INSERT per batch (executemany), the fastest portable bulk insert; the
    same columns and values bulk_create would write, without its per-value overhead.

    ON CONFLICT DO NOTHING (SQLite: INSERT OR IGNORE): an order number inserted meanwhile by
    a concurrent intake stays single - the unique constraint decides, and the caller counts
    what this job really inserted."""
    if not orders:
        return
    fields = [f for f in HotlineOrder._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(HotlineOrder._meta.db_table)
    insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = connection.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    sql = f"{insert} {table} ({columns}) VALUES ({marks}) {suffix}".strip()
    now = timezone.now()
    rows = [tuple(_column_value(f, o, now) for f in fields) for o in orders]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _batches(job: ImportJob, path: Path, batch_size: int) -> Iterable[_Batch]:
    validator = RowValidator()
    rows = read_rows(path, job.file_format)
    header_number, header_cells = next(rows, (0, []))
    if not header_cells:
        raise RowError(_("The file is empty."))
    columns = map_header(header_cells)
    seen: set[str] = set()
    batch = _Batch(job.rows_done + 1, job.rows_done, [], [])
    for number, cells in rows:
        if number <= job.rows_done:
            continue  # committed before an interruption
        raw = {name: cells[i] for i, name in enumerate(columns) if name and i < len(cells)}
        try:
            row = validator.validate(raw)
            if row.order_number in seen:
                raise RowError(_("The order number appears earlier in this file."))
            seen.add(row.order_number)
            batch.rows.append((number, row))
        except RowError as exc:
            batch.errors.append(
                {
                    "row": number,
                    "order_number": str(raw.get("order_number") or "")[:40],
                    "reason": exc.reason,
                }
            )
        batch.last_row = number
        if len(batch.rows) + len(batch.errors) >= batch_size:
            yield batch
            batch = _Batch(number + 1, number, [], [])
    if batch.rows or batch.errors or batch.last_row > job.rows_done:
        yield batch


def _import_rows(job: ImportJob, progress: Progress, batch_size: int) -> ImportJob:
    path = Path(job.file.path)
    started = time.perf_counter()  # counting the rows for the progress bar is part of the cost
    if job.total_rows is None:
        job.total_rows = count_rows(path, job.file_format)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    for batch in _batches(job, path, batch_size):
        job = _commit_batch(job.pk, job.rows_done, batch)
        progress("import", job.rows_done, job.total_rows)
    ImportJob.objects.filter(pk=job.pk).update(
        import_seconds=F("import_seconds") + (time.perf_counter() - started)
    )
    job.refresh_from_db()
    return job


def _register_all(job: ImportJob, progress: Progress) -> ImportJob:
    pending = list(
        HotlineOrder.objects.filter(import_job=job, status=OrderStatus.RECEIVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    orders = HotlineOrder.objects.filter(import_job=job)
    # counted from the orders: after a killed run the job's counters may lag behind them
    done_before = orders.exclude(status=OrderStatus.RECEIVED).count()
    ImportJob.objects.filter(pk=job.pk).update(to_register=done_before + len(pending))
    started = time.perf_counter()
    total = done_before + len(pending)
    for i in range(0, len(pending), 100):
        for pk in pending[i : i + 100]:
            order_register_case(actor=job.created_by, order_id=pk)
        # Counted from the orders themselves, so a second runner cannot count twice.
        ImportJob.objects.filter(pk=job.pk).update(
            registered=orders.filter(status=OrderStatus.REGISTERED).count(),
            registration_failed=orders.filter(status=OrderStatus.FAILED).count(),
            heartbeat_at=timezone.now(),
        )
        progress("register", done_before + min(i + 100, len(pending)), total)
    ImportJob.objects.filter(pk=job.pk).update(
        register_seconds=F("register_seconds") + (time.perf_counter() - started)
    )
    job.refresh_from_db()
    return job


def import_run(
    *, job_id: int, progress: Progress = _no_progress, batch_size: int = BATCH_SIZE
) -> ImportJob:
    """Run (or resume) an import: rows first, then the registration of the cases."""
    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .exclude(state=ImportJob.State.DONE)
        .update(heartbeat_at=now)
    )
    ImportJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    try:
        if job.state != ImportJob.State.REGISTERING:
            if not job.file:
                raise RowError(
                    _(
                        "The uploaded file is no longer kept; upload it again (orders already "
                        "imported are skipped)."
                    )
                )
            ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.IMPORTING, message="")
            job = _import_rows(job, progress, batch_size)
        if job.register_cases:
            ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.REGISTERING)
            job = _register_all(job, progress)
    except Superseded:
        return ImportJob.objects.get(pk=job_id)
    except (RowError, OSError) as exc:
        reason = exc.reason if isinstance(exc, RowError) else str(exc)
        ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.FAILED, message=reason)
        return ImportJob.objects.get(pk=job_id)
    # The uploaded file holds callers' names and phones: once every row is in, it goes
    # (PIPL data minimisation); a failed or interrupted import keeps it to resume.
    if job.file:
        job.file.delete(save=False)
    with transaction.atomic():
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.DONE, finished_at=timezone.now(), file=""
        )
        job.refresh_from_db()
        audit_log(
            actor=job.created_by,
            action="hotline.import.finish",
            obj=job,
            after={
                "imported": job.imported,
                "duplicates": job.duplicates,
                "rejected": job.rejected,
                "registered": job.registered,
            },
        )
    return job


def import_errors_csv_rows(job: ImportJob) -> Iterable[list[str]]:
    yield ["row", "order_number", "reason"]
    for e in job.errors:
        yield [str(e["row"]), str(e.get("order_number", "")), str(e["reason"])]
