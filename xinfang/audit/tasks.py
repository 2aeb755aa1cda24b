from __future__ import annotations

import logging

from django_tasks import task

from .services import verify_chain

logger = logging.getLogger(__name__)


@task()
def verify_audit_chain() -> dict[str, object]:
    """Nightly: check the audit chain and log loudly when it is broken."""
    report = verify_chain()
    if report.ok:
        logger.info("audit chain OK: %s records", report.checked)
    else:
        logger.error("audit chain BROKEN at %s: %s", report.broken_at, report.reason)
    return {"ok": report.ok, "checked": report.checked, "broken_at": report.broken_at}
