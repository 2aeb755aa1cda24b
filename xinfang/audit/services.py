"""Writing and checking the audit trail."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .context import client_address
from .models import AuditChainHead, AuditRecord

if TYPE_CHECKING:
    from collections.abc import Iterator

    from xinfang.org.models import User

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """Round-trip through JSON so hashing sees what the database stores."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def record_hash(
    *,
    prev_hash: str,
    created_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    before: Any,
    after: Any,
    client_address: str | None,
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            object_repr,
            before,
            after,
            client_address,
        ],
        cls=DjangoJSONEncoder,
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(record: AuditRecord) -> str:
    return record_hash(
        prev_hash=record.prev_hash,
        created_at=record.created_at,
        actor_id=record.actor_id,
        actor_label=record.actor_label,
        action=record.action,
        object_type=record.object_type,
        object_id=record.object_id,
        object_repr=record.object_repr,
        before=record.before,
        after=record.after,
        client_address=record.client_address,
    )


def audit_log(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the chain, in the caller's transaction.

    The chain head row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises
    writers anyway), so concurrent appends cannot fork the chain.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    actor_user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH}
        )
        # Millisecond precision: it survives every database and Django's JSON serialisation
        # (backup and restore), so a restored record still matches its hash.
        now = timezone.now()
        record = AuditRecord(
            created_at=now.replace(microsecond=now.microsecond // 1000 * 1000),
            actor=actor_user,
            actor_label=actor_user.get_username() if actor_user else "system",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            before=_canonical(before),
            after=_canonical(after),
            client_address=client_address.get(),
            prev_hash=head.last_hash,
        )
        record.hash = _hash_of(record)
        record.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=record.hash, count=head.count + 1)
    return record


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass(frozen=True)
class ChainReport:
    checked: int
    ok: bool
    broken_at: int | None = None
    reason: str = ""
    last_hash: str = GENESIS_HASH


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain in id order; stop at the first broken link."""
    expected_prev = GENESIS_HASH
    checked = 0
    for record in _iter_records(batch_size):
        if record.prev_hash != expected_prev:
            return ChainReport(
                checked, False, record.pk, "previous-hash link broken (row missing or inserted)"
            )
        if _hash_of(record) != record.hash:
            return ChainReport(checked, False, record.pk, "content does not match its hash")
        expected_prev = record.hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != expected_prev or head.count != checked):
        return ChainReport(checked, False, None, "chain head does not match the last record")
    return ChainReport(checked, True, None, "", expected_prev)


def _iter_records(batch_size: int) -> Iterator[AuditRecord]:
    last_id = 0
    while True:
        batch = list(AuditRecord.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk
