"""Personal data over time (个人信息保护法 arts. 19, 45, 47): retention and the citizen's copy.

Retention: identifying data of petitioners is kept while the matter is open and for
``XINFANG["PERSONAL_DATA_RETENTION_YEARS"]`` years (default 10; no public rule fixes it, set it
to the local archive rule) after the matter ended; then it is erased while the matter itself,
its handling and its statistics stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DateField
from django.db.models.functions import Coalesce, TruncDate

from xinfang.audit.services import audit_log
from xinfang.core.crypto import blind_index
from xinfang.core.errors import PermissionDeniedError
from xinfang.org.permissions import Capability, has_capability

from .models import Case, Petitioner
from .selectors import ACTIVE_STATUSES

ERASED_NAME = "（已删除）"


def retention_years() -> int:
    return int(str(settings.XINFANG.get("PERSONAL_DATA_RETENTION_YEARS", 10)))


@dataclass(frozen=True)
class PurgeReport:
    cases: int
    petitioners: int


def purge_personal_data(*, today: date, dry_run: bool = False) -> PurgeReport:
    """Erase names, ID and phone numbers and addresses of petitioners whose matter ended more
    than the retention period ago. Idempotent; every case touched is audited."""
    years = retention_years()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    ended = Coalesce(
        "closed_on",
        "replied_on",
        "acceptance_notified_on",
        TruncDate("registered_at"),
        output_field=DateField(),
    )
    cases = (
        Case.objects.exclude(status__in=ACTIVE_STATUSES)
        .annotate(ended_on=ended)
        .filter(ended_on__lt=cutoff)
        .filter(petitioners__isnull=False)
        .exclude(petitioners__name=ERASED_NAME)
        .distinct()
    )
    touched = people = 0
    for case in cases.iterator():
        with transaction.atomic():
            persons = case.petitioners.exclude(name=ERASED_NAME)
            count = persons.count()
            if not dry_run:
                persons.update(
                    name=ERASED_NAME,
                    id_number="",
                    phone="",
                    address="",
                    id_number_digest="",
                    phone_digest="",
                )
                audit_log(
                    actor=None,
                    action="case.personal_data.purge",
                    obj=case,
                    after={"petitioners": count, "retention_years": years},
                )
        touched += 1
        people += count
    return PurgeReport(cases=touched, petitioners=people)


def citizen_data_export(*, actor: Any, id_number: str) -> dict[str, Any]:
    """Everything the system holds about one person, for their request under PIPL art. 45.
    Found by the keyed digest of the ID number; audited."""
    if not has_capability(actor, Capability.VIEW_PERSONAL_DATA):
        raise PermissionDeniedError("not allowed")
    digest = blind_index(id_number)
    persons = Petitioner.objects.filter(id_number_digest=digest).select_related("case")
    records = []
    for person in persons:
        case = person.case
        records.append(
            {
                "case_number": case.number,
                "role": person.get_role_display(),
                "name": person.name,
                "id_number": person.id_number,
                "phone": person.phone,
                "address": person.address,
                "received_on": case.received_on.isoformat(),
                "title": case.title,
                "content": case.content,
                "request": case.request,
                "status": str(case.get_status_display()),
                "handling_unit": str(case.handling_unit or ""),
                "answer": case.reply_text,
                "rating": case.rating,
                "events": [
                    {"at": e.at.isoformat(), "action": e.action, "note": e.note}
                    for e in case.events.all()
                ],
            }
        )
    audit_log(
        actor=actor,
        action="person.data_export",
        object_type="cases.petitioner",
        object_id=digest[:16],
        after={"records": len(records)},
    )
    return {"records": records}
