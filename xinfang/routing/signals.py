"""Keep the routing indexes in step with cases written through the ORM (registration, edits).
Bulk inserts bypass signals; ``manage.py routing_index`` and the periodic task catch up."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from xinfang.cases.models import Case, Petitioner

from .fingerprints import fingerprint_case, key_case_petitioners, key_petitioner


@receiver(post_save, sender=Case, dispatch_uid="routing.fingerprint_case")
def _case_saved(sender: type[Case], instance: Case, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures and restores: routing_index rebuilds afterwards
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "search_text" not in update_fields:
        return
    fingerprint_case(instance)
    if not kwargs.get("created"):
        key_case_petitioners(instance)


@receiver(post_save, sender=Petitioner, dispatch_uid="routing.key_petitioner")
def _petitioner_saved(
    sender: type[Petitioner], instance: Petitioner, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    key_petitioner(instance)
