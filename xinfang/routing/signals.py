"""Keep the routing indexes in step with cases written through the ORM (registration, edits).
Bulk inserts bypass signals; ``manage.py routing_index`` and the periodic task catch up."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from xinfang.cases.models import Case, Petitioner
from xinfang.cases.services import case_registered

from .fingerprints import fingerprint_case, key_case_petitioners, key_petitioner, key_petitioners


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


@receiver(case_registered, dispatch_uid="routing.key_registered_petitioners")
def _case_registered(
    sender: type[Case], case: Case, petitioners: list[Petitioner], **kwargs: Any
) -> None:
    # Registration writes the petitioners with bulk_create (no post_save) after the case
    # itself was saved (and fingerprinted once, above): key them here, in one statement.
    key_petitioners(case, petitioners)
