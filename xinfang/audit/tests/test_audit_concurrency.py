from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from xinfang.audit.models import AuditRecord
from xinfang.audit.services import audit_log, verify_chain


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain():
    def append(i: int) -> None:
        try:
            for j in range(10):
                audit_log(actor=None, action="test.parallel", object_type="t", object_id=f"{i}-{j}")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(append, range(6)))

    assert AuditRecord.objects.filter(action="test.parallel").count() == 60
    report = verify_chain()
    assert report.ok, report
    assert len(set(AuditRecord.objects.values_list("prev_hash", flat=True))) == 60
